// The verdict over real HTTP echo services on 127.0.0.1, some of them lying. In every mix the
// verdict is right, and no accepted observation is ever anything but the true address.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpRequest } from "../../net/http-request.js";
import { httpSource } from "./http.js";
import { fakeDeps } from "./testing/deps.js";
import { startEchoServer, type EchoReply, type EchoServer } from "./testing/echo-server.js";
import type { IpSource } from "./types.js";
import { detectAddress, type Verdict } from "./verdict.js";

const TRUE_IP = "81.2.69.142";
const deps = fakeDeps({ httpRequest: createHttpRequest() });

const ECHOES: Record<string, { operator: string; reply: EchoReply }> = {
  honestIpify: { operator: "ipify", reply: { body: `${TRUE_IP}\n` } },
  honestAws: { operator: "aws", reply: { body: `${TRUE_IP}\n` } },
  honestCloudflare: { operator: "cloudflare", reply: { body: `fl=1\nip=${TRUE_IP}\nts=1\n` } },
  privateAddress: { operator: "liar-private", reply: { body: "192.168.1.1\n" } },
  cgnatAddress: { operator: "liar-cgnat", reply: { body: "100.64.12.34\n" } },
  htmlErrorPage: { operator: "liar-html", reply: { body: "<!DOCTYPE html><title>502 Bad Gateway</title>" } },
  emptyBody: { operator: "liar-empty", reply: { body: "" } },
  status503: { operator: "liar-503", reply: { status: 503, body: TRUE_IP } },
  twoAddresses: { operator: "liar-two", reply: { body: `${TRUE_IP}\n81.2.69.160\n` } },
  slow: { operator: "liar-slow", reply: { stall: true } },
  ownAnycast: { operator: "cloudflare-dns", reply: { body: "ip=1.1.1.1\n" } },
  otherGlobal: { operator: "liar-other", reply: { body: "81.2.69.160\n" } },
};
type Name = keyof typeof ECHOES;
const LIARS: Name[] = [
  "privateAddress",
  "cgnatAddress",
  "htmlErrorPage",
  "emptyBody",
  "status503",
  "twoAddresses",
  "slow",
  "ownAnycast",
];

const servers = new Map<Name, EchoServer>();
beforeAll(async () => {
  for (const name of Object.keys(ECHOES)) servers.set(name, await startEchoServer(ECHOES[name]!.reply));
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

function sources(names: readonly Name[]): IpSource[] {
  return names.map((name) => {
    const pattern = name === "honestCloudflare" || name === "ownAnycast" ? "^ip=(.+)$" : undefined;
    const s = httpSource.settings.parse({
      url: `${servers.get(name)!.url}/`,
      operator: ECHOES[name]!.operator,
      pattern,
    });
    return httpSource.create(name, s, deps);
  });
}

const ownRanges = new Map([["ownAnycast", ["1.1.1.0/24", "1.0.0.0/24", "2606:4700:4700::/48"]]]);
const detect = (names: readonly Name[]) =>
  detectAddress(sources(names), { family: 4, timeoutMs: 300, ownRanges });

function nothingWrongAccepted(v: Verdict): void {
  for (const r of v.report)
    if (r.accepted) expect(r.observation).toMatchObject({ ok: true, ip: { text: TRUE_IP } });
}

const EXPECTED_REJECTION: Partial<Record<Name, string>> = {
  privateAddress: "not_global",
  cgnatAddress: "not_global",
  htmlErrorPage: "unparsable",
  emptyBody: "empty",
  status503: "http_status",
  twoAddresses: "ambiguous",
  slow: "timeout",
  ownAnycast: "own_range",
};

describe("detectAddress over lying echo services", () => {
  it("agrees on the true address with two honest operators among a private address, an HTML error page, an empty body, a 503, two addresses, a slow one and an own-anycast echo", async () => {
    const v = await detect(["honestIpify", "honestAws", ...LIARS]);
    expect(v).toMatchObject({ status: "agreed", ip: { text: TRUE_IP }, votes: 2 });
    for (const liar of LIARS)
      expect(
        v.report.find((r) => r.id === liar),
        liar,
      ).toMatchObject({ accepted: false, rejection: EXPECTED_REJECTION[liar] });
    nothingWrongAccepted(v);
  });

  it("is insufficient with one honest operator among all the liars", async () => {
    const v = await detect(["honestIpify", ...LIARS]);
    expect(v).toMatchObject({ status: "insufficient", candidates: [{ ip: { text: TRUE_IP }, votes: 1 }] });
    nothingWrongAccepted(v);
  });

  it("is insufficient with liars only, and accepts none of them", async () => {
    const v = await detect(LIARS);
    expect(v).toMatchObject({ status: "insufficient", candidates: [] });
    expect(v.report.some((r) => r.accepted)).toBe(false);
  });

  it("reports a disagreement when a source names another global address", async () => {
    const v = await detect(["honestIpify", "honestAws", "honestCloudflare", "otherGlobal", "slow"]);
    expect(v.status).toBe("disagreed");
    if (v.status === "disagreed")
      expect(v.candidates.map((c) => [c.ip.text, c.votes])).toEqual([
        [TRUE_IP, 3],
        ["81.2.69.160", 1],
      ]);
  });

  it("agrees through the Cloudflare trace pattern and a plain echo despite the own-anycast liar", async () => {
    const v = await detect(["honestCloudflare", "honestIpify", "ownAnycast"]);
    expect(v).toMatchObject({ status: "agreed", ip: { text: TRUE_IP }, votes: 2 });
    nothingWrongAccepted(v);
  });
});
