import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // deploy/: the AWS CDK app (own node_modules; its tests skip loudly without them).
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "deploy/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
