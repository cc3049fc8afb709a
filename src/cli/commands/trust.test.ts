// `beacon trust …` through the real command tree on a SQLite data directory, with a local issuer on
// loopback: add (the GitHub preset, plain --issuer/--claim), list (table and JSON), test (a token that
// meets the rule; one of another branch, which names the failed condition), rm; and the refusals:
// an http issuer off loopback, alg HS256, no audience without http.public_url, --ref without a
// preset, a malformed --claim, a duplicate id, an unknown rule.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { startLocalIssuer, type LocalIssuer } from "../../services/oidc/testing/local-issuer.js";
import { createProgram } from "../program.js";

describe("beacon trust", () => {
  let dir: string;
  let out: string;
  let err: string;
  let issuer: LocalIssuer;

  async function beacon(...argv: string[]): Promise<number> {
    out = "";
    err = "";
    process.exitCode = undefined;
    const o = vi.spyOn(process.stdout, "write").mockImplementation((t) => ((out += String(t)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((t) => ((err += String(t)), true));
    try {
      await createProgram().parseAsync([...argv, "--data-dir", dir], { from: "user" });
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return code;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beacon-trust-cli-"));
    issuer = await startLocalIssuer();
    expect(await beacon("migrate")).toBe(0);
  });
  afterEach(async () => {
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("adds a GitHub preset rule and lists it", async () => {
    expect(
      await beacon(
        "trust",
        "add",
        "site",
        "--github-repo",
        "acme/site",
        "--ref",
        "refs/heads/main",
        "--audience",
        "beacon",
        "--name",
        "ci.example.com",
      ),
    ).toBe(0);
    expect(out).toContain("https://token.actions.githubusercontent.com");
    expect(await beacon("trust", "list", "--json")).toBe(0);
    expect(JSON.parse(out)).toMatchObject([
      {
        id: "site",
        audience: "beacon",
        algorithms: ["RS256", "ES256", "EdDSA"],
        claims: [
          { claim: "repository", value: "acme/site" },
          { claim: "ref", value: "refs/heads/main" },
        ],
        names: [{ name: "ci.example.com", subtree: false }],
      },
    ]);
    expect(await beacon("trust", "list")).toBe(0);
    expect(out).toContain("repository=acme/site ref=refs/heads/main");
  });

  it("tests a token against a rule, naming the condition that fails; removes the rule", async () => {
    const add = [
      "trust",
      "add",
      "local",
      "--issuer",
      issuer.url,
      "--audience",
      "beacon",
      "--claim",
      "ref=refs/heads/main",
    ];
    expect(await beacon(...add, "--subtree", "ci.example.com", "--type", "A")).toBe(0);
    const claims = { sub: "x", aud: "beacon", ref: "refs/heads/main" };
    expect(await beacon("trust", "test", "local", "--jwt", await issuer.mint(claims))).toBe(0);
    expect(out).toContain("meets rule local");
    expect(
      await beacon(
        "trust",
        "test",
        "local",
        "--jwt",
        await issuer.mint({ ...claims, ref: "refs/heads/dev" }),
      ),
    ).not.toBe(0);
    expect(out).toContain('claim ref is "refs/heads/dev", wanted refs/heads/main');
    expect(err).toContain("[jwt_no_rule]");
    expect(await beacon("trust", "test", "local", "--jwt", "not-a-jwt")).not.toBe(0);
    expect(err).toContain("[jwt_invalid]");
    expect(await beacon("trust", "rm", "local")).toBe(0);
    expect(await beacon("trust", "rm", "local")).not.toBe(0);
    expect(err).toContain("[trust_not_found]");
    expect(await beacon("trust", "test", "local", "--jwt", "a.b.c")).not.toBe(0);
    expect(err).toContain("[trust_not_found]");
  });

  it.each([
    ["an http issuer off loopback", ["--issuer", "http://issuer.example", "--audience", "a"]],
    ["alg HS256", ["--issuer", "https://issuer.example", "--audience", "a", "--alg", "HS256"]],
    ["no audience and no http.public_url", ["--issuer", "https://issuer.example"]],
    ["--ref without a preset", ["--issuer", "https://issuer.example", "--audience", "a", "--ref", "main"]],
    [
      "a --claim without =",
      ["--issuer", "https://issuer.example", "--audience", "a", "--claim", "repository"],
    ],
    ["no issuer at all", ["--audience", "a"]],
  ])("refuses %s with invalid_trust", async (_what, args) => {
    expect(await beacon("trust", "add", "x", ...args, "--name", "ci.example.com")).not.toBe(0);
    expect(err).toContain("[invalid_trust]");
    expect(await beacon("trust", "list", "--json")).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
  });

  it("defaults the audience to http.public_url", async () => {
    const add = ["trust", "add", "pub", "--github-repo", "acme/site", "--name", "ci.example.com"];
    expect(await beacon(...add, "--http-public-url", "https://beacon.example.com")).toBe(0);
    expect(await beacon("trust", "list", "--json")).toBe(0);
    expect(JSON.parse(out)).toMatchObject([{ id: "pub", audience: "https://beacon.example.com" }]);
  });

  it("refuses a second rule with the same id", async () => {
    const add = [
      "trust",
      "add",
      "dup",
      "--issuer",
      "https://issuer.example",
      "--audience",
      "a",
      "--name",
      "ci.example.com",
    ];
    expect(await beacon(...add)).toBe(0);
    expect(err).toContain("no claim conditions");
    expect(await beacon(...add)).not.toBe(0);
    expect(err).toContain("[trust_exists]");
  });
});
