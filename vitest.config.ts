import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    // '*.test.ts': tests of the root files Next.js loads by name (instrumentation.ts), beside them.
    include: ['*.test.ts', 'bin/**/*.test.ts', 'server/**/*.test.ts', 'db/**/*.test.ts', 'policies/**/*.test.ts', 'scripts/**/*.test.ts', 'components/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
  },
});
