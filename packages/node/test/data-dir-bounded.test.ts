// A data dir stays bounded in files and bytes however many runs it has seen:
// many real runs of a small app over ONE data dir, three at a time, with mixed
// endings (clean exit, process.exit, uncaught exception, SIGKILL, a
// request-mode server SIGKILLed mid-traffic), against a real collector on
// loopback. Every per-launch file (report metadata, recovery claims, request
// snapshots, session state, crash records, native run dirs, temp files) must
// be removed once its run is settled, so the count after the last run is a
// small constant, not a function of the number of runs.
// CRASHFREE_DATA_DIR_RUNS=1000 for the long run (default 150).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { appEnv, runApp, sessions, tempDir, useCollector } from './helpers.js';

const RUNS = Number(process.env.CRASHFREE_DATA_DIR_RUNS ?? 150);
/** Files a settled data dir may hold (the last run's native dir and report metadata, a claim, a queued entry). Independent of RUNS. */
const MAX_SETTLED_FILES = 15;
/** Files while runs come and go: two live runs' files, the queue (bounded at 100 entries by the core) and what just-ended runs left for the next launch. */
const MAX_FILES = 120;
const MAX_BYTES = 256 * 1024;
const ENDINGS = ['clean', 'kill', 'uncaught', 'request', 'exit'] as const;
type Ending = (typeof ENDINGS)[number];

let c: Collector;
useCollector((x) => (c = x));

/** A small deterministic generator, so a failing sequence can be replayed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface DirCount {
  files: number;
  bytes: number;
  /** Files per top-level entry (store/<kind> for the store), to say what grew. */
  by: Record<string, number>;
}

function countFiles(root: string): DirCount {
  const out: DirCount = { files: 0, bytes: 0, by: {} };
  // Live runs create and remove files meanwhile: what vanished mid-count is not counted.
  const walk = (dir: string, rel: string[]): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file, [...rel, entry.name]);
        continue;
      }
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (!stat) continue;
      out.files += 1;
      out.bytes += stat.size;
      const where = [...rel, entry.name].slice(0, rel[0] === 'store' ? 2 : 1).join('/');
      const kind = rel.length === 0 ? entry.name : where;
      out.by[kind] = (out.by[kind] ?? 0) + 1;
    }
  };
  walk(root, []);
  return out;
}

/** One run ending as `ending`; never rejects. */
async function runOnce(dataDir: string, ending: Ending, random: () => number): Promise<void> {
  const killAfterMs = Math.floor(random() * 150);
  await runApp('run-endings.mjs', {
    env: appEnv(c, dataDir, '', { ENDING: ending, RELEASE: 'bounded@1.0.0' }),
    timeoutMs: 20_000,
    onLine: (line, kill) => {
      if (ending === 'kill' && line === 'ready') setTimeout(() => kill('SIGKILL'), killAfterMs);
      const port = /^listening (\d+)$/.exec(line)?.[1];
      if (ending === 'request' && port) {
        void (async () => {
          for (let i = 0; i < 4; i++) {
            await fetch(`http://127.0.0.1:${port}/${i % 2 ? 'handled' : 'ok'}`).then((r) => r.text(), () => undefined);
          }
          setTimeout(() => kill('SIGKILL'), killAfterMs);
        })();
      }
    },
  });
}

describe('a data dir after many runs', () => {
  it(`stays bounded in files and bytes after ${RUNS} runs with mixed endings`, { timeout: Math.max(120_000, RUNS * 2_000) }, async () => {
    const dataDir = tempDir('bounded');
    const random = lcg(12);
    const plan: Ending[] = Array.from({ length: RUNS }, (_, i) => ENDINGS[i % ENDINGS.length]!);
    const checkpoints: DirCount[] = [];
    let next = 0;
    // Three runs at a time over the one dir: launches overlap as a restarting service's or cluster workers' do.
    const worker = async (): Promise<void> => {
      while (next < plan.length) {
        const ending = plan[next++]!;
        await runOnce(dataDir, ending, random);
        if (next % 50 === 0) checkpoints.push(countFiles(dataDir));
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    // The last runs' leftovers are settled by the next launch, as a user's next start would; that
    // launch holds its claims on them for its lifetime, and the one after it removes those.
    await runOnce(dataDir, 'clean', random);
    await runOnce(dataDir, 'clean', random);
    const end = countFiles(dataDir);
    const busiest = checkpoints.reduce<DirCount | undefined>((a, b) => (a && a.files >= b.files ? a : b), undefined);
    const summary = JSON.stringify({ runs: RUNS, end, checkpoints: checkpoints.map((p) => p.files), busiest: busiest?.by });
    console.log(`[data-dir-bounded] ${summary}`);
    for (const point of [...checkpoints, end]) {
      expect(point.files, summary).toBeLessThanOrEqual(MAX_FILES);
      expect(point.bytes, summary).toBeLessThanOrEqual(MAX_BYTES);
    }
    expect(end.files, summary).toBeLessThanOrEqual(MAX_SETTLED_FILES);
    expect(end.by['corrupt'] ?? 0, summary).toBe(0);
    // The runs were real: their sessions reached the collector.
    expect(new Set(sessions(c).map((s) => s.sid)).size).toBeGreaterThan(RUNS / 2);
  });
});
