import { crashfreeProject } from '../vitest.shared.ts';

// Cross-package tests crash real processes and drive real Chromium: give
// them room, and run files one at a time so two cores are not oversubscribed.
export default crashfreeProject('cross-package', {
  include: ['**/*.test.ts'],
  exclude: ['**/node_modules/**'],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  fileParallelism: false,
});
