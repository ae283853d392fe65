import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { appEnv, events, runApp, tempDir, useCollector, waitFor } from './helpers.js';

let c: Collector;
useCollector((x) => (c = x));

interface Totals {
  exited: number;
  errored: number;
  crashed: number;
}

function aggregateTotals(release: string): Totals {
  const totals = { exited: 0, errored: 0, crashed: 0 };
  for (const item of c.items({ type: 'sessions' })) {
    const payload = item.payload as { attrs?: { release?: string }; aggregates?: Array<Partial<Totals>> };
    if (payload.attrs?.release !== release) continue;
    for (const bucket of payload.aggregates ?? []) {
      totals.exited += bucket.exited ?? 0;
      totals.errored += bucket.errored ?? 0;
      totals.crashed += bucket.crashed ?? 0;
    }
  }
  return totals;
}

async function get(base: string, path: string): Promise<number> {
  const res = await fetch(`${base}${path}`);
  await res.text();
  return res.status;
}

for (const framework of ['plain', 'express']) {
  describe(`request mode (${framework} node:http)`, () => {
    it('counts every request exactly once: ok, handled errors (sync and after await), and the one that crashed', async () => {
      const before = aggregateTotals('server@1.0.0');
      const eventsBefore = events(c).length;
      let served = 0;
      const plan = { ok: 23, handled: 4, asyncHandled: 3 };
      const result = await runApp('server.mjs', {
        env: appEnv(c, tempDir(`req-${framework}`), 'server', { FRAMEWORK: framework }),
        onLine: (line) => {
          const match = /^listening on (http:\/\/\S+)$/.exec(line);
          if (!match) return;
          const base = match[1]!;
          void (async () => {
            for (let i = 0; i < plan.ok; i++) served += (await get(base, '/ok')) === 200 ? 1 : 0;
            for (let i = 0; i < plan.handled; i++) served += (await get(base, '/handled')) === 500 ? 1 : 0;
            // Concurrent, so the request context must not leak between them.
            const statuses = await Promise.all(Array.from({ length: plan.asyncHandled }, () => get(base, '/async-handled')));
            served += statuses.filter((s) => s === 500).length;
            await fetch(`${base}/crash`).catch(() => undefined);
          })();
        },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('request crashed the process');
      expect(served).toBe(plan.ok + plan.handled + plan.asyncHandled);

      const n = served + 1; // plus the request that crashed
      const totals = await waitFor(
        () => aggregateTotals('server@1.0.0'),
        (t) => t.exited + t.errored + t.crashed - (before.exited + before.errored + before.crashed) >= n,
      );
      expect({ exited: totals.exited - before.exited, errored: totals.errored - before.errored, crashed: totals.crashed - before.crashed }).toEqual({
        exited: plan.ok,
        errored: plan.handled + plan.asyncHandled,
        crashed: 1,
      });
      const mine = events(c).slice(eventsBefore);
      expect(mine.filter((e) => e.exception?.values?.[0]?.value === 'handled in request')).toHaveLength(plan.handled);
      expect(mine.filter((e) => e.exception?.values?.[0]?.value === 'request crashed the process')).toHaveLength(1);
    });
  });
}
