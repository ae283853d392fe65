/**
 * Node's `--unhandled-rejections` modes, and what Node itself would print and
 * do for each, so the SDK can listen to `unhandledRejection` (which by itself
 * changes Node's behaviour) and still behave as Node would without it.
 */
import { inspect } from 'node:util';

/** The modes of `--unhandled-rejections` (Node's default is `throw`). */
export type UnhandledRejectionMode = 'throw' | 'strict' | 'warn' | 'none' | 'warn-with-error-code';

const MODES: readonly UnhandledRejectionMode[] = ['throw', 'strict', 'warn', 'none', 'warn-with-error-code'];

/** The mode this process runs with, from `execArgv`, then `NODE_OPTIONS` (Node reads both; the command line wins). */
export function unhandledRejectionMode(execArgv: readonly string[], nodeOptions: string | undefined): UnhandledRejectionMode {
  const fromArgs = (args: readonly string[]): UnhandledRejectionMode | undefined => {
    let found: UnhandledRejectionMode | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      let value: string | undefined;
      if (arg.startsWith('--unhandled-rejections=')) value = arg.slice('--unhandled-rejections='.length);
      else if (arg === '--unhandled-rejections') value = args[i + 1];
      if (value && (MODES as readonly string[]).includes(value)) found = value as UnhandledRejectionMode;
    }
    return found;
  };
  return fromArgs(execArgv) ?? fromArgs((nodeOptions ?? '').split(/\s+/).filter(Boolean)) ?? 'throw';
}

/**
 * What Node raises for a rejection in `throw` mode: the reason itself when it
 * is an Error, else an `ERR_UNHANDLED_REJECTION` error quoting the reason.
 */
export function rejectionAsError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  const error = new Error(
    'This error originated either by throwing inside of an async function without a catch block, ' +
      `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${describeReason(reason)}".`,
  );
  error.name = 'UnhandledPromiseRejection';
  (error as NodeJS.ErrnoException).code = 'ERR_UNHANDLED_REJECTION';
  return error;
}

/** The reason as Node quotes it: primitives as they are, objects inspected (Node prints `#<Object>`, which helps nobody). */
function describeReason(reason: unknown): string {
  return typeof reason === 'object' && reason !== null ? inspect(reason, { depth: 1, breakLength: Infinity }) : String(reason);
}

/** The text Node prints to stderr for a fatal uncaught error, ending with its version line. */
export function fatalErrorText(error: unknown): string {
  return `${inspect(error)}\n\nNode.js ${process.version}\n`;
}
