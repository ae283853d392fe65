import { defineConfig } from 'vitest/config';

// Each package (and test/) is a vitest project with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'test'],
  },
});
