import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // A guard against hangs, not a speed check: property runs (10^4 streams) and the tests
          // that spawn the CLI take 2-5 s alone on 2 cores and several times that on a busy machine.
          testTimeout: 60_000,
          // Hooks too: the pipeline tests' beforeAll replays the fixture (a reading thread starts)
          // and took over vitest's 10 s at load 20.
          hookTimeout: 60_000,
          include: ['test/unit/**/*.test.ts', 'test/types/**/*.test.ts', 'rules/**/*.test.ts', 'test/docs/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
