// Used by the jest cross-check only (Metro bundles use the app's own config).
module.exports = { presets: ['module:@react-native/babel-preset'] };
