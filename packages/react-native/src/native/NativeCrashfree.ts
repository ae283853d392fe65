import type { TurboModule } from 'react-native';
import { TurboModuleRegistry } from 'react-native';

/**
 * One native crash found on disk by the native module: the crash record the
 * C core's signal handler wrote (`key=value` lines) and, when one was
 * written, the minidump as base64.
 */
export type NativePendingCrash = {
  /** Opaque id for `markDelivered` (the record's file name). */
  id: string;
  /** The record file's text, `key=value` per line. */
  record: string;
  /** The minidump bytes, base64-encoded; absent when none was written. */
  minidumpBase64?: string;
};

/**
 * The TurboModule spec of the native crash module (read by React Native's
 * codegen: the file name, `Spec` and the default export follow its rules).
 */
export interface Spec extends TurboModule {
  /**
   * Installs the C core's signal handlers with records and minidumps in the
   * app's files dir. Resolves to '' when installed, else the reason capture
   * is off.
   */
  install(options: { release: string; environment: string; sdk: string; sessionId: string }): Promise<string>;
  /** Crash records of previous launches not yet delivered. */
  getPendingCrashes(): Promise<NativePendingCrash[]>;
  /** Deletes a delivered crash's record and minidump. */
  markDelivered(id: string): Promise<void>;
  /** Writes annotations (and the session id under `sid`) into the memory the signal handler reads. */
  setAnnotations(annotations: { [key: string]: string }): void;
  /**
   * Blocking (a synchronous TurboModule method): writes `value` to the file
   * of `key` under files/crashfree/kv/ (temp file + rename) before it
   * returns, so the record survives the app being killed right after. For
   * the session start marker (`withSyncMarkers`); page cache, not fsync:
   * it survives the process, not a power cut.
   */
  setItemSync(key: string, value: string): void;
  /** Blocking: removes the file of `key` (absent is fine). */
  removeItemSync(key: string): void;
  /** Blocking: every record under files/crashfree/kv/, by key. */
  getItemsSync(): { [key: string]: string };
}

export default TurboModuleRegistry.get<Spec>('Crashfree');
