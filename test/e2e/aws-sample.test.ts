// The AWS sample's clients against the real server (compat.aws_sample): the exact commands of its
// current dyndns.sh (curl POST JSON, `egrep -o` for the address, `shasum -a 256` for the hash) and of
// its older API Gateway client (curl GET ?mode=, jq, sha256sum), from
// awslabs/route53-dynamic-dns-with-lambda (Apache-2.0). The credentials are made with the real CLI.
// The client is 127.0.0.1, so the server allows non-global addresses.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";
import { DYNDNS_SH, OLD_CLIENT, bash } from "./support/aws-sample.js";

const SECRET = "SuP3R_5eCR3T";
const CURRENT = "current.dyn.beacon.test";
const OLD = "old.dyn.beacon.test";

describe("the AWS sample's clients", () => {
  const dir = tempDir();
  let beacon: Beacon;

  beforeAll(async () => {
    await seedHosts(dir.path, [CURRENT, OLD]);
    const file = join(dir.path, "secret.txt");
    writeFileSync(file, `${SECRET}\n`);
    for (const host of [CURRENT, OLD]) {
      const r = await runCli(dir.path, ["host", "sample-secret", "set", host, "--secret-file", file]);
      if (r.code !== 0) throw new Error(`sample-secret set failed: ${r.stderr}`);
    }
    beacon = await startBeacon({
      dataDir: dir.path,
      env: { BEACON_COMPAT_AWS_SAMPLE: "true", BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" },
    });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  it("dyndns.sh -m set: 201 updated, then 200 unchanged, and DNS answers the address", async () => {
    if (!peerAvailable("shasum", "perl")) return;
    const env = { url: `${beacon.url}/`, host: CURRENT, secret: SECRET, mode: "set" };
    expect(await bash(DYNDNS_SH, env)).toBe(
      `{"return_status": "success", "return_message": "${CURRENT} has been updated to 127.0.0.1"},{"status_code":"201"}`,
    );
    expect(await bash(DYNDNS_SH, env)).toBe(
      `{"return_status": "success", "return_message": "Your IP address matches the current Route53 DNS record."},{"status_code":"200"}`,
    );
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    expect((await dig(beacon.dnsPort, [CURRENT, "A", "+short"])).raw.trim()).toBe("127.0.0.1");
  });

  it("dyndns.sh with a wrong secret: 401, nothing written", async () => {
    if (!peerAvailable("shasum", "perl")) return;
    const env = { url: `${beacon.url}/`, host: OLD, secret: "wrong", mode: "set" };
    expect(await bash(DYNDNS_SH, env)).toBe(
      `{"return_status": "fail", "return_message": "Validation hashes do not match."},{"status_code":"401"}`,
    );
  });

  it("the API Gateway client (GET ?mode=, jq): success, with the trailing dot it hashes", async () => {
    if (!peerAvailable("jq", "jq")) return;
    const env = {
      myAPIURL: `${beacon.url}/`,
      myHostname: `${OLD}.`,
      mySharedSecret: SECRET,
      apiKey: "ignored",
    };
    expect(await bash(OLD_CLIENT, env)).toBe(
      `success: Your hostname record ${OLD}. has been set to 127.0.0.1\n`,
    );
  });

  it("beacon host sample-secret list shows both credentials, valid, and never the secret", async () => {
    const r = await runCli(dir.path, ["host", "sample-secret", "list", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    expect(
      (JSON.parse(r.stdout) as { fqdn: string; valid: boolean }[]).map((c) => [c.fqdn, c.valid]),
    ).toEqual([
      [CURRENT, true],
      [OLD, true],
    ]);
  });
});
