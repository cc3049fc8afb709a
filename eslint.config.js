// Type-aware lint: floating promises and unsafe any are errors, because network code that drops a
// promise loses updates silently.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { floorsPlugin } from "./eslint/floors.js";

export default tseslint.config(
  // deploy/: the AWS CDK app, type-checked with its own node_modules (deploy/aws/test/stack.test.ts).
  { ignores: ["dist/", "dist-lambda/", "node_modules/", "data/", "coverage/", "bench/out/", "deploy/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    // Every import in src/ points down the floors (eslint/floors.js, docs/architecture.md).
    files: ["src/**/*.ts"],
    plugins: { beacon: floorsPlugin },
    rules: { "beacon/floors": "error" },
  },
  {
    // The ground floor and the pure DNS engine run anywhere (a browser, a Lambda, a worker): no Node
    // module, no SDK. tsconfig.pure.json also compiles them without Node's globals (Buffer, process).
    files: [
      "src/core/**/*.ts",
      "src/dns/answer/**/*.ts",
      "src/dns/wire/**/*.ts",
      // The health-checked pools' rules (issue 16).
      "src/services/health/state.ts",
      "src/services/health/quorum.ts",
      "src/services/health/ttl.ts",
      "src/services/health/fastest.ts",
      "src/services/health/steering.ts",
      "src/services/health/pool-spec.ts",
    ],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "better-sqlite3", "kysely", "pino", "@aws-sdk/*", "hono", "hono/*"],
              message: "the pure layers import no runtime (docs/architecture.md)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly" },
    },
  },
  {
    // The pages: plain ES modules served as written (no build step), type-checked by web/tsconfig.json.
    files: ["web/**/*.js"],
    languageOptions: {
      globals: {
        window: "readonly",
        document: "readonly",
        location: "readonly",
        history: "readonly",
        navigator: "readonly",
        fetch: "readonly",
        console: "readonly",
        URL: "readonly",
        URLSearchParams: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Event: "readonly",
        HTMLElement: "readonly",
        Node: "readonly",
        Headers: "readonly",
        Response: "readonly",
        Intl: "readonly",
      },
    },
  },
);
