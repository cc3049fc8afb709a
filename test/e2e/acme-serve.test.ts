// Automatic certificates end to end: `beacon serve` with acme.enabled obtains its own certificate from a
// real ACME CA (Debian's Pebble, `-dnsserver` pointed at Beacon's DNS port) by DNS-01, writing the
// `_acme-challenge` TXT records into its own zone through the update service and removing them after.
// The issued chain is checked against Pebble's root (its management API's /roots/0) with openssl and
// node:crypto, and `curl --cacert <root>` verifies Beacon's own HTTPS listener, which serves the
// certificate ACME installed; a restart serves the stored certificate without a new order. Then HTTP-01:
// Pebble fetches the token from Beacon's HTTP listener (its `httpPort` is that listener's port).

import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, httpsPort, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { peerAvailable } from "./support/peers.js";
import { freePort, startPebble, type Pebble } from "./support/pebble.js";

const ZONE = "acme-serve.beacon.test";
const NAMES = [`www.${ZONE}`, ZONE];

const havePeers =
  peerAvailable("pebble", "pebble") && peerAvailable("openssl", "openssl") && peerAvailable("curl", "curl");

/** GET over https trusting only `caFile`. */
function httpsGet(url: string, caFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(caFile), timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}: ${body}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** Polls `check` every 200 ms, at most `tries` times. */
async function until(check: () => boolean, tries: number, what: () => string): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 200));
  if (!check()) throw new Error(`timed out: ${what()}`);
}

/** The chain's leaf, once openssl verified the chain against Pebble's root (management /roots/0). */
async function verifiedLeaf(pebble: Pebble, dir: string, chain: string): Promise<X509Certificate> {
  const root = await httpsGet(`${pebble.management}/roots/0`, pebble.caFile);
  const certs = chain.split(/(?<=-----END CERTIFICATE-----)\s*/).filter((c) => c.includes("BEGIN"));
  expect(certs.length).toBeGreaterThanOrEqual(2);
  const files = { root: join(dir, "root.pem"), leaf: join(dir, "leaf.pem"), rest: join(dir, "rest.pem") };
  writeFileSync(files.root, root);
  writeFileSync(files.leaf, certs[0] ?? "");
  writeFileSync(files.rest, certs.slice(1).join("\n"));
  const verified = execFileSync(
    "openssl",
    ["verify", "-CAfile", files.root, "-untrusted", files.rest, files.leaf],
    {
      encoding: "utf8",
    },
  );
  expect(verified.trim()).toBe(`${files.leaf}: OK`);
  return new X509Certificate(certs[0] ?? "");
}

/** The certificate chain the store holds (no HTTPS listener to ask in this worktree); throws if none. */
function storedChain(dataDir: string): { chain_pem: string; issued_at: number } {
  const db = new Database(join(dataDir, "beacon.db"), { readonly: true });
  try {
    const row = db.prepare("select chain_pem, issued_at from acme_states where id = 'server'").get() as
      { chain_pem: string | null; issued_at: number | null } | undefined;
    if (row?.chain_pem == null || row.issued_at === null) throw new Error("no certificate stored");
    return { chain_pem: row.chain_pem, issued_at: row.issued_at };
  } finally {
    db.close();
  }
}

const hasStoredChain = (dataDir: string): boolean => {
  try {
    return storedChain(dataDir).chain_pem.length > 0;
  } catch {
    return false;
  }
};

/** Starts Beacon and waits until it installed a certificate. */
async function startWithCertificate(
  opts: Parameters<typeof startBeacon>[0],
  pebble: Pebble,
): Promise<Beacon> {
  const b = await startBeacon(opts);
  // installed first (the listener checks the pair), stored just after
  await until(
    () => b.stderr().includes("acme: certificate installed") && hasStoredChain(opts.dataDir),
    300,
    () => `no certificate installed\n--- beacon:\n${b.stderr()}\n--- pebble:\n${pebble.log()}`,
  );
  return b;
}

describe.skipIf(!havePeers)("beacon serve obtains its certificate from Pebble by DNS-01", () => {
  const dir = tempDir();
  let pebble: Pebble;
  let beacon: Beacon;
  let env: Record<string, string>;
  let args: string[];

  const start = () => startWithCertificate({ dataDir: dir.path, env, args }, pebble);
  const stored = () => storedChain(dir.path);

  beforeAll(async () => {
    await createDatabase(dir.path);
    expect((await runCli(dir.path, ["zone", "add", ZONE])).code).toBe(0);
    // Pebble must know Beacon's DNS port before Beacon knows Pebble's directory: a port chosen first
    // (an extra listener beside startBeacon's port 0).
    const dnsPort = await freePort();
    pebble = await startPebble(dir.path, dnsPort);
    env = {
      BEACON_DEMO_ENABLED: "false",
      BEACON_ACME_ENABLED: "true",
      BEACON_ACME_DIRECTORY_URL: pebble.directory,
      BEACON_ACME_CA_FILE: pebble.caFile,
      BEACON_ACME_NAMES: NAMES.join(","),
      BEACON_ACME_EMAIL: "ops@example.com",
    };
    // http.plain all: /metrics stays readable over plain HTTP here (the default redirects it to HTTPS).
    args = [
      "--dns-listen",
      `127.0.0.1:${dnsPort}`,
      "--http-tls-listen",
      "127.0.0.1:0",
      "--http-plain",
      "all",
    ];
    beacon = await start();
  }, 90_000);

  afterAll(async () => {
    await beacon?.stop();
    await pebble?.stop();
    dir.remove();
  });

  it("the issued chain verifies against Pebble's root, for exactly the configured names", async () => {
    const leaf = await verifiedLeaf(pebble, dir.path, stored().chain_pem);
    for (const name of NAMES) expect(leaf.checkHost(name), name).toBe(name);
    expect(leaf.checkHost(`other.${ZONE}`)).toBeUndefined();
    expect(leaf.subjectAltName?.split(", ").sort()).toEqual(NAMES.map((n) => `DNS:${n}`).sort());
    // A certificate that verifies against another root does not: the check above can fail.
    const own = new X509Certificate(readFileSync(pebble.caFile));
    expect(leaf.verify(own.publicKey)).toBe(false);
  });

  /** curl over HTTPS to Beacon as `name`, verifying against Pebble's issuing root only. */
  async function curlAs(name: string): Promise<{ code: number; out: string }> {
    const root = join(dir.path, "issuing-root.pem");
    writeFileSync(root, await httpsGet(`${pebble.management}/roots/0`, pebble.caFile));
    const port = httpsPort(beacon);
    expect(port).toBeGreaterThan(0);
    const url = `https://${name}:${port}/healthz`;
    const args = [
      "-sS",
      "--cacert",
      root,
      "--resolve",
      `${name}:${port}:127.0.0.1`,
      "-w",
      "%{http_code}",
      url,
    ];
    try {
      return { code: 0, out: execFileSync("curl", args, { encoding: "utf8", stdio: "pipe" }) };
    } catch (e) {
      const err = e as { status?: number; stderr?: string };
      return { code: err.status ?? -1, out: err.stderr ?? "" };
    }
  }

  it("curl verifies Beacon's HTTPS against Pebble's root, for each name and no other", async () => {
    for (const name of NAMES) {
      const r = await curlAs(name);
      expect(r.code, `${name}: ${r.out}`).toBe(0);
      expect(r.out).toMatch(/200$/);
    }
    // The same certificate does not vouch for a name it was not issued for (curl exit 60).
    const other = await curlAs(`other.${ZONE}`);
    expect(other.code).toBe(60);
  });

  it("wrote the challenges through the update service (history says acme) and removed them", async () => {
    for (const name of NAMES) {
      const fqdn = `_acme-challenge.${name}`;
      const r = await runCli(dir.path, ["history", fqdn, "--all", "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const entries = JSON.parse(r.stdout) as { protocol: string; type: string; newValues?: string[] }[];
      expect(entries.map((e) => e.protocol)).toEqual(["acme", "acme"]);
      // newest first: the delete, then the TXT value Pebble checked
      expect(entries.map((e) => e.newValues === undefined)).toEqual([true, false]);
    }
    const hosts = await runCli(dir.path, ["host", "list", "--json"], env);
    expect(hosts.stdout).not.toContain("_acme-challenge");
  });

  it("`beacon acme status` and /metrics show the certificate", async () => {
    const leaf = new X509Certificate(stored().chain_pem);
    const r = await runCli(dir.path, ["acme", "status", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as Record<string, unknown> & { certificate: Record<string, unknown> };
    expect(status).toMatchObject({ enabled: true, names: NAMES, failures: 0, lastError: null });
    expect(status.certificate).toMatchObject({ names: NAMES, matchesNames: true });
    expect(Date.parse(status.certificate["notAfter"] as string)).toBe(Date.parse(leaf.validTo));
    expect(r.stdout).not.toContain("PRIVATE KEY");
    const metrics = await (await fetch(`${beacon.url}/metrics`)).text();
    const notAfter = /^beacon_acme_certificate_not_after_seconds (\d+)$/m.exec(metrics)?.[1];
    expect(Number(notAfter)).toBe(Date.parse(leaf.validTo) / 1000);
    expect(metrics).toMatch(/^beacon_acme_failures_total 0$/m);
  });

  it("after a restart serves the stored certificate and orders nothing", async () => {
    const before = stored();
    await beacon.stop();
    beacon = await start();
    // give a wrongly started order time to show in the log
    await new Promise((r) => setTimeout(r, 1500));
    expect(beacon.stderr()).not.toContain("ordering a certificate");
    expect(stored()).toEqual(before);
    const r = await curlAs(NAMES[0] ?? "");
    expect(r.code, r.out).toBe(0);
  }, 60_000);
});

describe.skipIf(!havePeers)("beacon serve obtains its certificate from Pebble by HTTP-01", () => {
  const zone = "acme-http.beacon.test";
  const name = `www.${zone}`;
  const dir = tempDir();
  let pebble: Pebble;
  let beacon: Beacon | undefined;

  beforeAll(async () => {
    await createDatabase(dir.path);
    expect((await runCli(dir.path, ["zone", "add", zone])).code).toBe(0);
    const added = await runCli(dir.path, ["host", "add", name, "--json"]);
    const token = (JSON.parse(added.stdout) as { token: string }).token;
    // Pebble resolves the name through Beacon and fetches the token from Beacon's HTTP port.
    const [dnsPort, httpPort] = [await freePort(), await freePort()];
    pebble = await startPebble(dir.path, dnsPort, httpPort);
    const env = { BEACON_DEMO_ENABLED: "false", BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" };
    const args = ["--dns-listen", `127.0.0.1:${dnsPort}`, "--http-listen", `127.0.0.1:${httpPort}`];
    // First without ACME: the name gets its address (loopback, allowed here), as a router would set it.
    const plain = await startBeacon({ dataDir: dir.path, env, args });
    const auth = `Basic ${Buffer.from(`${name}:${token}`).toString("base64")}`;
    const res = await fetch(`${plain.url}/nic/update?hostname=${name}&myip=127.0.0.1`, {
      headers: { authorization: auth, "user-agent": "acme-serve-test/1.0" },
    });
    expect(await res.text()).toMatch(/^good 127\.0\.0\.1/);
    await plain.stop();
    beacon = await startWithCertificate(
      {
        dataDir: dir.path,
        env: {
          ...env,
          BEACON_ACME_ENABLED: "true",
          BEACON_ACME_DIRECTORY_URL: pebble.directory,
          BEACON_ACME_CA_FILE: pebble.caFile,
          BEACON_ACME_NAMES: name,
          BEACON_ACME_CHALLENGE: "http-01",
          BEACON_ACME_KEY_TYPE: "rsa",
        },
        args,
      },
      pebble,
    );
  }, 90_000);

  afterAll(async () => {
    await beacon?.stop();
    await pebble?.stop();
    dir.remove();
  });

  it("the issued chain verifies against Pebble's root; no TXT record was written; the token is gone", async () => {
    const leaf = await verifiedLeaf(pebble, dir.path, storedChain(dir.path).chain_pem);
    expect(leaf.checkHost(name)).toBe(name);
    expect(leaf.publicKey.asymmetricKeyType).toBe("rsa");
    const history = await runCli(dir.path, ["history", `_acme-challenge.${name}`, "--all", "--json"]);
    expect(JSON.parse(history.stdout)).toEqual([]);
    const res = await fetch(
      `${beacon?.url}/.well-known/acme-challenge/LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0`,
    );
    expect(res.status).toBe(404);
  });
});

describe("beacon serve refuses ACME settings its zones contradict", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("dns-01 for a name outside every zone: exits with config_invalid naming the name", async () => {
    await createDatabase(dir.path);
    expect((await runCli(dir.path, ["zone", "add", "served.beacon.test"])).code).toBe(0);
    const env = {
      BEACON_DEMO_ENABLED: "false",
      BEACON_ACME_ENABLED: "true",
      BEACON_ACME_NAMES: "www.served.beacon.test,www.elsewhere.example",
      BEACON_ACME_CHALLENGE: "dns-01",
    };
    await expect(startBeacon({ dataDir: dir.path, env })).rejects.toThrow(
      /acme\.names: www\.elsewhere\.example is not inside a zone this server serves/,
    );
  });
});
