/**
 * Finding and validating the Crashpad handler binary — at init only, never
 * at crash time: the option, then $CRASHFREE_CRASHPAD_HANDLER, then the
 * places Linux distributions install one.
 */
import { accessSync, constants, statSync } from 'node:fs';

/**
 * Where Linux distributions and common Crashpad builds put the handler:
 * Debian/Arch Chromium (chromium-common), Fedora/openSUSE (lib64), Ubuntu's
 * Chromium snap, Google Chrome's .deb/.rpm, Chrome beta/dev, and builds of
 * Crashpad itself.
 */
export const KNOWN_HANDLER_PATHS: readonly string[] = [
  '/usr/lib/chromium/chrome_crashpad_handler',
  '/usr/lib64/chromium/chrome_crashpad_handler',
  '/usr/lib/chromium-browser/chrome_crashpad_handler',
  '/usr/lib64/chromium-browser/chrome_crashpad_handler',
  '/usr/lib/chromium-browser/crashpad_handler',
  '/snap/chromium/current/usr/lib/chromium-browser/chrome_crashpad_handler',
  '/opt/google/chrome/chrome_crashpad_handler',
  '/opt/google/chrome-beta/chrome_crashpad_handler',
  '/opt/google/chrome-unstable/chrome_crashpad_handler',
  '/usr/local/bin/crashpad_handler',
  '/usr/bin/crashpad_handler',
];

/** The chosen handler, or why in-process mode is used instead. */
export type HandlerChoice = { path: string } | { path?: undefined; warning: string };

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Picks the handler. An explicitly configured path that is not an
 * executable file is a warning (and in-process mode), not a silent fallback
 * to another binary. `known` is where to look otherwise (tests and the
 * doctor pass their own).
 */
export function chooseCrashpadHandler(option: string | undefined, env: NodeJS.ProcessEnv, known: readonly string[] = KNOWN_HANDLER_PATHS): HandlerChoice {
  const explicit = option ?? (env.CRASHFREE_CRASHPAD_HANDLER || undefined);
  if (explicit !== undefined) {
    const source = option !== undefined ? 'option "crashpadHandlerPath"' : '$CRASHFREE_CRASHPAD_HANDLER';
    if (executable(explicit)) return { path: explicit };
    return { warning: `${source} is "${explicit}", which is not an executable file; native crashes will use the in-process minidump writer.` };
  }
  for (const p of known) if (executable(p)) return { path: p };
  return {
    warning: `no Crashpad handler found; native crashes will use the in-process minidump writer. For Crashpad's fuller minidumps install one (Debian: apt-get install chromium-common; Fedora: dnf install chromium; Ubuntu: snap install chromium; or any crashpad_handler build) or set crashpadHandlerPath / $CRASHFREE_CRASHPAD_HANDLER. "npx crashfree doctor" shows what this machine gets.`,
  };
}
