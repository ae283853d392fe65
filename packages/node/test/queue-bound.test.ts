// The queue never evicts the ratio: runs of a real app on one data dir, with
// a small queue bound (queue.maxCount 4), against a backend that is down,
// then slow (a loopback proxy delaying every answer) and restarted under a
// running app (the real collector stopped and started on its data dir), some
// runs SIGKILLed right after capturing. Then one launch with the backend up.
// Every session must arrive (one init, its true end); events overflow, and
// the client reports count exactly the events that never arrived, no more.
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { collector, events, removeTempDirs, runApp, sessions, tempDir, waitFor } from './helpers.js';

type Mode = 'down' | 'slow' | 'up';

/** A loopback proxy in front of the current collector: `down` cuts connections, `slow` answers after `delayMs`. */
async function flakyProxy(target: () => Collector, delayMs: number) {
  let mode: Mode = 'down';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'down') return void req.socket.destroy();
      const forward = () =>
        fetch(`${target().url}${req.url ?? '/'}`, { method: 'POST', headers: { 'content-type': 'application/x-sentry-envelope' }, body: Buffer.concat(chunks) }).then(
          async (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()),
          () => req.socket.destroy(),
        );
      if (mode === 'slow') setTimeout(() => void forward(), delayMs);
      else void forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    setMode: (m: Mode) => void (mode = m),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

let c: Collector;
let collectorDir: string;
let proxy: Awaited<ReturnType<typeof flakyProxy>>;
beforeAll(async () => {
  collectorDir = tempDir('queue-bound-collector');
  c = await collector(0, collectorDir);
  proxy = await flakyProxy(() => c, 150);
});
afterAll(async () => {
  await proxy.close();
  await c.close();
  removeTempDirs();
});

/** The collector's DSN with the proxy's port. */
const dsn = (): string => {
  const u = new URL(c.dsn);
  u.port = String(proxy.port);
  return u.toString().replace(/\/$/, '');
};

interface Run {
  sid: string;
  ids: string[];
  killed: boolean;
}

async function burst(dataDir: string, errors: number, killed: boolean): Promise<Run> {
  let sid = '';
  let ids: string[] = [];
  const result = await runApp('capture-kill.mjs', {
    env: { CRASHFREE_DSN: dsn(), CF_DATA_DIR: dataDir, SCENARIO: 'burst', CF_ERRORS: String(errors), CF_QUEUE_MAX: '4', ...(killed && { CF_KILL: '1' }) },
    onLine: (line) => {
      const m = /^sid (\S+) events (\S+)$/.exec(line);
      if (m) [sid, ids] = [m[1]!, m[2]!.split(',')];
    },
  });
  expect(result.signal ?? result.code, result.stderr).toBe(killed ? 'SIGKILL' : 0);
  expect(sid).toMatch(/^[0-9a-f]{32}$/);
  return { sid, ids, killed };
}

describe('the queue bound under a slow, restarting collector', () => {
  it('every session arrives once with its end; events overflow and client reports count exactly what never arrived', async () => {
    const dataDir = tempDir('queue-bound');
    const runs: Run[] = [];
    // Down: eight runs pile up in the queue (twice as many sessions as the bound), two of them SIGKILLed.
    proxy.setMode('down');
    for (let i = 0; i < 8; i++) runs.push(await burst(dataDir, 3 + (i % 4), i === 2 || i === 5));
    // Slow, and the collector restarts while a run is sending.
    proxy.setMode('slow');
    for (let i = 0; i < 3; i++) {
      const running = burst(dataDir, 4, false);
      await new Promise((r) => setTimeout(r, 100));
      await c.close();
      c = await collector(0, collectorDir);
      runs.push(await running);
    }
    // Up: the next launch delivers what is left.
    proxy.setMode('up');
    const last = await runApp('capture-kill.mjs', { env: { CRASHFREE_DSN: dsn(), CF_DATA_DIR: dataDir, SCENARIO: 'relaunch', CF_QUEUE_MAX: '4' } });
    expect(last.code, last.stderr).toBe(0);

    const captured = runs.flatMap((r) => r.ids);
    const ended = (sid: string) => sessions(c, sid).some((u) => u.status !== 'ok');
    await waitFor(() => runs.every((r) => ended(r.sid)), Boolean, 15_000);

    // Every session: one init, and the end it really had.
    const got = runs.map((r) => {
      const updates = sessions(c, r.sid);
      return { inits: updates.filter((u) => u.init === true).length, end: updates.find((u) => u.status !== 'ok')?.status };
    });
    expect(got).toEqual(runs.map((r) => ({ inits: 1, end: r.killed ? 'abnormal' : 'exited' })));

    // Events: what arrived plus what the client reports say was dropped is what was captured, exactly.
    const delivered = new Set(events(c).map((e) => e.event_id as string));
    const arrived = captured.filter((id) => delivered.has(id)).length;
    const dropped: Record<string, number> = {};
    for (const item of c.items({ type: 'client_report' })) {
      for (const d of (item.payload as { discarded_events?: Array<{ reason: string; category: string; quantity: number }> }).discarded_events ?? []) {
        dropped[`${d.reason}:${d.category}`] = (dropped[`${d.reason}:${d.category}`] ?? 0) + d.quantity;
      }
    }
    expect(arrived).toBeLessThan(captured.length); // the bound did bite
    expect(dropped).toEqual({ 'queue_overflow:error': captured.length - arrived });
  });
});
