import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { RecordStatus } from "../loop/record-state.js";
import { textHash } from "./config-file.js";
import { codeOf, csrfOf, PAGE_HASH, T0, yamlWith, usePages, type PageHarness } from "./testing/page.js";

const IP1 = "81.2.69.160";
const IP2 = "81.2.69.161";

// Signed in with a password from status.password_hash: setup (setup.test.ts) would write the file.
const page = usePages({ passwordHash: PAGE_HASH });

interface CheckBody {
  ok: boolean;
  restartRequired?: string[];
  issues: { path: string; line: number | null; column: number | null; message: string }[];
  dryRun: null | {
    records: {
      fqdn: string;
      outcome: string;
      wouldPublish: string[] | null;
      current: string[] | null;
      verdict: {
        status: string;
        votes: number;
        quorum: number;
        addresses: string[];
        sources: {
          id: string;
          address: string | null;
          accepted: boolean;
          rejection: string | null;
          detail: string;
        }[];
      } | null;
      detail: string;
    }[];
    notifiers: { id: string; type: string; state: string; detail: string }[];
  };
}

async function check(p: PageHarness, yaml: unknown): Promise<{ status: number; body: CheckBody }> {
  const res = await p.request("/api/config/check", { method: "POST", csrf: await csrfOf(p), json: { yaml } });
  return { status: res.status, body: (await res.json()) as CheckBody };
}

const running: RecordStatus = {
  fqdn: "home.example.com",
  type: "A",
  target: "server",
  outcome: "unchanged",
  healthy: true,
  detail: `${IP1} unchanged`,
  published: [IP1],
  publishedAt: T0,
  lastRunAt: T0,
  lastSuccessAt: T0,
  failuresTotal: 0,
  detection: undefined,
  sources: undefined,
  nextRunAt: undefined,
};

describe("GET /api/config", () => {
  test("the file as it is on disk with its sha256", async () => {
    const p = page();
    await csrfOf(p);
    const res = await p.request("/api/config");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { file: string; yaml: string; writable: boolean; hash: string };
    expect(body).toEqual({ file: p.file, yaml: p.onDisk(), writable: true, hash: textHash(p.onDisk()) });
    expect(body.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("no file: writable false, and PUT is refused", async () => {
    const p = page({ noFile: true });
    const csrf = await csrfOf(p);
    expect(await (await p.request("/api/config")).json()).toMatchObject({ file: null, writable: false });
    const res = await p.request("/api/config", {
      method: "PUT",
      csrf,
      json: { yaml: "a: 1" },
    });
    expect(res.status).toBe(405);
  });
});

describe("POST /api/config/check", () => {
  test("valid: the dry run detects with the NEW sources and compares with what runs; nothing is sent or saved", async () => {
    const p = page({ status: [running] });
    const before = p.onDisk();
    const { status, body } = await check(p, yamlWith(IP2, IP2));
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.issues).toEqual([]);
    expect(body.dryRun?.records).toHaveLength(1);
    const r = body.dryRun?.records[0];
    expect(r).toMatchObject({
      fqdn: "home.example.com",
      outcome: "would_publish",
      wouldPublish: [IP2],
      current: [IP1],
    });
    expect(r?.verdict).toMatchObject({ status: "agreed", votes: 2, quorum: 2, addresses: [IP2] });
    expect(r?.verdict?.sources.map((s) => [s.id, s.address, s.accepted])).toEqual([
      ["one", IP2, true],
      ["two", IP2, true],
    ]);
    expect(p.published).toEqual([]);
    expect(p.onDisk()).toBe(before);
    expect(p.calls.apply).toBe(0);
  });

  test("unchanged address → nothing would be published; disagreeing sources → the verdict says so", async () => {
    const p = page({ status: [running] });
    const same = await check(p, yamlWith(IP1, IP1));
    expect(same.body.dryRun?.records[0]).toMatchObject({
      outcome: "unchanged",
      wouldPublish: null,
      current: [IP1],
    });
    const split = await check(p, yamlWith(IP1, IP2));
    expect(split.body.dryRun?.records[0]).toMatchObject({ outcome: "disagreed", wouldPublish: null });
    expect(split.body.dryRun?.records[0]?.verdict).toMatchObject({
      status: "disagreed",
      addresses: [IP1, IP2],
    });
  });

  test("invalid: issues with setting, line and column from the agent's own loader; no dry run", async () => {
    const p = page();
    const yaml = yamlWith(IP1, "not-an-ip").replace("interval: 1m", "interval: soon");
    const { status, body } = await check(p, yaml);
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.dryRun).toBeNull();
    expect(body.issues).toEqual([
      { path: "interval", line: 1, column: 11, message: '"soon" is not a duration like 30s, 5m or 1h' },
      {
        path: "sources.two.address",
        line: 4,
        column: 33,
        message: expect.stringContaining("IPv4 or IPv6") as string,
      },
    ]);
  });

  test("hostile YAML: not a mapping, bad syntax, alias bomb, deep nesting, unknown source type", async () => {
    const p = page();
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ..."bcdefghij"
        .split("")
        .map((k, i) => `${k}: &${k} [${Array(10).fill(`*${"abcdefghij"[i]}`).join(", ")}]`),
    ].join("\n");
    const cases: [string, string][] = [
      ["- just\n- a list\n", "expected a mapping of settings, found a list"],
      ["just a string", "expected a mapping of settings, found a single value"],
      ["a: [unclosed", "invalid YAML"],
      [bomb, "invalid YAML"],
      [`${"[".repeat(20_000)}${"]".repeat(20_000)}`, ""],
      ["sources:\n  x: { type: teleport }\n", 'unknown source type "teleport"'],
      ["", ""],
    ];
    for (const [yaml, message] of cases) {
      const { status, body } = await check(p, yaml);
      expect(status, yaml.slice(0, 40)).toBe(200);
      if (yaml === "") {
        expect(body.ok).toBe(true); // an empty file is the defaults with no records
        expect(body.dryRun?.records).toEqual([]);
        continue;
      }
      expect(body.ok, yaml.slice(0, 40)).toBe(false);
      expect(body.issues.length).toBeGreaterThan(0);
      expect(body.issues.map((i) => i.message).join("\n")).toContain(message);
    }
  });

  test("never runs a program: command sources and exec notifiers are 'not run in a check'", async () => {
    const p = page({ status: [running] });
    const marker = (name: string) => `${p.dir}/${name}`;
    // Each program would leave a marker file; the harness gives the check the REAL runCommand.
    const sh = (name: string, echo = "") =>
      `["/bin/sh", "-c", "echo ran > ${marker(name)}${echo === "" ? "" : `; echo ${echo}`}"]`;
    const yaml = [
      "interval: 1m",
      "sources:",
      `  cmd: { type: command, argv: ${sh("source-ran", IP2)}, operator: mine }`,
      `  one: { type: static, address: "${IP2}", operator: first }`,
      "targets:",
      "  server: { type: beacon, url: http://beacon.test, token: tk_abc.defghijklmnopqrstuvwxyz012345 }",
      "records:",
      "  - { name: home.example.com, type: A, target: server, sources: [cmd, one] }",
      "notify:",
      `  - { type: exec, command: ${sh("hook-ran")} }`,
      "  - { type: webhook, url: http://hooks.test/x }",
      "",
    ].join("\n");
    const { status, body } = await check(p, yaml);
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    const r = body.dryRun?.records[0];
    const cmd = r?.verdict?.sources.find((s) => s.id === "cmd");
    expect(cmd).toMatchObject({ address: null, accepted: false, rejection: "not_run" });
    expect(cmd?.detail).toContain("not run in a check");
    // The static source alone cannot make the quorum of two: the check says so, it does not guess.
    expect(r).toMatchObject({ outcome: "insufficient", wouldPublish: null });
    expect(body.dryRun?.notifiers).toEqual([
      { id: "exec-1", type: "exec", state: "not_run", detail: "not run in a check: it runs a program" },
      {
        id: "webhook-2",
        type: "webhook",
        state: "not_run",
        detail: "not run in a check: a check sends nothing",
      },
    ]);
    expect(body.restartRequired).toEqual(["notify"]);
    expect(existsSync(marker("source-ran"))).toBe(false);
    expect(existsSync(marker("hook-ran"))).toBe(false);
    expect(p.published).toEqual([]);
  });

  test("secrets read from other files never appear in messages", async () => {
    const p = page();
    const secretFile = `${p.dir}/shadow`;
    writeFileSync(secretFile, "root:$6$SeCrEtSaLt$TopSecretHashValue:19000:0:99999:7:::\n");
    const yaml = yamlWith(IP1, IP1).replace(
      `address: "${IP1}", operator: first`,
      `address_file: ${secretFile}, operator: first`,
    );
    const { body } = await check(p, yaml);
    expect(body.ok).toBe(false);
    const text = JSON.stringify(body);
    expect(text).toContain("address_file");
    for (const part of ["SeCrEtSaLt", "TopSecretHashValue", "root:"]) expect(text).not.toContain(part);
  });

  test("bad bodies: not JSON, yaml not a string, array body, over 256 KiB (413), no CSRF", async () => {
    const p = page();
    const csrf = await csrfOf(p);
    const post = (body: string, headers: Record<string, string> = {}) =>
      p.request("/api/config/check", {
        method: "POST",
        body,
        csrf,
        headers: { "content-type": "application/json", ...headers },
      });
    expect(await codeOf(await post("{not json"))).toEqual([400, "bad_request"]);
    expect(await codeOf(await post('{"yaml": 42}'))).toEqual([400, "bad_request"]);
    expect(await codeOf(await post('["yaml"]'))).toEqual([400, "bad_request"]);
    expect(await codeOf(await post(JSON.stringify({ yaml: "#".repeat(10 * 1024 * 1024) })))).toEqual([
      413,
      "parameter_too_large",
    ]);
    const noCsrf = await p.request("/api/config/check", { method: "POST", json: { yaml: "" } });
    expect(await codeOf(noCsrf)).toEqual([403, "csrf_failed"]);
  });
});

describe("PUT /api/config", () => {
  test("valid: written atomically with the same mode, reloaded, no temp files left", async () => {
    const p = page();
    chmodSync(p.file, 0o640);
    const { hash } = (await (await p.request("/api/config")).json()) as { hash: string };
    const next = yamlWith(IP2, IP2);
    const res = await p.request("/api/config", {
      method: "PUT",
      csrf: await csrfOf(p),
      json: { yaml: next, expectedHash: hash },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      saved: true,
      file: p.file,
      records: 1,
      applied: true,
      restartRequired: [],
    });
    expect(p.onDisk()).toBe(next);
    expect(statSync(p.file).mode & 0o777).toBe(0o640);
    expect(readdirSync(p.dir)).toEqual(["agent.yaml"]);
    expect(p.calls.apply).toBe(1);
  });

  test("invalid: 400 config_invalid with the issues; the file is untouched and nothing reloads", async () => {
    const p = page();
    const before = p.onDisk();
    const res = await p.request("/api/config", {
      method: "PUT",
      csrf: await csrfOf(p),
      json: { yaml: yamlWith(IP1, IP1).replace("target: server", "target: nowhere") },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      code: string;
      status: number;
      issues: { path: string; line: number }[];
    };
    expect(body.code).toBe("config_invalid");
    expect(body.status).toBe(400);
    expect(body.issues[0]).toMatchObject({ path: "records[0].target", line: 8 });
    expect(p.onDisk()).toBe(before);
    expect(p.calls.apply).toBe(0);
  });

  test("expectedHash of an older text → 409 config_changed, nothing written; malformed hash → 400", async () => {
    const p = page();
    const old = textHash(p.onDisk());
    writeFileSync(p.file, yamlWith(IP1, IP1, "# edited by hand\n"));
    const edited = p.onDisk();
    const csrf = await csrfOf(p);
    const res = await p.request("/api/config", {
      method: "PUT",
      csrf,
      json: { yaml: yamlWith(IP2, IP2), expectedHash: old },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe("config_changed");
    expect(p.onDisk()).toBe(edited);
    const bad = await p.request("/api/config", {
      method: "PUT",
      csrf,
      json: { yaml: "", expectedHash: "abc" },
    });
    expect(bad.status).toBe(400);
  });

  test("concurrent saves run one at a time: the second, with the first's expectedHash, gets 409", async () => {
    const p = page();
    const csrf = await csrfOf(p);
    const hash = textHash(p.onDisk());
    const a = yamlWith(IP2, IP2);
    const b = yamlWith(IP1, IP1, "# b\n");
    const [ra, rb] = await Promise.all([
      p.request("/api/config", { method: "PUT", csrf, json: { yaml: a, expectedHash: hash } }),
      p.request("/api/config", { method: "PUT", csrf, json: { yaml: b, expectedHash: hash } }),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 409]);
    expect(p.onDisk()).toBe(a);
    expect(p.calls.apply).toBe(1);
  });

  test("a save through a symlink replaces the target file and keeps the link", async () => {
    const { symlinkSync, lstatSync, readFileSync, renameSync } = await import("node:fs");
    const p = page();
    const real = `${p.dir}/real.yaml`;
    renameSync(p.file, real);
    symlinkSync(real, p.file);
    const next = yamlWith(IP2, IP2);
    const res = await p.request("/api/config", {
      method: "PUT",
      csrf: await csrfOf(p),
      json: { yaml: next },
    });
    expect(res.status).toBe(200);
    expect(lstatSync(p.file).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe(next);
  });
});
