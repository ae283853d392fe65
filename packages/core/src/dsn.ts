import type { DsnComponents } from '@sentry/core';

/**
 * Parses a DSN (`https://KEY@host[:port][/path]/PROJECT`) into its parts, or
 * undefined when it is not one (`validateOptions` refuses those with a message).
 */
export function parseDsn(dsn: string): DsnComponents | undefined {
  const m = /^(https?):\/\/([^:@/]+)(?::([^@/]*))?@([^:/]+)(?::(\d+))?\/(?:(.*)\/)?(\d+)$/.exec(dsn);
  if (!m) return undefined;
  const [, protocol, publicKey, pass = '', host, port = '', path = '', projectId] = m;
  return { protocol: protocol as 'http' | 'https', publicKey: publicKey!, pass, host: host!, port, path, projectId: projectId! };
}

/**
 * The envelope endpoint for `dsn` with the key in the query string (no auth
 * header, so a browser POST stays a CORS simple request), or `tunnel` when set.
 */
export function envelopeUrl(dsn: DsnComponents, tunnel: string | undefined, sdk: { name: string; version: string }): string {
  if (tunnel) return tunnel;
  const base = `${dsn.protocol}://${dsn.host}${dsn.port ? `:${dsn.port}` : ''}${dsn.path ? `/${dsn.path}` : ''}`;
  const query = `sentry_version=7&sentry_key=${encodeURIComponent(dsn.publicKey ?? '')}&sentry_client=${encodeURIComponent(`${sdk.name}/${sdk.version}`)}`;
  return `${base}/api/${dsn.projectId}/envelope/?${query}`;
}
