/**
 * A minimal envelope sender for the release-health tests: session updates
 * and aggregates sent over real loopback HTTP to a real collector, exactly as
 * an SDK transport would (envelope body, X-Sentry-Auth with the DSN's key).
 */
export interface SessionSpec {
  sid: string;
  did?: string;
  release: string;
  environment?: string;
  end: 'exited' | 'crashed' | 'abnormal' | 'ok';
  errors?: number;
  started?: Date;
}

/** Session items (init, then the terminal update unless it never ends) for a spec. */
export function sessionItems(s: SessionSpec): object[] {
  const started = (s.started ?? new Date()).toISOString();
  const attrs = { release: s.release, environment: s.environment ?? 'production' };
  const base = { sid: s.sid, did: s.did, started, attrs, timestamp: started };
  const init = { ...base, init: true, seq: 0, status: 'ok', errors: 0 };
  if (s.end === 'ok') return [init];
  return [init, { ...base, seq: 1, status: s.end, errors: s.errors ?? 0, duration: 1 }];
}

/** Serialises items of one type into an envelope body. */
export function envelope(type: string, payloads: object[], sdkName = 'crashfree.node'): string {
  const lines = [JSON.stringify({ sent_at: new Date().toISOString(), sdk: { name: sdkName, version: '0.1.0' } })];
  for (const p of payloads) lines.push(JSON.stringify({ type }), JSON.stringify(p));
  return `${lines.join('\n')}\n`;
}

/** POSTs an envelope to the collector of `dsn`; throws unless it is accepted. */
export async function sendEnvelope(dsn: string, body: string): Promise<void> {
  const u = new URL(dsn);
  const project = u.pathname.replace(/^\//, '');
  const res = await fetch(`${u.protocol}//${u.host}/api/${project}/envelope/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-sentry-envelope',
      'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${u.username}, sentry_client=crashfree-tests/0.1.0`,
    },
    body,
  });
  if (res.status !== 200) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
}

/** Sends every spec's session updates in envelopes of at most `batch` items. */
export async function sendSessions(dsn: string, specs: SessionSpec[], sdkName = 'crashfree.node', batch = 500): Promise<void> {
  const items = specs.flatMap(sessionItems);
  for (let i = 0; i < items.length; i += batch) await sendEnvelope(dsn, envelope('session', items.slice(i, i + batch), sdkName));
}

/** `total` sessions of a release, the first `crashed` of which crash, one user each. */
export function population(release: string, total: number, crashed: number, prefix = release): SessionSpec[] {
  return Array.from({ length: total }, (_, i) => ({
    sid: `${prefix}-${i}`,
    did: `${prefix}-user-${i}`,
    release,
    end: i < crashed ? 'crashed' : 'exited',
  }));
}
