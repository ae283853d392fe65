// Builds Metro bundles the way an app's release build does (RN's Metro
// config and babel preset, production, minified, with a source map), for the
// Hermes end-to-end test and the bundle-size benchmark. With `host: true`,
// `react-native` and AsyncStorage resolve to the harness host modules and the
// host polyfill runs first: the Hermes CLI has no native runtime.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const repoRoot = path.resolve(here, '../../../..');
/** The example app (Metro's project root: its babel.config.js applies). */
export const exampleRoot = path.join(repoRoot, 'examples/react-native');
const require = createRequire(path.join(exampleRoot, 'package.json'));

const HOST_MODULES = {
  'react-native': path.join(here, 'host/react-native.js'),
  '@react-native-async-storage/async-storage': path.join(here, 'host/async-storage.js'),
};

/**
 * Bundles `entry` into `{ code, map }` (map is a JSON string). `host` swaps
 * in the Hermes harness' platform modules.
 */
export async function bundle({ entry, host = false, minify = true, dev = false, cacheDir }) {
  const Metro = require('metro');
  // A file cache (benchmarks bundle several entries sharing RN's modules); tests start cold.
  const { FileStore } = createRequire(require.resolve('metro'))('metro-cache');
  const { getDefaultConfig, mergeConfig } = require('@react-native/metro-config');
  const base = getDefaultConfig(exampleRoot);
  const rnPolyfills = base.serializer.getPolyfills({ platform: 'android' });
  const config = mergeConfig(base, {
    projectRoot: exampleRoot,
    // Only what the bundle can contain: other packages' test output never
    // enters Metro's crawl (the SDK's Metro build already includes the core).
    watchFolders: [path.join(repoRoot, 'node_modules'), path.join(repoRoot, 'packages/react-native'), exampleRoot],
    cacheStores: cacheDir ? [new FileStore({ root: cacheDir })] : [],
    resetCache: !cacheDir,
    reporter: { update() {} },
    resolver: {
      nodeModulesPaths: [path.join(exampleRoot, 'node_modules'), path.join(repoRoot, 'node_modules')],
      blockList: [/\/\.git\//, /\/native\/build\//, /\/test-results\//],
      resolveRequest: host
        ? (context, moduleName, platform) => {
            const target = HOST_MODULES[moduleName];
            if (target) return { type: 'sourceFile', filePath: target };
            return context.resolveRequest(context, moduleName, platform);
          }
        : undefined,
    },
    serializer: {
      getPolyfills: () => (host ? [path.join(here, 'host/polyfill.js'), ...rnPolyfills] : rnPolyfills),
    },
  });
  const result = await Metro.runBuild(config, {
    entry: path.resolve(entry),
    dev,
    minify,
    platform: 'android',
    sourceMap: true,
    // A URL keeps the map out of the bundle (without one Metro inlines it).
    sourceMapUrl: 'index.bundle.map',
    // Plain JS for the Hermes CLI (which compiles source itself), down-levelled
    // by RN's babel preset: Hermes 0.12 predates classes and other ES2015+.
    unstable_transformProfile: 'default',
  });
  return { code: result.code, map: result.map };
}
