// What the repository ships and installs: a lock file `npm ci` accepts on every platform, and a package
// (`npm pack`) with the built program, the pages, the licence and no tests.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT } from "./e2e/support/beacon.js";

interface LockEntry {
  readonly optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  license: string;
  scripts: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
};

describe("package-lock.json", () => {
  test("holds every optional package of every platform, so `npm ci` takes it anywhere", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // Resolved like node: beside the dependent, or hoisted to the top.
        const nested = path === "" ? `node_modules/${name}` : `${path}/node_modules/${name}`;
        if (lock.packages[nested] === undefined && lock.packages[`node_modules/${name}`] === undefined)
          missing.push(`${path || "(root)"} → ${name}`);
      }
    }
    expect(
      missing,
      "regenerate the lock in a checkout without node_modules: npm install --package-lock-only --no-audit --no-fund",
    ).toEqual([]);
  });
});

describe("npm pack", () => {
  test("builds first, and ships the program, the pages, the licence and the changelog, without tests", () => {
    expect(pkg.scripts["prepack"]).toContain("npm run build");
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 The Beacon authors\n/,
    );
    expect(readFileSync(join(ROOT, "CHANGELOG.md"), "utf8")).toMatch(/^## Unreleased$/m);
    if (!existsSync(join(ROOT, "dist/cli/main.js")))
      throw new Error('dist/ is missing: run "npm run build" first (npm test does)');

    // --ignore-scripts: list what would ship from the dist/ this test run was built with.
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/cli/main.js",
        "dist/config/schema.js",
        "web/admin/index.html",
        "web/agent/index.html",
        "LICENSE",
        "CHANGELOG.md",
        "README.md",
        "package.json",
      ]),
    );
    expect(files.filter((f) => /\.test\.|\/testing\/|^src\/|^test\/|tsbuildinfo/.test(f))).toEqual([]);
  });
});

describe("package.json", () => {
  test("pins the AWS SDK exactly while Beacon supports Node 20 (docs/serverless.md, Node versions)", () => {
    // The SDK's releases after the first week of January 2027 require Node >= 22; a range would let a
    // fresh install on Node 20 pick one of them. Raising engines to >= 22 lifts the pin.
    const supportsNode20 = /^>=\s*20\b/.test(pkg.engines.node);
    const aws = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith("@aws-sdk/"));
    expect(aws.length).toBeGreaterThan(0);
    if (supportsNode20) {
      for (const [name, spec] of aws)
        expect(spec, `${name} must be an exact version while engines allows Node 20`).toMatch(
          /^\d+\.\d+\.\d+$/,
        );
    }
  });
});
