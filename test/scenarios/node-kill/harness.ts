// Plumbing of the Node death suites: launching app.mjs as a child process,
// reading the collector back per session, and the seeded PRNG.
import { seededRandom } from '@crashfree/core/testing';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Collector } from '@crashfree/collector';

/** The seeded PRNG the node-kill tests draw instants and kinds from. */
export const random = seededRandom;

export const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'app.mjs');

/** How a run of app.mjs ends (see its header). */
export type Kind = 'sigkill' | 'uncaught' | 'exit' | 'native' | 'clean' | 'short' | 'version';


/** How one run went: the sid it printed once init returned (undefined: init never returned, or no session yet). */
export interface Launched {
  sid: string | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs app.mjs once and resolves when it is gone. A `sigkill` run is killed
 * `delayMs` after it said `ready`; every other kind dies on its own. A run
 * still alive after `timeoutMs` is killed (and shows as SIGKILL).
 */
export function launch(run: { kind: Kind; delayMs: number; did: string; userAt: string; release: string; env: Record<string, string> }, timeoutMs = 30_000): Promise<Launched> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APP, run.kind, String(run.kind === 'sigkill' ? 0 : run.delayMs), run.did, run.userAt, run.release], {
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sid: string | undefined;
    let ready = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^ready (\S+)$/m.exec(stdout);
      if (!m || ready) return;
      ready = true;
      // "-": init returned without a session id; the run still belongs in the ledger (matched by its user later).
      sid = m[1] === '-' ? `none-${Math.random().toString(36).slice(2)}` : m[1];
      if (run.kind === 'sigkill') {
        if (run.delayMs <= 0) child.kill('SIGKILL');
        else setTimeout(() => child.kill('SIGKILL'), run.delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ sid, code, signal, stdout, stderr });
    });
  });
}

/** A session as the collector stored it: its dids, the seqs of its init updates, its last status (highest seq). */
export interface StoredSession {
  dids: Set<string>;
  inits: Set<number>;
  status: string;
  seq: number;
}

interface Update {
  sid: string;
  did?: string;
  init?: boolean;
  seq?: number;
  status: string;
  attrs?: { release?: string };
}

/** The stored session updates of `release`, per session id. */
export function sessionsOf(collector: Collector, release: string): Map<string, StoredSession> {
  const out = new Map<string, StoredSession>();
  for (const item of collector.items({ type: 'session' })) {
    const u = item.payload as Update;
    if (u.attrs?.release !== release) continue;
    const s = out.get(u.sid) ?? { dids: new Set<string>(), inits: new Set<number>(), status: u.status, seq: -1 };
    if (u.did) s.dids.add(u.did);
    if (u.init === true) s.inits.add(u.seq ?? 0);
    if ((u.seq ?? 0) >= s.seq) {
      s.seq = u.seq ?? 0;
      s.status = u.status;
    }
    out.set(u.sid, s);
  }
  return out;
}

/** The sessions API's answer for `release`: sessions and users per status, and crash-free users. */
export async function api(collector: Collector, release: string): Promise<Record<string, number>> {
  const get = async (q: string): Promise<{ groups: Array<{ by: Record<string, string>; totals: Record<string, number> }> }> => {
    const res = await fetch(`${collector.url}/api/0/organizations/acme/sessions/?${q}&query=${encodeURIComponent(`release:${release}`)}&statsPeriod=1h`, {
      headers: { Authorization: `Bearer ${collector.token}` },
    });
    if (res.status !== 200) throw new Error(`sessions API answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { groups: Array<{ by: Record<string, string>; totals: Record<string, number> }> };
  };
  const out: Record<string, number> = {};
  for (const g of (await get('field=sum(session)&field=count_unique(user)&groupBy=session.status')).groups) {
    if (!g.totals['sum(session)']) continue;
    out[g.by['session.status']!] = g.totals['sum(session)']!;
    out[`users:${g.by['session.status']}`] = g.totals['count_unique(user)']!;
  }
  out.crashFreeUsers = (await get('field=crash_free_rate(user)')).groups[0]?.totals['crash_free_rate(user)'] ?? NaN;
  return out;
}

/** Polls `done` every 100 ms until true or `timeoutMs` passed. */
export async function settle(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}
