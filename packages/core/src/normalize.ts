/**
 * Bounds user data (`extra`, `contexts`, `user`, breadcrumb data) before it
 * is sent, with the markers Sentry's SDKs use so the backend shows them the
 * same way: deeper than `depth` becomes `[Object]` / `[Array]` / `[ClassName]`,
 * a cycle `[Circular ~]`, properties past `breadth` `[MaxProperties ~]`,
 * functions `[Function: name]`, non-finite numbers `[NaN]`, symbols and
 * bigints their text. Errors keep name, message and stack. Never throws.
 */
export function normalize(input: unknown, depth = 100, breadth = Infinity): unknown {
  const path = new Set<object>();
  const visit = (value: unknown, left: number): unknown => {
    if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : `[${value}]`;
    if (typeof value === 'function') return `[Function: ${value.name || '<anonymous>'}]`;
    if (typeof value !== 'object') return typeof value === 'bigint' ? `[BigInt: ${value}]` : `[${String(value)}]`;
    if (left <= 0) return `[${Object.getPrototypeOf(value)?.constructor?.name ?? 'null prototype'}]`;
    if (path.has(value)) return '[Circular ~]';
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') {
      try {
        return visit(withJson.toJSON(), left - 1);
      } catch {
        // Fall through to the object's own properties.
      }
    }
    path.add(value);
    const source: Record<string, unknown> = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack, ...(value as object) } : (value as Record<string, unknown>);
    const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    let n = 0;
    for (const key in source) {
      if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
      if (n++ >= breadth) {
        (out as Record<string, unknown>)[key] = '[MaxProperties ~]';
        break;
      }
      (out as Record<string, unknown>)[key] = visit(source[key], left - 1);
    }
    path.delete(value);
    return out;
  };
  try {
    return visit(input, depth);
  } catch (e) {
    return { ERROR: `**non-serializable** (${String(e)})` };
  }
}
