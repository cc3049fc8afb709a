// Real dyndns2 clients (ddclient, inadyn) and replayed router requests against the real server.
// After each update, dig must return the new address.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { ddclientConfig, inadynConfig, runDdclient, runInadyn } from "./support/clients.js";
import { peerAvailable } from "./support/peers.js";

const ZONE = "dyn.beacon.test";

describe("real clients and router quirks", () => {
  const dir = tempDir();
  let beacon: Beacon;
  let tokens = new Map<string, string>();
  const hosts = ["ddclient", "inadyn", "fritz", "hikvision", "dual"].map((h) => `${h}.${ZONE}`);

  beforeAll(async () => {
    tokens = await seedHosts(dir.path, hosts);
    // As behind a reverse proxy on the same machine: X-Forwarded-For from 127.0.0.1 is trusted.
    beacon = await startBeacon({ dataDir: dir.path, env: { BEACON_HTTP_TRUSTED_PROXIES: "127.0.0.1/32" } });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  const answer = async (name: string, type: string) =>
    (await dig(beacon.dnsPort, [name, type, "+short"])).raw.trim();

  it("ddclient (protocol dyndns2, no TLS) updates a host", async () => {
    if (!peerAvailable("ddclient", "ddclient") || !peerAvailable("dig", "bind9-dnsutils")) return;
    const host = `ddclient.${ZONE}`;
    const r = await runDdclient(
      dir.path,
      ddclientConfig(`127.0.0.1:${beacon.httpPort}`, host, tokens.get(host) ?? "", "81.2.69.142"),
    );
    expect(r.out).toMatch(/SUCCESS:.*ddclient\.dyn\.beacon\.test/);
    expect(await answer(host, "A")).toBe("81.2.69.142");
  });

  it("inadyn (custom provider) updates a host", async () => {
    if (!peerAvailable("inadyn", "inadyn") || !peerAvailable("dig", "bind9-dnsutils")) return;
    const host = `inadyn.${ZONE}`;
    const r = await runInadyn(
      dir.path,
      inadynConfig(`127.0.0.1:${beacon.httpPort}`, host, tokens.get(host) ?? "", "81.2.69.160"),
    );
    expect(r.out).toMatch(/good 81\.2\.69\.160/);
    expect(await answer(host, "A")).toBe("81.2.69.160");
  });

  const send = (host: string, query: string, userAgent = "e2e/1.0", extra: Record<string, string> = {}) =>
    fetch(`${beacon.url}/nic/update?${query}`, {
      headers: { authorization: basic(host, tokens.get(host) ?? ""), "user-agent": userAgent, ...extra },
    }).then((r) => r.text());

  it("FRITZ!Box: FQDN hostname, IPv4 and an IPv6 with /len", async () => {
    const host = `fritz.${ZONE}`;
    const reply = await send(
      host,
      `hostname=${host}&myip=81.2.69.1&myipv6=2a02:8070:1234:5600::1/64`,
      "Fritz!Box DDNS/1.0",
    );
    expect(reply).toBe("good 81.2.69.1,2a02:8070:1234:5600::1");
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    expect(await answer(host, "A")).toBe("81.2.69.1");
    expect(await answer(host, "AAAA")).toBe("2a02:8070:1234:5600::1");
  });

  it("Hikvision: empty myip and legacy parameters use the connection address", async () => {
    const host = `hikvision.${ZONE}`;
    const query = `system=dyndns&hostname=${host}&myip=&wildcard=NOCHG&mx=NOCHG&backmx=NOCHG`;
    // Directly from 127.0.0.1: not a global address, so nothing is published.
    expect(await send(host, query, "Hikvision")).toBe("dnserr");
    // Through the trusted proxy, the client's address is the forwarded one.
    expect(await send(host, query, "Hikvision", { "x-forwarded-for": "81.2.69.3" })).toBe("good 81.2.69.3");
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    expect(await answer(host, "A")).toBe("81.2.69.3");
  });

  it("comma v4,v6 in myip (ddclient ≥3.11 style)", async () => {
    const host = `dual.${ZONE}`;
    expect(await send(host, `hostname=${host}&myip=81.2.69.2,2a02:8070::2`)).toBe(
      "good 81.2.69.2,2a02:8070::2",
    );
    expect(await send(host, `hostname=${host}&myip=81.2.69.2,2a02:8070::2`)).toBe(
      "nochg 81.2.69.2,2a02:8070::2",
    );
    if (!peerAvailable("dig", "bind9-dnsutils")) return;
    expect(await answer(host, "AAAA")).toBe("2a02:8070::2");
  });
});
