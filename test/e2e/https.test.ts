// Beacon serving HTTPS itself, with the real built `beacon serve` and real clients: an openssl-made CA
// and leaf certificate (files), curl over HTTPS (--cacert) for the console with HSTS, curl over plain
// HTTP for a dyndns2 update (served) and the console (redirected), ddclient with ssl=yes (when
// installed), openssl s_client offering TLS 1.1
// (refused by the server's protocol-version alert) and TLS 1.2 (accepted), and SIGHUP after the
// certificate files changed in place: curl then sees the new serial. A broken pair on SIGHUP keeps the
// old certificate; a mismatched pair at start-up stops the server with config_invalid.
//
// The certificate paths are symlinks into an archive/ directory (as certbot's live/ are), and the test
// rewrites the archive files in place: the directory the server watches does not change, so the new
// certificate can only arrive through SIGHUP (the slow poll runs once a minute).

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ZONE, httpsPort, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { ddclientConfig, runDdclient } from "./support/clients.js";
import { peerAvailable } from "./support/peers.js";

const have = peerAvailable("openssl", "openssl") && peerAvailable("curl", "curl");
const HOST = `home.${DEMO_ZONE}`;

interface Run {
  readonly code: number;
  readonly out: string;
}

function run(cmd: string, args: readonly string[], input = ""): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

/** A CA, then a leaf for 127.0.0.1 and localhost signed by it with serial `serial` (hex). */
function makeCa(dir: string): void {
  openssl(
    dir,
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"].concat([
      "-subj",
      "/CN=Beacon e2e CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
    ]),
  );
  writeFileSync(join(dir, "leaf.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
}

function makeLeaf(dir: string, serial: string): { cert: string; key: string } {
  const name = `leaf-${serial}`;
  openssl(
    dir,
    [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=localhost",
    ].concat(["-keyout", `${name}.key`, "-out", `${name}.csr`]),
  );
  openssl(
    dir,
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-days", "2"].concat([
      "-set_serial",
      `0x${serial}`,
      "-extfile",
      "leaf.ext",
      "-out",
      `${name}.crt`,
    ]),
  );
  return {
    cert: readFileSync(join(dir, `${name}.crt`), "utf8"),
    key: readFileSync(join(dir, `${name}.key`), "utf8"),
  };
}

/** Waits (50 ms steps, at most 100) for a log line containing `text`; returns it or "". */
async function logLine(b: Beacon, text: string, after = 0): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = b
      .stderr()
      .slice(after)
      .split("\n")
      .find((l) => l.includes(text));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  return "";
}

describe.skipIf(!have)("HTTPS served by beacon serve (openssl, curl)", () => {
  const dir = tempDir("beacon-https-");
  const data = join(dir.path, "data");
  const archive = join(dir.path, "archive");
  const live = join(dir.path, "live");
  let beacon: Beacon;
  let token = "";
  let port = 0;
  const leaves: Record<string, { cert: string; key: string }> = {};

  beforeAll(async () => {
    mkdirSync(archive);
    mkdirSync(live);
    makeCa(dir.path);
    for (const serial of ["1001", "2002"]) leaves[serial] = makeLeaf(dir.path, serial);
    writeFileSync(join(archive, "cert.pem"), leaves["1001"]?.cert ?? "");
    writeFileSync(join(archive, "key.pem"), leaves["1001"]?.key ?? "");
    symlinkSync(join(archive, "cert.pem"), join(live, "fullchain.pem"));
    symlinkSync(join(archive, "key.pem"), join(live, "privkey.pem"));
    token = (await seedHosts(data, [HOST])).get(HOST) ?? "";
    beacon = await startBeacon({
      dataDir: data,
      args: ["--http-tls-listen", "127.0.0.1:0"]
        .concat(["--http-tls-cert-file", join(live, "fullchain.pem")])
        .concat(["--http-tls-key-file", join(live, "privkey.pem")]),
    });
    port = httpsPort(beacon);
  });

  afterAll(async () => {
    await beacon?.stop();
    dir.remove();
  });

  const curlHttps = (path: string, extra: readonly string[] = []) =>
    run("curl", [
      "-sS",
      "-i",
      "--cacert",
      join(dir.path, "ca.crt"),
      ...extra,
      `https://127.0.0.1:${port}${path}`,
    ]);
  const serial = async () =>
    /serial=([0-9A-F]+)/i.exec(
      (
        await run("sh", [
          "-c",
          `openssl s_client -connect 127.0.0.1:${port} </dev/null 2>/dev/null | openssl x509 -noout -serial`,
        ])
      ).out,
    )?.[1] ?? "";

  it("prints the HTTPS endpoint; curl --cacert gets the console over HTTPS with HSTS", async () => {
    expect(port).toBeGreaterThan(0);
    expect(beacon.stdout()).toContain(`HTTPS 127.0.0.1:${port}`);
    const r = await curlHttps("/admin/");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HTTP\/1\.1 200/);
    expect(r.out.toLowerCase()).toContain("strict-transport-security: max-age=31536000");
    expect(await serial()).toBe("1001");
    const metrics = await curlHttps("/metrics");
    expect(metrics.out).toMatch(
      /beacon_tls_certificate_not_after_seconds\{origin="[^"]+fullchain\.pem"\} \d{10}/,
    );
  });

  it("plain HTTP: the dyndns2 update works (no HSTS), the console answers 308 to HTTPS, a sign-in POST 403", async () => {
    const update = await run(
      "curl",
      ["-sS", "-i", "-u", `${HOST}:${token}`, "-A", "e2e/1.0"].concat([
        `${beacon.url}/nic/update?hostname=${HOST}&myip=81.2.69.1`,
      ]),
    );
    expect(update.out).toContain("good 81.2.69.1");
    expect(update.out.toLowerCase()).not.toContain("strict-transport-security");
    const console = await run("curl", ["-sS", "-i", `${beacon.url}/admin/`]);
    expect(console.out).toMatch(/^HTTP\/1\.1 308/);
    expect(console.out).toContain(`location: https://127.0.0.1:${port}/admin/`);
    expect(console.out.toLowerCase()).not.toContain("strict-transport-security");
    const followed = await run(
      "curl",
      ["-sS", "-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}"].concat([
        "--cacert",
        join(dir.path, "ca.crt"),
        `${beacon.url}/admin/`,
      ]),
    );
    expect(followed.out).toBe(`200 https://127.0.0.1:${port}/admin/`);
    const signIn = await run(
      "curl",
      ["-sS", "-H", "content-type: application/json", "-d", '{"user":"a","password":"b"}'].concat([
        `${beacon.url}/api/v1/session`,
      ]),
    );
    expect(JSON.parse(signIn.out)).toMatchObject({ status: 403, code: "https_required" });
  });

  it("ddclient with ssl=yes (its CA file set) updates over HTTPS", async () => {
    if (!peerAvailable("ddclient", "ddclient")) return;
    const config = ddclientConfig(`127.0.0.1:${port}`, HOST, token, "81.2.69.7").replace(
      "ssl=no",
      `ssl=yes\nssl_ca_file=${join(dir.path, "ca.crt")}`,
    );
    const r = await runDdclient(dir.path, config);
    expect(r.out).toMatch(/SUCCESS:.*home\.dyn\.beacon\.test/);
    expect(r.out).toMatch(/CONNECTED: +using SSL/);
    expect(r.out).toContain("strict-transport-security: max-age=31536000");
  });

  it("TLS 1.1 is refused by the server (protocol version alert); TLS 1.2 is accepted", async () => {
    const old = await run("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-tls1_1",
      "-cipher",
      "DEFAULT@SECLEVEL=0",
    ]);
    expect(old.out).toContain("alert protocol version");
    const tls12 = await run("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-tls1_2",
      "-CAfile",
      join(dir.path, "ca.crt"),
    ]);
    expect(tls12.out).toContain("Verify return code: 0 (ok)");
    expect(tls12.out).toMatch(/Protocol\s*: TLSv1\.2/);
  });

  it("SIGHUP after the files changed in place: the new serial is served, one log line says what was reloaded", async () => {
    writeFileSync(join(archive, "cert.pem"), leaves["2002"]?.cert ?? "");
    writeFileSync(join(archive, "key.pem"), leaves["2002"]?.key ?? "");
    expect(await serial()).toBe("1001");
    const before = beacon.stderr().length;
    beacon.proc.kill("SIGHUP");
    const line = await logLine(beacon, "SIGHUP: reloaded", before);
    expect(JSON.parse(line)).toMatchObject({
      certificate: "installed",
      tsigKeys: "reloaded",
      hostFlags: "reloaded",
    });
    expect(await serial()).toBe("2002");
    expect((await curlHttps("/healthz")).out).toMatch(/^HTTP\/1\.1 200/);
  });

  it("SIGHUP with a broken pair (the old key with the new certificate): logged, the old certificate kept", async () => {
    writeFileSync(join(archive, "key.pem"), leaves["1001"]?.key ?? "");
    const before = beacon.stderr().length;
    beacon.proc.kill("SIGHUP");
    const line = await logLine(beacon, "SIGHUP: reloaded", before);
    expect(JSON.parse(line)).toMatchObject({ certificate: "failed" });
    expect(beacon.stderr().slice(before)).toContain("the key does not match the certificate");
    expect(await serial()).toBe("2002");
    expect(beacon.proc.exitCode).toBeNull();
  });

  it("a key that does not match at start-up: exit 78, config_invalid naming the setting and the file", async () => {
    const other = tempDir("beacon-https-bad-");
    try {
      const r = startBeacon({
        dataDir: join(other.path, "data"),
        args: ["--http-tls-listen", "127.0.0.1:0", "--http-tls-cert-file", join(archive, "cert.pem")].concat([
          "--http-tls-key-file",
          join(archive, "key.pem"),
        ]),
      });
      const e = (await r.then(
        () => new Error("expected the start to fail"),
        (err: unknown) => err,
      )) as Error;
      expect(e.message).toContain("exited (78)");
      expect(e.message).toContain(`http.tls.key_file ${join(archive, "key.pem")}`);
      expect(e.message).toContain("[config_invalid]");
    } finally {
      other.remove();
    }
  });
});
