/*
 * The Android half cannot be built here as an app would (no NDK, no Gradle),
 * so this checks what can be checked with real tools: React Native's codegen
 * accepts the TurboModule spec, and the Android CMakeLists + JNI glue + the C
 * crash core compile for arm64 (the cross gcc with glibc instead of bionic,
 * RN's own jni.h); a harness drives the JNI functions as CrashfreeModule.java
 * does, crashes under qemu-aarch64, and the record it leaves becomes the
 * event the JS layer sends.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeCrashToExternal } from '../src/native/native-crash.js';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(pkg, 'package.json'));
const rnDir = path.dirname(require.resolve('react-native/package.json'));
const rnRequire = createRequire(path.join(rnDir, 'package.json'));

function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('Android native module', () => {
  it('React Native codegen accepts the TurboModule spec', () => {
    const { TypeScriptParser } = rnRequire('@react-native/codegen/lib/parsers/typescript/parser');
    const schema = new TypeScriptParser().parseFile(path.join(pkg, 'src/native/NativeCrashfree.ts'));
    const module = schema.modules.NativeCrashfree;
    expect(module.type).toBe('NativeModule');
    expect(module.moduleName).toBe('Crashfree');
    expect(module.spec.methods.map((m: { name: string }) => m.name)).toEqual(['install', 'getPendingCrashes', 'markDelivered', 'setAnnotations', 'setItemSync', 'removeItemSync', 'getItemsSync']);
    // The start-marker methods are synchronous (no Promise): codegen makes them blocking methods.
    const returns = Object.fromEntries(module.spec.methods.map((m: any) => [m.name, m.typeAnnotation.typeAnnotation?.returnTypeAnnotation?.type ?? m.typeAnnotation.returnTypeAnnotation?.type]));
    expect(returns.setItemSync).not.toBe('PromiseTypeAnnotation');
    expect(returns.getItemsSync).not.toBe('PromiseTypeAnnotation');
    expect(returns.install).toBe('PromiseTypeAnnotation');
  });

  it('the JNI glue and the C core build for arm64, and a crash leaves a record the JS layer turns into the event', async () => {
    const build = mkdtempSync(path.join(tmpdir(), 'cf-android-'));
    const jniInclude = path.join(rnDir, 'ReactAndroid/src/main/jni/first-party/jni-hack');
    const flags = `-I${jniInclude} -Werror`;
    const configure = await run('cmake', [
      '-S', path.join(pkg, 'android'), '-B', build,
      '-DANDROID_ABI=arm64-v8a', '-DCMAKE_SYSTEM_NAME=Linux', '-DCMAKE_SYSTEM_PROCESSOR=aarch64',
      '-DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc', `-DCMAKE_C_FLAGS=${flags}`,
    ]);
    expect(configure.code, configure.stderr).toBe(0);
    const compile = await run('cmake', ['--build', build, '-j2']);
    expect(compile.code, compile.stdout + compile.stderr).toBe(0);
    const harness = path.join(build, 'jni_harness');
    const link = await run('aarch64-linux-gnu-gcc', [
      '-Wall', '-Wextra', '-Werror', `-I${jniInclude}`, '-o', harness, path.join(pkg, 'test/android/jni_harness.c'),
      `-L${build}`, '-lcrashfree_rn', '-Wl,-rpath,$ORIGIN',
    ]);
    expect(link.code, link.stderr).toBe(0);

    const files = mkdtempSync(path.join(tmpdir(), 'cf-android-files-'));
    const sid = 'a'.repeat(32);
    const crashed = await run('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', harness, files, sid], build);
    expect(crashed.stdout).toContain('install=[]');
    expect(crashed.code).not.toBe(0);

    const record = readFileSync(path.join(files, 'launch-1.rec'), 'utf8');
    const minidump = readFileSync(path.join(files, 'launch-1.dmp'));
    expect(minidump.subarray(0, 4).toString('latin1')).toBe('MDMP');
    const delivered: string[] = [];
    const crash = nativeCrashToExternal(
      { id: 'launch-1.rec', record, minidumpBase64: minidump.toString('base64') },
      async (id) => void delivered.push(id),
    );
    expect(crash?.sid).toBe(sid);
    expect(crash?.event.exception?.values?.[0]).toMatchObject({ type: 'SIGSEGV', value: 'Segmentation fault at 0x10' });
    expect(crash?.event.release).toBe('app@2.0.0+7');
    expect(crash?.event.contexts?.native_crash).toMatchObject({ 'annotation.screen': 'checkout', mode: 'inprocess' });
    expect((crash?.attachments?.[0]?.data as Uint8Array).length).toBe(minidump.length);
    await crash?.onDelivered?.();
    expect(delivered).toEqual(['launch-1.rec']);
    rmSync(build, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  }, 180_000);
});
