import { afterAll, describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import type { IpFamily } from "../../core/ip.js";
import { createDnsQuery } from "../../dns/client/query.js";
import { reply, startFakeResolver, txt, type FakeResolver } from "../../dns/testing/fake-resolver.js";
import type { DnsQueryOptions, DnsReply } from "../../dns/client/ports.js";
import { dnsSource } from "./dns.js";
import { fakeDeps } from "./testing/deps.js";

function recording(answer: DnsReply | Error) {
  const calls: DnsQueryOptions[] = [];
  const deps = fakeDeps({
    dnsQuery: (o) => {
      calls.push(o);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  });
  return { calls, deps };
}

const ctx = (family: IpFamily) => ({ family, signal: AbortSignal.timeout(5000), localAddress: "10.1.1.1" });

describe("dns source presets", () => {
  it.each<[string, IpFamily, Partial<DnsQueryOptions>]>([
    ["opendns", 4, { server: "208.67.222.222", name: "myip.opendns.com", type: "A", qclass: "IN" }],
    ["opendns", 6, { server: "2620:119:35::35", name: "myip.opendns.com", type: "AAAA", qclass: "IN" }],
    ["cloudflare", 4, { server: "1.1.1.1", name: "whoami.cloudflare", type: "TXT", qclass: "CH" }],
    [
      "cloudflare",
      6,
      { server: "2606:4700:4700::1111", name: "whoami.cloudflare", type: "TXT", qclass: "CH" },
    ],
    ["google", 4, { server: "216.239.32.10", name: "o-o.myaddr.l.google.com", type: "TXT", qclass: "IN" }],
    [
      "google",
      6,
      { server: "2001:4860:4802:32::a", name: "o-o.myaddr.l.google.com", type: "TXT", qclass: "IN" },
    ],
  ])("%s over IPv%s asks the documented question", async (preset, family, expected) => {
    const { calls, deps } = recording({ rcode: "NOERROR", answers: [] });
    const src = dnsSource.create("d", dnsSource.settings.parse({ preset }), deps);
    await src.observe(ctx(family));
    expect(calls[0]).toMatchObject({ ...expected, port: 53, localAddress: "10.1.1.1" });
    expect(src.operator).toBe(preset);
    expect(src.families).toEqual([4, 6]);
  });
});

describe("dns source answers", () => {
  const observe = async (answer: DnsReply | Error, family: IpFamily = 4) => {
    const { deps } = recording(answer);
    return dnsSource.create("d", dnsSource.settings.parse({ preset: "google" }), deps).observe(ctx(family));
  };

  it("ignores Google's edns0-client-subnet string beside the address", async () => {
    expect(
      await observe({ rcode: "NOERROR", answers: ["edns0-client-subnet 81.2.69.0/24", "81.2.69.142"] }),
    ).toEqual({ ok: true, ip: { text: "81.2.69.142", family: 4 } });
  });

  it.each<[string, DnsReply | Error, string, IpFamily?]>([
    ["NXDOMAIN", { rcode: "NXDOMAIN", answers: [] }, "no_address"],
    ["SERVFAIL", { rcode: "SERVFAIL", answers: [] }, "no_address"],
    ["no answer records", { rcode: "NOERROR", answers: [] }, "no_address"],
    ["an empty TXT string", { rcode: "NOERROR", answers: [""] }, "empty"],
    ["a TXT string that is not an address", { rcode: "NOERROR", answers: ["hello"] }, "unparsable"],
    ["two different addresses", { rcode: "NOERROR", answers: ["81.2.69.142", "81.2.69.160"] }, "ambiguous"],
    ["an IPv4 answer to an IPv6 question", { rcode: "NOERROR", answers: ["81.2.69.142"] }, "wrong_family", 6],
    ["a malformed reply", new BeaconError("malformed_reply", "bad"), "unparsable"],
    ["a network error", new BeaconError("network_error", "unreachable"), "network"],
  ])("fails on %s", async (_t, answer, reason, family) => {
    expect(await observe(answer, family ?? 4)).toMatchObject({ ok: false, reason });
  });
});

describe("dns source settings", () => {
  it("derives families of a custom source from its type or its server", () => {
    const fams = (s: object) => dnsSource.create("d", dnsSource.settings.parse(s), fakeDeps()).families;
    expect(fams({ server: "192.0.2.53", name: "me.example", type: "A" })).toEqual([4]);
    expect(fams({ server: "192.0.2.53", name: "me.example", type: "AAAA" })).toEqual([6]);
    expect(fams({ server: "2001:db8::53", name: "me.example", type: "TXT" })).toEqual([6]);
    expect(fams({ server: "192.0.2.53", name: "me.example", families: [4, 6] })).toEqual([4, 6]);
  });

  it.each([
    ["neither preset nor server", { name: "me.example" }],
    ["a server that is a hostname", { server: "resolver1.opendns.com", name: "me.example" }],
    ["an unknown preset", { preset: "quad9" }],
    ["port 0", { preset: "opendns", port: 0 }],
    ["class HS", { preset: "opendns", class: "HS" }],
  ])("rejects %s", (_t, input) => {
    expect(dnsSource.settings.safeParse(input).success).toBe(false);
  });
});

describe("dns source through the real stub resolver", () => {
  let resolver: FakeResolver;
  afterAll(async () => {
    await resolver.close();
  });

  it("reads Cloudflare's whoami TXT (class CH) from a server on 127.0.0.1", async () => {
    resolver = await startFakeResolver((q) =>
      q.name === "whoami.cloudflare" && q.class === "CH"
        ? [reply(q, { answers: [txt(q, "81.2.69.142")] })]
        : [],
    );
    const s = dnsSource.settings.parse({ preset: "cloudflare", server: "127.0.0.1", port: resolver.port });
    const obs = await dnsSource
      .create("cf", s, fakeDeps({ dnsQuery: createDnsQuery() }))
      .observe({ family: 4, signal: AbortSignal.timeout(5000), localAddress: undefined });
    expect(obs).toEqual({ ok: true, ip: { text: "81.2.69.142", family: 4 } });
  });
});
