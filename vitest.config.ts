import { defineConfig } from 'vitest/config';

/**
 * Files that drive Chromium over WebRTC or capture and compose media: CPU-hungry and timing-sensitive, so they
 * run one at a time, after the rest. Everything else spends its time waiting (servers, restarts, long-polls)
 * and runs two files at a time (OPENVC_TEST_WORKERS to change it); each file has its own temp dir or
 * PostgreSQL schema, so files never share data.
 */
const MEDIA = ['test/**/*browser*.test.ts', 'test/media-*.test.ts', 'test/recording-{api,load,player,restart}.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'api', include: ['test/**/*.test.ts'], exclude: MEDIA, maxWorkers: Number(process.env.OPENVC_TEST_WORKERS) || 2, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'media', include: MEDIA, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
