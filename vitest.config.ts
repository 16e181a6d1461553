import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests share one Docker engine on a 2-core machine: run files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
    projects: [
      // No engine, no network: `npm run test:unit` runs only these.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // A real engine, the real SAM CLI and the real emulator; scripts/test.sh sets them up.
      { extends: true, test: { name: 'engine', include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'], globalSetup: ['test/setup/engine.ts'] } },
      // The same storm, sync and conflict suites through chokidar, the watcher Windows and macOS users run
      // (on Linux dsync uses its own inotify folder watcher unless DSYNC_WATCHER=chokidar).
      {
        extends: true,
        test: {
          name: 'chokidar',
          include: ['test/e2e/storm.test.ts', 'test/integration/sync.test.ts', 'test/integration/conflicts.test.ts'],
          globalSetup: ['test/setup/engine.ts'],
          env: { DSYNC_WATCHER: 'chokidar' },
        },
      },
      // The Windows tier's smoke (the CLI as node.exe under Wine): only through `npm run test:windows`.
      ...(process.env.DSYNC_WINDOWS_TIER
        ? [{ extends: true as const, test: { name: 'windows', include: ['test/windows/**/*.test.ts'], globalSetup: ['test/setup/engine.ts'], testTimeout: 600_000 } }]
        : []),
    ],
  },
});
