// The CLI as a person and a script use it: output, --json, errors with codes and exit statuses.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, runCliIn, tempDir } from "./support/beacon.js";

describe("beacon CLI", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const cli = (...args: string[]) => runCli(dir.path, args);

  it("never creates a database for an admin command; `migrate` does, once", async () => {
    // `cd docs && npx beacon host list`: the default ./data there holds nothing.
    const docs = join(dir.path, "docs");
    mkdirSync(docs);
    const lost = await runCliIn(docs, ["host", "list"]);
    expect(lost.code).toBe(3);
    expect(lost.stdout).toBe("");
    expect(lost.stderr).toContain(
      `beacon: error: no Beacon database at ${join(docs, "data", "beacon.db")} — pass --data-dir`,
    );
    expect(lost.stderr).toContain("[store_not_found]");
    expect(readdirSync(docs)).toEqual([]);
    for (const args of [
      ["zone", "add", "example.test"],
      ["user", "list"],
      ["token", "list", "--json"],
    ]) {
      expect((await cli(...args)).code).toBe(3);
    }
    expect(existsSync(join(dir.path, "beacon.db"))).toBe(false);

    const created = await cli("migrate", "--json");
    expect(created.code).toBe(0);
    const result = JSON.parse(created.stdout) as { path: string; created: boolean; applied: string[] };
    expect(result).toMatchObject({ path: join(dir.path, "beacon.db"), created: true });
    expect(result.applied.length).toBeGreaterThan(0);
    expect((await cli("migrate")).stdout).toContain("already up to date");
  });

  it("finds the data by flag, environment or configuration file from any directory", async () => {
    const elsewhere = join(dir.path, "docs");
    expect((await runCliIn(elsewhere, ["--data-dir", dir.path, "zone", "list"])).stdout).toContain(
      "no zones",
    );
    expect((await runCliIn(elsewhere, ["zone", "list"], { BEACON_DATA_DIR: dir.path })).stdout).toContain(
      "no zones",
    );
    const file = join(dir.path, "found.yaml");
    writeFileSync(file, `data_dir: ${dir.path}\n`);
    expect((await runCliIn(elsewhere, ["--config", file, "zone", "list"])).stdout).toContain("no zones");
  });

  it("manages zones, hosts and tokens, with --json for scripts", async () => {
    expect((await cli("zone", "list")).stdout).toContain("no zones");
    const added = await cli("zone", "add", "Example.TEST.", "--ns", "ns1.example.test,ns2.example.test");
    expect(added.code).toBe(0);
    expect(added.stdout).toContain("zone example.test created");
    const zones = JSON.parse((await cli("zone", "list", "--json")).stdout) as {
      name: string;
      nameservers: string[];
    }[];
    expect(zones.map((z) => [z.name, z.nameservers])).toEqual([
      ["example.test", ["ns1.example.test", "ns2.example.test"]],
    ]);

    const host = await cli("host", "add", "www.example.test");
    expect(host.code).toBe(0);
    expect(host.stdout).toMatch(/token \(shown once, store it now\): tk_[a-z2-7]{10}\.[A-Za-z0-9_-]{32}/);
    const tokens = JSON.parse((await cli("token", "list", "--json")).stdout) as Record<string, unknown>[];
    expect(tokens).toHaveLength(1);
    expect(JSON.stringify(tokens)).not.toMatch(/secret|Hash/i);

    const created = await cli("token", "create", "--subtree", "example.test", "--type", "a,aaaa", "--json");
    const { id, token } = JSON.parse(created.stdout) as { id: string; token: string };
    expect(token.startsWith(`${id}.`)).toBe(true);
    expect((await cli("token", "revoke", id)).code).toBe(0);
    expect((await cli("token", "revoke", id)).code).toBe(0); // revoking twice is a no-op
    const listed = await cli("token", "list");
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s.*revoked`));
    const unknown = await cli("token", "revoke", "tk_aaaaaaaaaa");
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining("[token_not_found]")]);
  });

  it("reports conflicts, missing things and bad input with codes and exit statuses", async () => {
    const dup = await cli("zone", "add", "example.test");
    expect([dup.code, dup.stderr.trim()]).toEqual([4, expect.stringContaining("[zone_exists]")]);
    const outside = await cli("host", "add", "www.elsewhere.test");
    expect([outside.code, outside.stderr]).toEqual([2, expect.stringContaining("[outside_zone]")]);
    expect(outside.stderr).toContain("create it with `beacon zone add elsewhere.test`");
    const badName = await cli("host", "add", "bad..name.example.test");
    expect([badName.code, badName.stderr]).toEqual([2, expect.stringContaining("[invalid_hostname]")]);
    const missing = await cli("host", "show", "nope.example.test");
    expect([missing.code, missing.stderr]).toEqual([3, expect.stringContaining("[host_not_found]")]);
    const notEmpty = await cli("zone", "rm", "example.test");
    expect([notEmpty.code, notEmpty.stderr]).toEqual([4, expect.stringContaining("[zone_not_empty]")]);
    const badType = await cli("token", "create", "--name", "www.example.test", "--type", "MX");
    expect([badType.code, badType.stderr]).toEqual([
      2,
      expect.stringContaining('"MX" is not one of A, AAAA, TXT'),
    ]);
    const noScope = await cli("token", "create");
    expect(noScope.code).toBe(2);
    const unknown = await cli("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command");
    expect((await cli("zone", "rm", "example.test", "--force")).code).toBe(0);
  });

  it("zone set changes the SOA values with units; out-of-range, negative and huge values name the option", async () => {
    expect((await cli("zone", "add", "example.test")).code).toBe(0);
    const before = JSON.parse((await cli("zone", "list", "--json")).stdout) as { serial: number }[];
    const set = await cli(
      "zone",
      "set",
      "example.test",
      "--refresh",
      "4h",
      "--minimum",
      "300",
      "--contact",
      "ops@example.org",
    );
    expect([set.code, set.stderr]).toEqual([0, ""]);
    expect(set.stdout).toContain(
      "refresh 14400, retry 600, expire 1209600, minimum 300, contact ops@example.org",
    );
    const zone = JSON.parse(
      (await cli("zone", "set", "example.test", "--expire", "21d", "--json")).stdout,
    ) as {
      serial: number;
      soa: Record<string, unknown>;
    };
    expect(zone.serial).toBe(before[0]!.serial + 2);
    expect(zone.soa).toEqual({
      mname: "ns1.example.test",
      rname: "ops.example.org",
      refresh: 14_400,
      retry: 600,
      expire: 1_814_400,
      minimum: 300,
    });
    for (const [args, text] of [
      [["--minimum", "0"], "SOA minimum must be a whole number of seconds from 1 to 86400, not 0"],
      [["--expire", "9999999999"], "SOA expire must be a whole number of seconds from 604800 to 2419200"],
      [["--retry", "5h"], "SOA retry (18000) must be shorter than refresh (14400)"],
      [["--contact", "first.last@example.org"], "has a dot"],
      [["--refresh=-60"], "--refresh must be a whole number of seconds"],
      [["--refresh", "1.5h"], "--refresh must be a whole number of seconds"],
      [[], "nothing to change"],
    ] as const) {
      const r = await cli("zone", "set", "example.test", ...args);
      expect([args, r.code, r.stderr]).toEqual([args, 2, expect.stringContaining(text)]);
    }
    const after = JSON.parse((await cli("zone", "list", "--json")).stdout) as { serial: number }[];
    expect(after[0]!.serial).toBe(zone.serial); // the refused ones changed nothing
    const absent = await cli("zone", "set", "nowhere.test", "--minimum", "300");
    expect([absent.code, absent.stderr]).toEqual([3, expect.stringContaining("[zone_not_found]")]);
  });

  it("a config error names the setting, the file and the line", async () => {
    const file = join(dir.path, "beacon.yaml");
    writeFileSync(file, "http:\n  listen:\n    - 127.0.0.1:8245\n    - 127.0.0.1:99999\n");
    const r = await runCli(dir.path, ["serve"], { BEACON_CONFIG: file });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("http.listen[1]");
    expect(r.stderr).toContain(`${file}:4`);
    const env = await runCli(dir.path, ["serve"], { BEACON_DNS_TCP_IDLE_TIMEOUT_MS: "soon" });
    expect(env.code).toBe(78);
    expect(env.stderr).toContain("BEACON_DNS_TCP_IDLE_TIMEOUT_MS");
  });

  it("--help describes every command", async () => {
    const help = await runCli(dir.path, ["--help"]);
    expect(help.code).toBe(0);
    for (const c of ["serve", "zone", "host", "token", "history"]) expect(help.stdout).toContain(c);
  });
});
