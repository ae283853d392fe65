// A scenario app for durable captures: once its session is delivered, it
// captures CF_ERRORS handled errors, prints their event ids, and SIGKILLs
// itself CF_KILL_MS ms later, either spinning (no event-loop turn at all:
// CF_KILL_HOW=spin) or on a timer (the loop runs meanwhile: CF_KILL_HOW=timer).
// SCENARIO=relaunch is the next launch on the same data dir: it recovers,
// delivers and closes. SCENARIO=burst captures CF_ERRORS errors and ends
// (or is SIGKILLed with CF_KILL=1), with the queue bound CF_QUEUE_MAX.
import * as Crashfree from '@crashfree/node';

const client = Crashfree.init({
  release: process.env.CF_RELEASE ?? 'capture-kill@1.0.0',
  dataDir: process.env.CF_DATA_DIR,
  anrThresholdMs: 0,
  shutdownTimeoutMs: 2000,
  // Every captured event is kept by the policy: what the queue drops is all that is not delivered.
  fingerprintBudget: 1_000_000,
  spikeLimitPerMinute: 1_000_000,
  ...(process.env.CF_QUEUE_MAX && { queue: { maxCount: Number(process.env.CF_QUEUE_MAX) } }),
});

const waitForSession = async () => {
  for (let i = 0; i < 500 && !client.getSessionId(); i++) await new Promise((r) => setTimeout(r, 10));
};

if (process.env.SCENARIO === 'relaunch') {
  await waitForSession();
  await client.flush(10_000);
  await client.close(10_000);
} else if (process.env.SCENARIO === 'burst') {
  // A run against a backend that may be down or slow: captures, then ends (CF_KILL=1: SIGKILLed at once instead).
  await waitForSession();
  const ids = [];
  for (let i = 0; i < Number(process.env.CF_ERRORS ?? 1); i++) ids.push(Crashfree.captureException(new Error(`burst ${i}`)));
  process.stdout.write(`sid ${client.getSessionId()} events ${ids.join(',')}\n`);
  if (process.env.CF_KILL === '1') process.kill(process.pid, 'SIGKILL');
  await client.close(Number(process.env.CF_CLOSE_MS ?? 300));
} else {
  await waitForSession();
  // The session (and its init) reached the collector: what follows is only about the captures.
  await client.flush(10_000);
  const ids = [];
  for (let i = 0; i < Number(process.env.CF_ERRORS ?? 1); i++) ids.push(Crashfree.captureException(new Error(`handled ${i}`)));
  process.stdout.write(`sid ${client.getSessionId()} events ${ids.join(',')}\n`);
  const ms = Number(process.env.CF_KILL_MS ?? 0);
  const kill = () => process.kill(process.pid, 'SIGKILL');
  if (ms === 0) kill();
  else if (process.env.CF_KILL_HOW === 'spin') {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // no event-loop turn on purpose: a process dying while busy
    }
    kill();
  } else setTimeout(kill, ms);
  setInterval(() => undefined, 1000);
}
