#!/usr/bin/env node
// prepack / postpack of @crashfree/react-native: the Android build compiles
// the C crash core, which lives in native/src/core of the monorepo. A tarball
// must carry it, so prepack copies the core's sources (and sources.cmake)
// to android/src/main/cpp/core, where android/CMakeLists.txt looks first;
// postpack (--clean) removes the copy so the monorepo build keeps reading
// the one original.
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.resolve(pkg, '../../native/src/core');
const to = path.join(pkg, 'android/src/main/cpp/core');

rmSync(to, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!existsSync(path.join(from, 'sources.cmake'))) {
    process.stderr.write(`vendor-core: ${from}/sources.cmake not found; pack from the monorepo\n`);
    process.exit(1);
  }
  cpSync(from, to, { recursive: true, filter: (f) => !/\.(o|a)$/.test(f) });
}
