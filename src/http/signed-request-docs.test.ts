// The curl + openssl scripts of docs/protocols/signed-requests.md, run as written (bash) against the
// app on 127.0.0.1:0, so the documentation stays true. Needs bash, curl and OpenSSL 3: skips loudly
// without them, fails under BEACON_REQUIRE_PEERS=1.

import { serve } from "@hono/node-server";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTokenSigning } from "../services/token-signing.js";
import { createFixture, type Fixture } from "./testing/fixture.js";

const DOC = new URL("../../docs/protocols/signed-requests.md", import.meta.url);

/** The ```sh block after `<!-- signed-request-example: NAME -->`. */
function script(name: string): string {
  const text = readFileSync(DOC, "utf8");
  const at = text.indexOf(`<!-- signed-request-example: ${name} -->`);
  const m = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  if (at < 0 || m === null) throw new Error(`no ${name} example in ${DOC.pathname}`);
  return m[1] ?? "";
}

function havePeers(): boolean {
  const ok = ["bash", "curl"].every((cmd) => spawnSync(cmd, ["--version"]).status === 0);
  const v3 = ok && /^OpenSSL 3/.test(spawnSync("openssl", ["version"], { encoding: "utf8" }).stdout ?? "");
  if (v3) return true;
  const why = "bash, curl and OpenSSL 3 are needed to run the docs' signed-request scripts";
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`SKIPPED: ${why}`);
  return false;
}

const peers = havePeers();

describe.skipIf(!peers)("docs/protocols/signed-requests.md scripts", () => {
  let f: Fixture;
  let server: Server;
  let url: string;
  let id: string;
  const dir = mkdtempSync(join(tmpdir(), "beacon-sig-docs-"));

  beforeAll(async () => {
    f = await createFixture({ signatures: true });
    f.setNow(Date.now());
    const token = await f.token(["home.example.com"]);
    id = token.split(".")[0] ?? "";
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: f.app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s as Server));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the script without blocking the event loop: the server answering curl is in this process. */
  const run = (name: string, env: Record<string, string>) =>
    new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        "bash",
        ["--norc", "--noprofile", "-c", script(name)],
        {
          cwd: dir,
          env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", BEACON_URL: url, TOKEN_ID: id, ...env },
          timeout: 20_000,
          encoding: "utf8",
        },
        (_err, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });

  it("the Ed25519 script updates the host, and the key is required", async () => {
    const { secret } = await createTokenSigning(f.store).setKey(id, { generate: "ed25519" });
    const keyFile = join(dir, "beacon-signing.pem");
    writeFileSync(keyFile, secret ?? "", { mode: 0o600 });
    await createTokenSigning(f.store).setRequired(id, true);
    const res = await run("ed25519", { KEY_FILE: keyFile });
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("good 81.2.69.160");
    expect((await f.rrsets("home.example.com"))[0]?.values).toEqual(["81.2.69.160"]);
    // Signed by another key: badauth.
    execFileSync("openssl", ["genpkey", "-algorithm", "ed25519", "-out", join(dir, "other.pem")]);
    expect((await run("ed25519", { KEY_FILE: join(dir, "other.pem") })).stdout.trim()).toBe("badauth");
  });

  it("the HMAC-SHA256 script updates the host; a wrong secret is badauth", async () => {
    f.setNow(Date.now());
    const { secret } = await createTokenSigning(f.store).setKey(id, { generate: "hmac-sha256" });
    const res = await run("hmac-sha256", { SECRET: secret ?? "" });
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("good 81.2.69.161");
    const wrong = await run("hmac-sha256", { SECRET: Buffer.alloc(32, 9).toString("base64") });
    expect([wrong.stderr, wrong.stdout.trim()]).toEqual(["", "badauth"]);
  });
});
