import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file gets its own process: the SES emulator keeps one inbox per process.
    pool: "forks",
    setupFiles: ["tests/setup.ts"],
    // Compiles content/ and the emails (.build/course.json) once, before the test files.
    globalSetup: ["tests/global-setup.ts"],
  },
});
