#!/usr/bin/env node
// Every package's `prepublishOnly`: a plain `npm publish` (or `pnpm publish`)
// from a package directory would publish a manifest with `workspace:*`
// ranges, no prebuilt native binaries and unchecked contents. Publishing goes
// through scripts/publish.mjs, which packs with pnpm (replacing `workspace:*`
// with versions), checks each tarball and publishes the tarballs themselves.
if (process.env.CRASHFREE_PUBLISH !== '1') {
  const name = process.env.npm_package_name ?? 'this package';
  process.stderr.write(
    `\n${name}: do not publish from a package directory (workspace:* ranges would be published as they are, without prebuilt binaries).\n` +
      'Publish every package from the repository root with: node scripts/publish.mjs [--dry-run] [--tag next]\n\n',
  );
  process.exit(1);
}
