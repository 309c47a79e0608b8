import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One PostgreSQL (with a migrated template) and one Redis for the whole run.
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/setup.ts"],
    // The CI script counts passed/failed tests from the JSON report.
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
    testTimeout: 20_000,
    // Opening a fresh embedded database (PGlite's initdb) takes several seconds on a small machine.
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
