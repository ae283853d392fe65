import type { Collector } from '@crashfree/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeCrashfreeSpec, NativePendingCrash } from '../src/index.js';
import { collector, device, events, eventually, sessionUpdates } from './helpers.js';
import { registerTurboModule } from './shim/react-native.js';

let c: Collector;
beforeAll(async () => {
  c = await collector();
});
afterAll(async () => {
  await c.close();
});

/** A TurboModule with pending records, as the Android module reports them from the app's files dir. */
function nativeModule(pending: NativePendingCrash[]) {
  const calls = { delivered: [] as string[], installed: [] as unknown[], annotations: [] as Record<string, string>[] };
  const module: NativeCrashfreeSpec = {
    install: async (o) => {
      calls.installed.push(o);
      return '';
    },
    getPendingCrashes: async () => pending.filter((p) => !calls.delivered.includes(p.id)),
    markDelivered: async (id) => void calls.delivered.push(id),
    setAnnotations: (a) => void calls.annotations.push(a),
  };
  return { module, calls };
}

describe('native crash bridge', () => {
  it('turns a previous launch native crash into a crashed session with its event and minidump, then marks it delivered', async () => {
    const d = device(c);
    const first = d.launch();
    await first.sdk.ready;
    const sid = first.sdk.client!.getSessionId()!;
    await eventually(() => sessionUpdates(c).some((u) => u.sid === sid), 'init update');
    first.kill();

    const minidump = Buffer.from('MDMP\x93\xa7fake-but-bytes').toString('base64');
    // The format native/src/core/record.c writes from the signal handler.
    const record = [
      'crashfree_record=1',
      'signal=11',
      'signal_name=SIGSEGV',
      'code=1',
      'fault_address=0x0000000000000010',
      `time_ms=${Date.now()}`,
      'mode=inprocess',
      'release=app@1.0.0+1',
      `sid=${sid}`,
      'module_path=/data/app/lib/arm64/libapp.so',
      '',
    ].join('\n');
    const { module, calls } = nativeModule([
      { id: 'crash-1.rec', record, minidumpBase64: minidump },
      { id: 'torn.rec', record: 'sig' },
    ]);
    const second = d.launch();
    registerTurboModule('Crashfree', module);
    const ready = await second.sdk.ready;
    expect(ready.nativeStatus).toBe('');
    expect(ready.recovery.crashed).toBe(1);
    const event = await eventually(() => events(c).find((e) => e.exception?.values?.[0]?.type === 'SIGSEGV'), 'native event');
    expect(event.exception.values[0]).toMatchObject({
      value: 'Segmentation fault at 0x0000000000000010',
      mechanism: { type: 'signalhandler', handled: false },
    });
    expect(event.level).toBe('fatal');
    expect(event.tags).toMatchObject({ 'native.module': 'libapp.so' });
    const dump = c.items({ type: 'attachment' }).find((i) => i.envelopeHeaders.event_id === event.event_id);
    expect(dump?.attachment).toMatchObject({ attachmentType: 'event.minidump', size: Buffer.from(minidump, 'base64').length });
    await eventually(() => sessionUpdates(c).some((u) => u.sid === sid && u.status === 'crashed'), 'crashed update');
    await eventually(() => calls.delivered.includes('crash-1.rec'), 'markDelivered');
    // The unreadable record is dropped so it cannot block later launches.
    expect(calls.delivered).toContain('torn.rec');
    expect(calls.installed).toEqual([expect.objectContaining({ release: 'app@1.0.0+1', sessionId: second.sdk.client!.getSessionId() })]);
    // A new session (back after a long background period) is stamped into the handler's memory.
    const { setAppState } = await import('./shim/react-native.js');
    second.sdk.client!.endSession();
    setAppState('background');
    setAppState('active');
    expect(calls.annotations.at(-1)).toEqual({ sid: second.sdk.client!.getSessionId() });
    await second.sdk.close(2000);
  });
});
