import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['contracts/**/*.test.ts', 'node/**/*.test.ts', 'server/**/*.test.ts', 'app/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
