// The fingerprint contract end to end: a Node app (built @crashfree/node) is
// written out in two releases, installed in different directories, with code
// inserted above the failing function (its lines move) and a different id in
// the message; each release runs as a child process against a real collector,
// and the collector's Sentry-style issues API must show one issue for the
// same bug across both releases and another issue for a different bug.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';

// The built ESM entry, as an app importing @crashfree/node gets it.
const NODE_SDK = pathToFileURL(fileURLToPath(new URL('../../packages/node/dist/esm/index.js', import.meta.url))).href;

/** The app of one release; `padding` lines are inserted above the failing code. */
function appSource(padding: number): string {
  return `import * as Crashfree from ${JSON.stringify(NODE_SDK)};
const [dsn, release, dataDir, userId, mode] = process.argv.slice(2);
Crashfree.init({ dsn, release, environment: 'test', dataDir });
${Array.from({ length: padding }, (_, i) => `const unused${i} = ${i};`).join('\n')}
function loadUser(id) {
  throw new Error('User ' + id + ' not found');
}
function chargeCard(id) {
  return null.card[id];
}
function handle(id) {
  if (mode === 'charge') return chargeCard(id);
  return loadUser(id);
}
for (let i = 0; i < 2; i++) {
  try { handle(userId); } catch (error) { Crashfree.captureException(error); }
}
setTimeout(() => handle(userId), 10);
`;
}

let collector: Collector;
let root: string;

function run(dir: string, release: string, userId: string, mode = 'load'): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, 'app.mjs'), collector.dsn, release, path.join(dir, 'data'), userId, mode], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/Error: User \d+ not found|TypeError: Cannot read properties of null/.test(stderr)) reject(new Error(`app did not fail as expected: ${stderr}`));
      else resolve(code);
    });
  });
}

async function api(pathAndQuery: string): Promise<any> {
  const res = await fetch(`${collector.url}/api/0/organizations/acme/${pathAndQuery}`, { headers: { Authorization: `Bearer ${collector.token}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'crashfree-issues-js-'));
  collector = await startCollector({ port: 0, dataDir: path.join(root, 'collector'), log: () => undefined });
  const v1 = path.join(root, 'srv', 'app-1.0.0');
  const v2 = path.join(root, 'opt', 'deploy', 'b7f3e9a1c2');
  for (const [dir, padding] of [[v1, 0], [v2, 9]] as const) {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'app.mjs'), appSource(padding));
  }
  // Each run: 2 handled errors, then an uncaught one (a crashed session, sent before exit).
  await run(v1, 'shop@1.0.0', '123');
  await run(v1, 'shop@1.0.0', '124');
  await run(v2, 'shop@1.1.0', '456');
  await run(v2, 'shop@1.1.0', '789', 'charge');
}, 120_000);

afterAll(async () => {
  await collector?.close();
  await rm(root, { recursive: true, force: true });
});

describe('issues from real processes', () => {
  it('the same bug from two releases (moved lines, other install dir, other ids) is one issue; another bug is another', async () => {
    const all = await api('issues/?query=&sort=freq&statsPeriod=1h');
    const notFound = all.filter((i: any) => i.metadata.type === 'Error');
    const charge = all.filter((i: any) => i.metadata.type === 'TypeError');
    // Handled and uncaught throws differ in their outer frames (the timer), so the bug shows as at most two issues,
    // each spanning both releases.
    expect(notFound.length).toBeGreaterThan(0);
    for (const issue of notFound) {
      expect(issue.crashfree.releases.map((r: any) => r.release).sort()).toEqual(['shop@1.0.0', 'shop@1.1.0']);
      expect(issue.culprit).toBe('loadUser (app)');
    }
    const uncaught = notFound.find((i: any) => i.crashfree.crashedSessions > 0);
    expect(uncaught.crashfree.releases.map((r: any) => [r.release, r.crashedSessions])).toEqual([
      ['shop@1.0.0', 2],
      ['shop@1.1.0', 1],
    ]);
    expect(charge).toHaveLength(2);
    for (const issue of charge) {
      expect(issue.culprit).toBe('chargeCard (app)');
      expect(issue.crashfree.releases.map((r: any) => r.release)).toEqual(['shop@1.1.0']);
      expect(issue.crashfree.firstRelease).toBe('shop@1.1.0');
    }
    expect(new Set(all.map((i: any) => i.crashfree.fingerprint)).size).toBe(all.length);
  });

  it('per release: status new / known, first seen, crash counts, segments', async () => {
    const crashes = await api('issues/?query=' + encodeURIComponent('release:shop@1.1.0 error.unhandled:true') + '&sort=freq');
    expect(crashes.map((i: any) => [i.culprit, i.crashfree.releaseStatus, i.filtered.count])).toEqual([
      ['loadUser (app)', 'known', '1'],
      ['chargeCard (app)', 'new', '1'],
    ]);
    const [first] = crashes;
    expect(first.crashfree.segments.platform).toEqual({ node: 3 });
    expect(Object.keys(first.crashfree.segments.runtime)).toEqual([`node ${process.version}`]);
    expect(first.crashfree.topFrames[0]).toMatchObject({ function: 'loadUser', lineno: 14, inApp: true });
    const tags = await api(`issues/${first.id}/tags/os.name/`);
    expect(tags.totalValues).toBe(3);
    const fresh = await api('issues/?query=' + encodeURIComponent('firstRelease:shop@1.1.0'));
    expect(fresh.every((i: any) => i.culprit === 'chargeCard (app)')).toBe(true);
  });

  it('rebuilds the same issues (ids, fingerprints, counts) after a restart, from the stored items', async () => {
    const before = await api('issues/?sort=freq');
    expect(before.length).toBeGreaterThanOrEqual(3);
    await collector.close();
    collector = await startCollector({ port: 0, dataDir: path.join(root, 'collector'), log: () => undefined });
    const after = await api('issues/?sort=freq');
    expect(after).toEqual(before);
  });
});
