import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ (only what changed): the tests that spawn processes run the compiled service.
    globalSetup: ["test/global-setup.ts"],
    // Kills any child process a test file left running.
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: files run in parallel forks, each with its own queue prefix in the shared Redis.
    pool: "forks",
    maxWorkers: 2,
  },
});
