import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * The per-package vitest project: tests under test/, workspace packages
 * resolved to their TypeScript source (the "source" export condition) so a
 * unit test never runs against a stale dist/. Scenario tests that spawn child
 * processes use the built dist/ through Node's normal resolution.
 */
export function crashfreeProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] } },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...extra,
    },
  });
}
