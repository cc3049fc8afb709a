// `beacon webhook …` through the real command tree on a SQLite data directory: add (secret from a file
// or the environment, never printed), list (redacted), test (a queued event for that webhook), rm; and
// the refusals: a malformed URL, a missing secret, an unreadable secret file, a template with an
// unknown placeholder, an unknown webhook.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { openSqliteStore } from "../../store/sqlite/sqlite-store.js";
import { createProgram } from "../program.js";

const SECRET = "a-very-secret-value-0123";

describe("beacon webhook", () => {
  let dir: string;
  let out: string;
  let err: string;

  /** Runs the command; resolves with its exit status (0: success). */
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
    dir = await mkdtemp(join(tmpdir(), "beacon-webhook-cli-"));
    await writeFile(join(dir, "secret"), `${SECRET}\n`);
    await writeFile(join(dir, "template.json"), '{"text": "{{event}}: {{host}} {{new}}"}');
    await writeFile(join(dir, "bad-template"), "hello {{hostname}}");
    expect(await beacon("migrate")).toBe(0); // the database admin commands open
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("adds, lists without the secret, queues a test event, and removes a webhook", async () => {
    const secretFile = join(dir, "secret");
    expect(
      await beacon(
        "webhook",
        "add",
        "ops",
        "--url",
        "https://hooks.example/x",
        "--secret-file",
        secretFile,
        "--events",
        "host.address_changed,pool.all_down",
        "--template-file",
        join(dir, "template.json"),
      ),
    ).toBe(0);
    process.env["BEACON_TEST_WEBHOOK_SECRET"] = SECRET;
    expect(
      await beacon(
        "webhook",
        "add",
        "all",
        "--url",
        "http://127.0.0.1:9/",
        "--secret-env",
        "BEACON_TEST_WEBHOOK_SECRET",
      ),
    ).toBe(0);
    delete process.env["BEACON_TEST_WEBHOOK_SECRET"];
    expect(await beacon("webhook", "list")).toBe(0);
    expect(out).toContain("host.address_changed,pool.all_down");
    expect(await beacon("webhook", "list", "--json")).toBe(0);
    expect(out).not.toContain(SECRET);
    expect((JSON.parse(out) as { id: string; secret: string }[]).map((h) => [h.id, h.secret])).toEqual([
      ["all", "(redacted)"],
      ["ops", "(redacted)"],
    ]);
    expect(await beacon("webhook", "test", "ops")).toBe(0);
    const store = await openSqliteStore({ path: join(dir, "beacon.db") });
    try {
      expect((await store.getWebhook("ops"))?.secret).toBe(SECRET); // the file's newline dropped
      const rows = await store.claimNotifications("t", Date.now() + 1000, 1000, 10);
      expect(rows.map((r) => [r.webhook, r.kind])).toEqual([["ops", "test"]]);
    } finally {
      await store.close();
    }
    expect(await beacon("webhook", "rm", "ops")).toBe(0);
    expect(await beacon("webhook", "rm", "ops")).not.toBe(0);
    expect(err).toContain("webhook_not_found");
    expect(await beacon("webhook", "test", "nope")).not.toBe(0);
    expect(err).toContain("webhook_not_found");
  });

  it.each([
    ["a malformed URL", ["--url", "http//nope", "--secret-file", "secret"], "invalid_webhook"],
    ["a missing secret", ["--url", "https://hooks.example/"], "invalid_webhook"],
    [
      "an unreadable secret file",
      ["--url", "https://hooks.example/", "--secret-file", "missing"],
      "invalid_webhook",
    ],
    [
      "an unset secret variable",
      ["--url", "https://hooks.example/", "--secret-env", "BEACON_TEST_UNSET_VAR"],
      "invalid_webhook",
    ],
    [
      "an unknown placeholder",
      ["--url", "https://hooks.example/", "--secret-file", "secret", "--template-file", "bad-template"],
      "invalid_webhook",
    ],
  ])("refuses %s, storing nothing", async (_, args, code) => {
    const argv = args.map((a, i) => (args[i - 1]?.endsWith("-file") ? join(dir, a) : a));
    expect(await beacon("webhook", "add", "x", ...argv)).not.toBe(0);
    expect(err).toContain(code);
    expect(await beacon("webhook", "list", "--json")).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
  });
});
