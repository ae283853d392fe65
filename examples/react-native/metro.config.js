// Monorepo-aware Metro config: the workspace root's node_modules (pnpm's
// symlinked store) is watched so workspace packages and their deps resolve.
const path = require('node:path');
const { getDefaultConfig, mergeConfig } = require('@react-native/metro-config');

const root = path.resolve(__dirname, '../..');
module.exports = mergeConfig(getDefaultConfig(__dirname), {
  watchFolders: [root],
  resolver: { nodeModulesPaths: [path.join(__dirname, 'node_modules'), path.join(root, 'node_modules')] },
});
