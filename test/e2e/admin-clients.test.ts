// The client configurations the admin console hands out (src/services/client-configs.ts), run with
// the real clients against the real server: the generated ddclient.conf with Debian's ddclient, the
// generated curl command with curl, the generated inadyn.conf with inadyn. After each, dig must
// answer with the address the client published. The server allows non-global addresses here, so the
// address the clients detect through the server's /ip (127.0.0.1) can be published.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientConfigs } from "../../src/services/client-configs.js";
import { seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { runDdclient, runInadyn, runProgram } from "./support/clients.js";
import { peerAvailable } from "./support/peers.js";

const ZONE = "dyn.beacon.test";

describe("generated client configurations with real clients", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let tokens = new Map<string, string>();
  const hosts = ["ddclient", "curl", "inadyn"].map((h) => `${h}.${ZONE}`);

  beforeAll(async () => {
    tokens = await seedHosts(dir.path, hosts);
    beacon = await startBeacon({ dataDir: dir.path, env: { BEACON_UPDATES_ALLOW_NON_GLOBAL: "true" } });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  const configsFor = (fqdn: string) =>
    clientConfigs({ serverUrl: beacon.url, fqdn, token: tokens.get(fqdn) ?? "" });
  const answer = async (name: string) => (await dig(beacon.dnsPort, [name, "A", "+short"])).raw.trim();

  it("ddclient with the generated ddclient.conf", async () => {
    if (!peerAvailable("ddclient", "ddclient") || !peerAvailable("dig", "bind9-dnsutils")) return;
    const host = `ddclient.${ZONE}`;
    const r = await runDdclient(dir.path, configsFor(host).ddclient);
    expect(r.out).toMatch(/SUCCESS:.*ddclient\.dyn\.beacon\.test/);
    expect(await answer(host)).toBe("127.0.0.1");
  });

  it("curl with the generated command", async () => {
    if (!peerAvailable("curl", "curl") || !peerAvailable("dig", "bind9-dnsutils")) return;
    const host = `curl.${ZONE}`;
    const r = await runProgram("sh", ["-c", `${configsFor(host).curl.trim()} -sS`]);
    expect(r.out.trim()).toBe("good 127.0.0.1");
    expect(await answer(host)).toBe("127.0.0.1");
  });

  it("inadyn with the generated custom provider", async () => {
    if (!peerAvailable("inadyn", "inadyn") || !peerAvailable("dig", "bind9-dnsutils")) return;
    const host = `inadyn.${ZONE}`;
    const r = await runInadyn(dir.path, `period = 60\n${configsFor(host).inadyn}`);
    expect(r.out).toMatch(/good 127\.0\.0\.1/);
    expect(await answer(host)).toBe("127.0.0.1");
  });
});
