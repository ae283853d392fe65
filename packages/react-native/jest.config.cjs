// The jest cross-check: the SDK under React Native's own jest preset (RN's
// AppState mock, its real error-guard polyfill, its babel preset). pnpm keeps
// packages under node_modules/.pnpm/<name>@<version>/node_modules/<name>, so
// the ignore pattern lets babel transform RN's Flow sources at either depth.
// @sentry/core resolves to ESM under the preset's `react-native` export condition.
const transformed = ['react-native', '@react-native', '@react-native-async-storage', '@sentry', 'merge-options', 'is-plain-obj'];
module.exports = {
  preset: 'react-native',
  rootDir: __dirname,
  roots: ['<rootDir>/jest'],
  testMatch: ['**/*.test.ts'],
  transformIgnorePatterns: [`node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(${transformed.join('|')})/)`],
  // The sources import siblings as `./x.js` (NodeNext); jest resolves the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
};
