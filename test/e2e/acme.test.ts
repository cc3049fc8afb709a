// ACME DNS-01 through Beacon, with the real clients people use: certbot (its dns-rfc2136 plugin) and
// lego (its rfc2136 provider) each obtain a certificate from a local Pebble (an ACME test CA), which
// checks the challenge by asking Beacon's DNS port for the TXT record (`pebble -dnsserver`). The
// clients put the TXT record into Beacon and remove it with TSIG-signed RFC 2136 UPDATEs. Everything
// is on loopback with free ports; Pebble's own HTTPS listener gets a certificate made here by openssl.
//
// The client settings below are the ones docs/protocols/rfc2136.md shows. Both clients default to
// HMAC-MD5, which Beacon refuses (dns.update.allow_md5 is off): the last test shows what they say then.

import { execFile, execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";
import { startPebble, type Pebble } from "./support/pebble.js";

const ZONE = "acme.beacon.test";

function certbotPluginAvailable(): boolean {
  if (!peerAvailable("certbot", "certbot")) return false;
  // certbot lists its plugins with the Python it runs on (not necessarily the python3 on PATH)
  const plugins = execFileSync("certbot", ["plugins", "--authenticators"], {
    encoding: "utf8",
    stdio: "pipe",
  });
  if (plugins.includes("dns-rfc2136")) return true;
  const why = "certbot's dns-rfc2136 plugin is missing: install python3-certbot-dns-rfc2136";
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`\n!!! SKIPPING certbot tests: ${why}\n`);
  return false;
}

const haveBase =
  peerAvailable("pebble", "pebble") &&
  peerAvailable("openssl", "openssl") &&
  peerAvailable("dig", "bind9-dnsutils");
const haveCertbot = haveBase && certbotPluginAvailable();
const haveLego = haveBase && peerAvailable("lego", "lego");

interface Run {
  readonly code: number;
  readonly out: string;
}

function run(cmd: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, out: stdout + stderr }),
    );
  });
}

/** certbot's credentials file for Beacon (docs/protocols/rfc2136.md shows the same lines). */
function certbotIni(port: number, keyName: string, secret: string, algorithm: string | undefined): string {
  return [
    "dns_rfc2136_server = 127.0.0.1",
    `dns_rfc2136_port = ${port}`,
    `dns_rfc2136_name = ${keyName}`,
    `dns_rfc2136_secret = ${secret}`,
    ...(algorithm === undefined ? [] : [`dns_rfc2136_algorithm = ${algorithm}`]),
    "",
  ].join("\n");
}

/** lego's environment for Beacon (docs/protocols/rfc2136.md shows the same variables). */
function legoEnv(port: number, keyName: string, secret: string, algorithm: string | undefined) {
  return {
    RFC2136_NAMESERVER: `127.0.0.1:${port}`,
    RFC2136_TSIG_KEY: keyName,
    RFC2136_TSIG_SECRET: secret,
    ...(algorithm === undefined ? {} : { RFC2136_TSIG_ALGORITHM: algorithm }),
    RFC2136_PROPAGATION_TIMEOUT: "60",
    RFC2136_POLLING_INTERVAL: "1",
  };
}

describe.skipIf(!haveCertbot && !haveLego)(
  "ACME DNS-01 through Beacon: certbot and lego against Pebble",
  () => {
    const dir = tempDir();
    let beacon: Beacon;
    let pebble: Pebble;
    const secrets = new Map<string, string>();

    beforeAll(async () => {
      await createDatabase(dir.path);
      expect((await runCli(dir.path, ["zone", "add", ZONE])).code).toBe(0);
      for (const key of ["certbot.key", "lego.key"]) {
        // what an ACME client needs: TXT records anywhere in the zone, nothing else
        const r = await runCli(dir.path, ["key", "add", key, "--subtree", ZONE, "--type", "TXT", "--json"]);
        expect(r.code, r.stderr).toBe(0);
        secrets.set(key, (JSON.parse(r.stdout) as { secret: string }).secret);
      }
      beacon = await startBeacon({ dataDir: dir.path, env: { BEACON_DEMO_ENABLED: "false" } });
      pebble = await startPebble(dir.path, beacon.dnsPort);
    }, 60_000);

    afterAll(async () => {
      await pebble?.stop();
      await beacon?.stop();
      dir.remove();
    });

    /** The certificate a client saved: issued by Pebble for exactly `name`. */
    function expectCertificateFor(file: string, name: string): void {
      const cert = new X509Certificate(readFileSync(file));
      expect(cert.subjectAltName).toBe(`DNS:${name}`);
      expect(cert.issuer).toMatch(/Pebble Intermediate CA/);
    }

    /** The challenge record is gone again: the name answers NXDOMAIN (a host without records). */
    async function expectChallengeRemoved(name: string): Promise<void> {
      const txt = await dig(beacon.dnsPort, [`_acme-challenge.${name}`, "TXT"]);
      expect(txt.status).toBe("NXDOMAIN");
    }

    it.skipIf(!haveCertbot)(
      "certbot (dns-rfc2136, HMAC-SHA256) obtains a certificate",
      async () => {
        const name = `www.${ZONE}`;
        const ini = join(dir.path, "rfc2136.ini");
        writeFileSync(
          ini,
          certbotIni(beacon.dnsPort, "certbot.key", secrets.get("certbot.key")!, "HMAC-SHA256"),
        );
        chmodSync(ini, 0o600); // certbot warns about credentials others can read
        const r = await certbot(ini, "certbot", name);
        expect(r.code, `${r.out}\n${pebble.log()}`).toBe(0);
        expectCertificateFor(join(dir.path, "certbot", "config", "live", name, "fullchain.pem"), name);
        await expectChallengeRemoved(name);
        expect(beacon.stderr()).not.toContain("UPDATE refused");
      },
      120_000,
    );

    it.skipIf(!haveLego)(
      "lego (rfc2136, RFC2136_TSIG_ALGORITHM=hmac-sha256.) obtains a certificate",
      async () => {
        const name = `www2.${ZONE}`;
        const r = await lego(
          "lego",
          name,
          legoEnv(beacon.dnsPort, "lego.key", secrets.get("lego.key")!, "hmac-sha256."),
        );
        expect(r.code, `${r.out}\n${pebble.log()}`).toBe(0);
        expectCertificateFor(join(dir.path, "lego", "certificates", `${name}.crt`), name);
        await expectChallengeRemoved(name);
        expect(beacon.stderr()).not.toContain("UPDATE refused");
      },
      120_000,
    );

    it("without an algorithm setting both sign with HMAC-MD5, which Beacon refuses (BADKEY), and say so", async () => {
      if (haveCertbot) {
        const ini = join(dir.path, "md5.ini");
        writeFileSync(ini, certbotIni(beacon.dnsPort, "certbot.key", secrets.get("certbot.key")!, undefined));
        chmodSync(ini, 0o600);
        const r = await certbot(ini, "certbot-md5", `md5.${ZONE}`);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("The peer didn't know the key we used");
      }
      if (haveLego) {
        const r = await lego(
          "lego-md5",
          `md5-lego.${ZONE}`,
          legoEnv(beacon.dnsPort, "lego.key", secrets.get("lego.key")!, undefined),
        );
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("dns: bad authentication");
        // Beacon logs the refused UPDATE, naming the key and the answer
        expect(beacon.stderr()).toMatch(
          /"key":"lego\.key".*"answer":"NOTAUTH\/BADKEY".*"msg":"UPDATE refused"/,
        );
      }
    }, 120_000);

    function certbot(ini: string, sub: string, name: string): Promise<Run> {
      const base = join(dir.path, sub);
      return run(
        "certbot",
        [
          "certonly",
          "--non-interactive",
          "--agree-tos",
          "--register-unsafely-without-email",
          "--server",
          pebble.directory,
          "--config-dir",
          join(base, "config"),
          "--work-dir",
          join(base, "work"),
          "--logs-dir",
          join(base, "logs"),
          "--authenticator",
          "dns-rfc2136",
          "--dns-rfc2136-credentials",
          ini,
          // Beacon answers with the new record in the same tick as the UPDATE's reply
          "--dns-rfc2136-propagation-seconds",
          "1",
          "-d",
          name,
        ],
        { REQUESTS_CA_BUNDLE: pebble.caFile },
      );
    }

    function lego(sub: string, name: string, env: Record<string, string>): Promise<Run> {
      return run(
        "lego",
        [
          "--server",
          pebble.directory,
          "--accept-tos",
          "--email",
          "acme@example.org",
          "--path",
          join(dir.path, sub),
          "--dns",
          "rfc2136",
          // lego checks the record at the zone's name servers on port 53; here Beacon is on a test port
          "--dns.resolvers",
          `127.0.0.1:${beacon.dnsPort}`,
          "--dns.disable-cp",
          "-d",
          name,
          "run",
        ],
        { LEGO_CA_CERTIFICATES: pebble.caFile, ...env },
      );
    }
  },
);
