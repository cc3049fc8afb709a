import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import {
  CLIENT_V4,
  CLIENT_V6,
  OTHER_V4,
  OTHER_V6,
  UA,
  basic,
  createFixture,
  type Fixture,
} from "../testing/fixture.js";

let f: Fixture;
let token: string;

beforeEach(async () => {
  f = await createFixture();
  token = await f.token(["home.example.com", "office.example.com"]);
});

async function update(
  query: string,
  headers: Record<string, string> = basic("home.example.com", token),
  socket?: string,
) {
  const res = await f.request(`/nic/update?${query}`, { headers }, socket);
  return { status: res.status, body: await res.text(), res };
}

describe("dyndns2 updates", () => {
  it("answers good, then nochg for the same address, and stores the A set", async () => {
    expect(await update(`hostname=home.example.com&myip=${OTHER_V4}`)).toMatchObject({
      status: 200,
      body: `good ${OTHER_V4}`,
    });
    expect(await update(`hostname=home.example.com&myip=${OTHER_V4}`)).toMatchObject({
      status: 200,
      body: `nochg ${OTHER_V4}`,
    });
    expect(await f.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 60, values: [OTHER_V4] }]);
    const r = await update(`hostname=home.example.com&myip=${OTHER_V4}`);
    expect(r.res.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("serves /v3/update the same way", async () => {
    const res = await f.request(`/v3/update?hostname=home.example.com&myip=${OTHER_V4}`, {
      headers: basic("home.example.com", token),
    });
    expect(await res.text()).toBe(`good ${OTHER_V4}`);
  });

  it("accepts POST with an urlencoded body", async () => {
    const res = await f.request("/nic/update", {
      method: "POST",
      headers: { ...basic("x", token), "content-type": "application/x-www-form-urlencoded" },
      body: `hostname=home.example.com&myip=${OTHER_V4}`,
    });
    expect(await res.text()).toBe(`good ${OTHER_V4}`);
  });

  it("sets both families from a v4,v6 comma list and replies `good v4,v6`", async () => {
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4},${OTHER_V6}`)).body).toBe(
      `good ${OTHER_V4},${OTHER_V6}`,
    );
    expect(await f.rrsets("home.example.com")).toEqual([
      { type: "A", ttl: 60, values: [OTHER_V4] },
      { type: "AAAA", ttl: 60, values: [OTHER_V6] },
    ]);
    // v6 first in the list: the reply still shows v4 first.
    expect((await update(`hostname=home.example.com&myip=${OTHER_V6},${OTHER_V4}`)).body).toBe(
      `nochg ${OTHER_V4},${OTHER_V6}`,
    );
  });

  it("takes the IPv6 from myipv6, myip6 or ipv6 and keeps A from myip", async () => {
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4}&myipv6=${OTHER_V6}`)).body).toBe(
      `good ${OTHER_V4},${OTHER_V6}`,
    );
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4}&myip6=${CLIENT_V6}`)).body).toBe(
      `good ${OTHER_V4},${CLIENT_V6}`,
    );
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4}&ipv6=${OTHER_V6}`)).body).toBe(
      `good ${OTHER_V4},${OTHER_V6}`,
    );
  });

  it("myipv6=no leaves AAAA untouched", async () => {
    await update(`hostname=home.example.com&myip=${OTHER_V4},${OTHER_V6}`);
    expect((await update(`hostname=home.example.com&myip=${CLIENT_V4},${CLIENT_V6}&myipv6=no`)).body).toBe(
      `good ${CLIENT_V4}`,
    );
    expect(await f.rrsets("home.example.com")).toEqual([
      { type: "A", ttl: 60, values: [CLIENT_V4] },
      { type: "AAAA", ttl: 60, values: [OTHER_V6] },
    ]);
  });

  it("sending only v4 leaves an existing AAAA set as it is", async () => {
    await update(`hostname=home.example.com&myip=${OTHER_V4},${OTHER_V6}`);
    expect((await update(`hostname=home.example.com&myip=${CLIENT_V4}`)).body).toBe(`good ${CLIENT_V4}`);
    expect((await f.rrsets("home.example.com")).map((s) => s.values[0])).toEqual([CLIENT_V4, OTHER_V6]);
  });

  it("FRITZ!Box: FQDN hostname, myip v4 and myipv6 with a /64 prefix length", async () => {
    const r = await update(`hostname=home.example.com&myip=${OTHER_V4}&myipv6=2a02:8070:a1b2:1::1/64`);
    expect(r.body).toBe(`good ${OTHER_V4},2a02:8070:a1b2:1::1`);
    expect((await f.rrsets("home.example.com")).find((s) => s.type === "AAAA")?.values).toEqual([
      "2a02:8070:a1b2:1::1",
    ]);
  });

  it("Hikvision: empty myip and legacy wildcard/mx/backmx use the client address", async () => {
    const r = await update(
      "hostname=home.example.com&myip=&wildcard=NOCHG&mx=NOCHG&backmx=NOCHG",
      undefined,
      "::ffff:" + CLIENT_V4,
    );
    expect(r.body).toBe(`good ${CLIENT_V4}`);
    expect(await f.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 60, values: [CLIENT_V4] }]);
  });

  it("absent myip from an IPv6 connection sets AAAA only", async () => {
    const r = await update("hostname=home.example.com&offline=NO&system=dyndns", undefined, CLIENT_V6);
    expect(r.body).toBe(`good ${CLIENT_V6}`);
    expect(await f.rrsets("home.example.com")).toEqual([{ type: "AAAA", ttl: 60, values: [CLIENT_V6] }]);
  });

  it("updates several hosts, one line each in request order, trailing dot accepted", async () => {
    const r = await update(`hostname=office.example.com.,home.example.com&myip=${OTHER_V4}`);
    expect(r.body).toBe(`good ${OTHER_V4}\ngood ${OTHER_V4}`);
    expect((await update(`hostname=home.example.com, ,office.example.com,&myip=${OTHER_V4}`)).body).toBe(
      `nochg ${OTHER_V4}\nnochg ${OTHER_V4}`,
    );
  });

  it("answers nohost for names outside the token scope and unknown hosts, notfqdn for invalid ones, and updates the rest", async () => {
    await f.zones.addHost("ghost.example.com");
    const r = await update(
      `hostname=lab.example.com,home.example.com,unknown.example.com,bare,office.example.com,ghost.example.com,bad_name!.example.com&myip=${OTHER_V4}`,
    );
    expect(r.body.split("\n")).toEqual([
      "nohost", // exists, not in scope
      `good ${OTHER_V4}`,
      "nohost", // not in scope (and does not exist)
      "notfqdn",
      `good ${OTHER_V4}`,
      "nohost",
      "notfqdn",
    ]);
    expect(await f.rrsets("lab.example.com")).toEqual([]);
    expect(await f.rrsets("ghost.example.com")).toEqual([]);
    expect(await f.rrsets("office.example.com")).toEqual([{ type: "A", ttl: 60, values: [OTHER_V4] }]);
  });

  it("accepts the label form when it names exactly one host of the token's scope", async () => {
    expect((await update(`hostname=home&myip=${OTHER_V4}`)).body).toBe(`good ${OTHER_V4}`);
    expect(await f.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 60, values: [OTHER_V4] }]);
    const sub = await f.token(["example.com"], { subtree: true });
    expect((await update(`hostname=office,nothere&myip=${OTHER_V4}`, basic("x", sub))).body).toBe(
      `good ${OTHER_V4}\nnohost`,
    );
  });

  it("answers nohost for an unknown host inside the token's subtree (never creates hosts)", async () => {
    const sub = await f.token(["example.com"], { subtree: true });
    expect((await update(`hostname=new.example.com&myip=${OTHER_V4}`, basic("x", sub))).body).toBe("nohost");
    expect(await f.store.getHost("new.example.com")).toBeUndefined();
  });

  it("answers nohost when the token lacks the record type (AAAA)", async () => {
    const v4only = await f.token(["home.example.com"], { types: ["A"] });
    expect(
      (await update(`hostname=home.example.com&myip=${OTHER_V4},${OTHER_V6}`, basic("x", v4only))).body,
    ).toBe("nohost");
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4}`, basic("x", v4only))).body).toBe(
      `good ${OTHER_V4}`,
    );
  });

  it("returns numhost once for 21 hostnames and changes nothing", async () => {
    const names = Array.from({ length: 21 }, () => "home.example.com").join(",");
    expect(await update(`hostname=${names}&myip=${OTHER_V4}`)).toMatchObject({
      status: 200,
      body: "numhost",
    });
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("accepts exactly 20 hostnames; a repeated name gets its first line again and is recorded once", async () => {
    const names = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? "home.example.com" : "HOME.example.com.",
    ).join(",");
    const lines = (await update(`hostname=${names}&myip=${OTHER_V4}`)).body.split("\n");
    expect(lines).toEqual(Array.from({ length: 20 }, () => `good ${OTHER_V4}`));
    expect((await f.store.listHistory("home.example.com")).map((e) => e.outcome)).toEqual(["good"]);
  });

  it("returns notfqdn once when no hostname is given and the user is not a hostname", async () => {
    const byId = basic(token.split(".")[0] ?? "", token.split(".")[1] ?? "");
    expect(await update(`myip=${OTHER_V4}`, byId)).toMatchObject({ status: 200, body: "notfqdn" });
    expect((await update(`hostname=&myip=${OTHER_V4}`, byId)).body).toBe("notfqdn");
    expect((await update(`hostname=,,&myip=${OTHER_V4}`, byId)).body).toBe("notfqdn");
    expect((await update(`hostname=YES&myip=${OTHER_V4}`, byId)).body).toBe("notfqdn");
  });

  it("falls back to the Basic user when the hostname is absent or YES", async () => {
    expect((await update(`myip=${OTHER_V4}`)).body).toBe(`good ${OTHER_V4}`);
    expect((await update(`hostname=YES&myip=${OTHER_V4}`)).body).toBe(`nochg ${OTHER_V4}`);
  });

  it.each([
    ["1.2.3"],
    ["300.1.1.1"],
    ["01.2.3.4"],
    ["hello"],
    [`${OTHER_V4},${CLIENT_V4}`],
    [`${OTHER_V4},${OTHER_V6},${CLIENT_V6}`],
  ])("myip=%s (unreadable) → dnserr per FQDN (notfqdn for a bare label), nothing stored", async (ip) => {
    const r = await update(`hostname=home.example.com,bare,lab.example.com&myip=${encodeURIComponent(ip)}`);
    expect(r).toMatchObject({ status: 200, body: "dnserr\nnotfqdn\ndnserr" });
    expect(await f.rrsets("home.example.com")).toEqual([]);
    expect(await f.store.listHistory("home.example.com")).toEqual([]);
  });

  it.each([["10.0.0.1"], ["192.168.1.1"], ["::1"], ["fe80::1"], ["2001:db8::1"]])(
    "myip=%s (not global) → dnserr, nothing published, the refusal is in the host's history",
    async (ip) => {
      const r = await update(`hostname=home.example.com,bare,lab.example.com&myip=${encodeURIComponent(ip)}`);
      // lab.example.com is outside the token's scope: that answer wins over the address.
      expect(r).toMatchObject({ status: 200, body: "dnserr\nnotfqdn\nnohost" });
      expect(await f.rrsets("home.example.com")).toEqual([]);
      const [entry, ...rest] = await f.store.listHistory("home.example.com");
      expect(rest).toEqual([]);
      expect(entry).toMatchObject({
        outcome: "ip_not_global",
        newValues: [ip],
        protocol: "dyndns2",
        sourceIp: CLIENT_V4,
      });
      expect(await f.store.listHistory("lab.example.com")).toEqual([]);
    },
  );

  it("a private myipv6 is dnserr too, even with a good myip: neither family is published", async () => {
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4}&myipv6=fd00::1`)).body).toBe("dnserr");
    expect(await f.rrsets("home.example.com")).toEqual([]);
    const refused = await f.store.listHistory("home.example.com");
    expect(refused.map((e) => [e.type, e.outcome])).toEqual(
      expect.arrayContaining([
        ["A", "ip_not_global"],
        ["AAAA", "ip_not_global"],
      ]),
    );
  });

  it("a private client address with no myip is dnserr", async () => {
    expect((await update("hostname=home.example.com", undefined, "192.168.1.10")).body).toBe("dnserr");
    expect((await f.store.listHistory("home.example.com"))[0]).toMatchObject({
      outcome: "ip_not_global",
      sourceIp: "192.168.1.10",
    });
  });
});

describe("dyndns2 methods", () => {
  it("HEAD changes nothing (405)", async () => {
    const res = await f.request(`/nic/update?hostname=home.example.com&myip=${OTHER_V4}`, {
      method: "HEAD",
      headers: basic("x", token),
    });
    expect(res.status).toBe(405);
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("logs the token id (not the secret) of an authenticated update", async () => {
    await update(`hostname=home.example.com&myip=${OTHER_V4}`);
    const line = f.logs.find((l) => l.msg === "request");
    expect(line?.obj).toMatchObject({ path: "/nic/update", status: 200, tokenId: token.split(".")[0] });
  });
});

describe("dyndns2 authentication", () => {
  const expectBadauth = (r: { status: number; body: string; res: Response }) => {
    expect(r.status).toBe(401);
    expect(r.body).toBe("badauth");
    expect(r.res.headers.get("www-authenticate")).toBe('Basic realm="beacon"');
  };
  const q = `hostname=home.example.com&myip=${OTHER_V4}`;

  it("accepts the full token as password with any user, id + bare secret, and Bearer", async () => {
    const [id = "", secret = ""] = token.split(".");
    expect((await update(q, basic("anything", token))).body).toBe(`good ${OTHER_V4}`);
    expect((await update(q, basic("", token))).body).toBe(`nochg ${OTHER_V4}`);
    expect((await update(q, basic(id, secret))).body).toBe(`nochg ${OTHER_V4}`);
    expect((await update(q, { authorization: `Bearer ${token}`, "user-agent": UA })).body).toBe(
      `nochg ${OTHER_V4}`,
    );
  });

  it("rejects a wrong password", async () => {
    expectBadauth(await update(q, basic("home.example.com", "not-the-secret")));
    expectBadauth(await update(q, basic("x", `${token}x`)));
  });

  it("rejects an unknown token id", async () => {
    expectBadauth(await update(q, basic("x", `tk_aaaaaaaaaa.${token.split(".")[1]}`)));
  });

  it("rejects a revoked token", async () => {
    await f.tokens.revoke(token.split(".")[0] ?? "");
    expectBadauth(await update(q, basic("home.example.com", token)));
  });

  it("rejects a missing or malformed Authorization header", async () => {
    expectBadauth(await update(q, { "user-agent": UA }));
    expectBadauth(await update(q, { "user-agent": UA, authorization: "Basic !!!" }));
    expectBadauth(await update(q, { "user-agent": UA, authorization: `Digest ${token}` }));
  });

  it("rejects credentials in the query string even when the header is valid", async () => {
    expectBadauth(await update(`${q}&username=home.example.com&password=${encodeURIComponent(token)}`));
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("answers badagent once when the User-Agent is missing or blank", async () => {
    const { "user-agent": _ua, ...noUa } = basic("home.example.com", token);
    expect(await update(q, noUa)).toMatchObject({ status: 200, body: "badagent" });
    expect(await update(q, { ...noUa, "user-agent": "  " })).toMatchObject({ status: 200, body: "badagent" });
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("never logs the token, the Authorization header or the query string", async () => {
    await update(`${q}&password=${encodeURIComponent(token)}`);
    await update(q);
    const dump = JSON.stringify(f.logs);
    expect(dump).not.toContain(token.split(".")[1]);
    expect(dump).not.toContain("Basic ");
    expect(dump).not.toContain("myip=");
    expect(f.logs.some((l) => l.msg === "request")).toBe(true);
  });
});

describe("dyndns2 hostile parameters", () => {
  it("an oversized hostname parameter → notfqdn", async () => {
    const long = `${"a".repeat(60)}.`.repeat(90) + "example.com";
    expect(await update(`hostname=${long}&myip=${OTHER_V4}`)).toMatchObject({ status: 200, body: "notfqdn" });
  });

  it("a whole query over 8 KiB → notfqdn", async () => {
    expect(await update(`hostname=home.example.com&myip=${OTHER_V4}&pad=${"x".repeat(9000)}`)).toMatchObject({
      status: 200,
      body: "notfqdn",
    });
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("%FF (invalid UTF-8) or a broken %-escape in hostname → notfqdn", async () => {
    expect((await update(`hostname=home.example.com%FF&myip=${OTHER_V4}`)).body).toBe("notfqdn");
    expect((await update(`hostname=home%ZZ.example.com&myip=${OTHER_V4}`)).body).toBe("notfqdn");
    expect((await update(`hostname=home.example.com%&myip=${OTHER_V4}`)).body).toBe("notfqdn");
  });

  it("%FF or an oversized value in myip → dnserr", async () => {
    expect((await update("hostname=home.example.com&myip=%FF")).body).toBe("dnserr");
    expect((await update(`hostname=home.example.com&myip=${"1".repeat(2000)}`)).body).toBe("dnserr");
    expect((await update(`hostname=home.example.com&myip=${OTHER_V4}&myipv6=%C0%AF`)).body).toBe("dnserr");
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("an oversized POST body → notfqdn", async () => {
    const res = await f.request("/nic/update", {
      method: "POST",
      headers: { ...basic("x", token), "content-type": "application/x-www-form-urlencoded" },
      body: `hostname=home.example.com&myip=${OTHER_V4}&pad=${"x".repeat(9000)}`,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("notfqdn");
  });
});

describe("dyndns2 store failure", () => {
  it.each(["store_unavailable", "store_full", "store_read_only"] as const)(
    "answers 911 once, with HTTP 503 and Retry-After (temporary), when the commit fails with %s",
    async (code) => {
      const healthy = createMemoryStore();
      const broken = await createFixture({
        store: {
          ...healthy,
          commit: () => Promise.reject(new BeaconError(code, "disk on fire")),
        },
      });
      const t = await broken.token(["home.example.com", "office.example.com"]);
      const res = await broken.request(
        `/nic/update?hostname=home.example.com,office.example.com&myip=${OTHER_V4}`,
        {
          headers: basic("x", t),
        },
      );
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.text()).toBe("911");
      expect(broken.events).toEqual([]);
      expect(await broken.rrsets("home.example.com")).toEqual([]);
    },
  );

  it("answers 911 when an unexpected exception escapes", async () => {
    const healthy = createMemoryStore();
    const broken = await createFixture({
      store: { ...healthy, getHost: () => Promise.reject(new TypeError("bug")) },
    });
    const t = await broken.token(["home.example.com"]);
    const res = await broken.request(`/nic/update?hostname=home.example.com&myip=${OTHER_V4}`, {
      headers: basic("x", t),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(await res.text()).toBe("911");
  });
});

describe("client address through proxies", () => {
  it("ignores X-Forwarded-For from an untrusted socket", async () => {
    const r = await update("hostname=home.example.com", {
      ...basic("x", token),
      "x-forwarded-for": OTHER_V4,
    });
    expect(r.body).toBe(`good ${CLIENT_V4}`);
  });

  it("honours X-Forwarded-For from a trusted proxy", async () => {
    const p = await createFixture({ trustedProxies: ["10.0.0.0/8"] });
    const t = await p.token(["home.example.com"]);
    const res = await p.request(
      "/nic/update?hostname=home.example.com",
      { headers: { ...basic("x", t), "x-forwarded-for": `${OTHER_V4}, 10.1.2.3` } },
      "10.0.0.5",
    );
    expect(await res.text()).toBe(`good ${OTHER_V4}`);
  });
});

describe("dyndns2 hostnames outside ASCII", () => {
  it("answers notfqdn for KELVIN SIGN, dotless i and fullwidth names (never folded into an ASCII name)", async () => {
    const kiosk = await f.token(["kiosk.example.com", "info.example.com", "www.example.com"]);
    const auth = basic("kiosk.example.com", kiosk);
    const names = ["\u212Aiosk.example.com", "\u0131nfo.example.com", "\uFF57\uFF57\uFF57.example.com"];
    const r = await update(`hostname=${names.map(encodeURIComponent).join(",")}&myip=${OTHER_V4}`, auth);
    expect(r.body.split("\n")).toEqual(["notfqdn", "notfqdn", "notfqdn"]);
    for (const fqdn of ["kiosk.example.com", "info.example.com", "www.example.com"])
      expect(await f.rrsets(fqdn)).toEqual([]);
  });
});
