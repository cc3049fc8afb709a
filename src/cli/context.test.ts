import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadServerConfig } from "../config/index.js";
import { BeaconError } from "../core/errors.js";
import { silentLog } from "../core/log.js";
import { describeStore, openConfiguredStore } from "./context.js";

const SECRET = "ctx-Secret-9";
const dir = mkdtempSync(join(tmpdir(), "beacon-context-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (flags: Record<string, string>) => loadServerConfig({ env: {}, flags, cwd: dir });

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a !== null ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

async function rejection(p: Promise<unknown>): Promise<BeaconError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BeaconError);
  return e as BeaconError;
}

describe("choosing the store", () => {
  it("describes SQLite by its path and PostgreSQL by host:port/database", () => {
    expect(describeStore(config({}))).toBe(join(dir, "data", "beacon.db"));
    expect(describeStore(config({ "store.postgres_url": `postgres://u:${SECRET}@db.example/beacon` }))).toBe(
      "postgres db.example:5432/beacon",
    );
  });

  it("describes DynamoDB as dynamodb:<table> (<region>); beacon serve refuses it", async () => {
    const dynamo = loadServerConfig({
      env: { AWS_REGION: "eu-west-1" },
      flags: { "store.dynamodb_table": "beacon" },
      cwd: dir,
    });
    expect(describeStore(dynamo)).toBe("dynamodb:beacon (eu-west-1)");
    const e = await rejection(openConfiguredStore(dynamo, "server", silentLog));
    expect(e.code).toBe("config_invalid");
    expect(e.message).toBe(
      "the DynamoDB store is for the serverless edition (docs/serverless.md); beacon serve needs SQLite or PostgreSQL",
    );
  });

  it("an admin command never creates a SQLite database", async () => {
    const e = await rejection(openConfiguredStore(config({ data_dir: "nothing-here" }), "admin", silentLog));
    expect(e.code).toBe("store_not_found");
    expect(e.message).toContain(join(dir, "nothing-here", "beacon.db"));
  });

  it.each(["server", "admin"] as const)(
    "PostgreSQL unreachable (%s): store_unavailable naming host:port/database, never the password",
    async (use) => {
      const port = await closedPort();
      const url = `postgres://beacon:${SECRET}@127.0.0.1:${port}/beacon`;
      const e = await rejection(openConfiguredStore(config({ "store.postgres_url": url }), use, silentLog));
      expect(e.code).toBe("store_unavailable");
      expect(e.message).toMatch(new RegExp(`^PostgreSQL 127\\.0\\.0\\.1:${port}/beacon: .*ECONNREFUSED`));
      expect(e.message).not.toContain(SECRET);
      expect(JSON.stringify(e.details)).not.toContain(SECRET);
      expect(String((e.cause as Error | undefined)?.message)).not.toContain(SECRET);
    },
  );
});
