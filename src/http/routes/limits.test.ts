// Update limits as clients meet them (docs/limits.md): dyndns2 answers 911 with HTTP 503 and
// Retry-After (ddclient and inadyn retry), the JSON API and /ip 429 rate_limited with Retry-After. Hostile inputs: floods of updates
// from one address, from one token over many addresses, on one host (also by a token that may not
// change it), and a flood of no-change updates.

import { beforeEach, describe, expect, it } from "vitest";
import type { LimitRates } from "../../core/rate.js";
import { CLIENT_V4, OTHER_V4, UA, basic, createFixture, type Fixture } from "../testing/fixture.js";

const MIN = 60_000;
const RATES: LimitRates = {
  exempt: [],
  client: [{ limit: 5, periodMs: MIN }],
  clientIp: [{ limit: 2, periodMs: MIN }],
  clientHeartbeat: [{ limit: 2, periodMs: MIN }],
  credential: [{ limit: 4, periodMs: MIN }],
  hostDyndns2: [{ limit: 2, periodMs: 2 * MIN }],
  hostApi: [{ limit: 3, periodMs: MIN }],
  nochgFlag: [{ limit: 5, periodMs: 7 * 86_400_000 }],
};

let f: Fixture;
let now: number;
let token: string;
const address = (i: number) => `81.2.${70 + Math.floor(i / 200)}.${(i % 200) + 1}`;

beforeEach(async () => {
  f = await createFixture({ limits: RATES });
  now = 1_700_000_000_000;
  token = await f.token(["home.example.com", "office.example.com"]);
});

function advance(ms: number) {
  now += ms;
  f.setNow(now);
}

async function dyndns2(query: string, socket = CLIENT_V4, auth = token) {
  const res = await f.request(`/nic/update?${query}`, { headers: basic("home.example.com", auth) }, socket);
  return { body: await res.text(), status: res.status, retryAfter: res.headers.get("retry-after") };
}

describe("per client network", () => {
  it("answers a flood from one address with 911 (HTTP 503) + Retry-After before reading credentials", async () => {
    for (let i = 0; i < 5; i++)
      expect(await dyndns2("hostname=home.example.com", CLIENT_V4, "tk_aaaaaaaaaa.wrong")).toMatchObject({
        body: "badauth",
        status: 401,
      });
    expect(await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`)).toEqual({
      body: "911",
      status: 503,
      retryAfter: "12",
    });
    expect((await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`, "81.2.99.1")).body).toBe(
      `good ${OTHER_V4}`,
    );
    advance(12_000);
    expect((await dyndns2(`hostname=office.example.com&myip=${OTHER_V4}`)).body).toBe(`good ${OTHER_V4}`);
  });

  it("limits GET /ip with 429 rate_limited and Retry-After", async () => {
    const ip = () => f.request("/ip", { headers: { "user-agent": UA } });
    expect([(await ip()).status, (await ip()).status]).toEqual([200, 200]);
    const res = await ip();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(await res.json()).toMatchObject({ code: "rate_limited", retryAfterSeconds: 30 });
  });
});

describe("per credential", () => {
  it("slows one token flooding from many addresses, whatever hosts it names", async () => {
    const hosts = ["home", "office", "home", "office"];
    for (const [i, h] of hosts.entries())
      expect((await dyndns2(`hostname=${h}.example.com&myip=${OTHER_V4}`, address(i))).body).toMatch(
        /^(good|nochg) /,
      );
    expect(await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`, address(9))).toEqual({
      body: "911",
      status: 503,
      retryAfter: "15",
    });
    const other = await f.token(["lab.example.com"]);
    const res = await f.request(
      `/nic/update?hostname=lab.example.com&myip=${OTHER_V4}`,
      { headers: basic("lab.example.com", other) },
      address(10),
    );
    expect(await res.text()).toBe(`good ${OTHER_V4}`);
  });
});

describe("per host", () => {
  it("answers 911 on the limited host's own line and updates the others of the request", async () => {
    await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`, address(1));
    await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`, address(2));
    expect(
      await dyndns2(`hostname=home.example.com,office.example.com&myip=${OTHER_V4}`, address(3)),
    ).toEqual({
      body: `911\ngood ${OTHER_V4}`,
      status: 503,
      retryAfter: "60",
    });
    // Nothing about the refused update is recorded: a flood must not grow the history.
    expect((await f.store.listHistory("home.example.com")).map((e) => e.outcome)).toEqual(["nochg", "good"]);
  });

  it("never lets a token spend the budget of a host it may not change", async () => {
    const intruder = await f.token(["office.example.com"]);
    for (let i = 0; i < 4; i++)
      expect((await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`, address(i), intruder)).body).toBe(
        "nohost",
      );
    expect((await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`, address(5))).body).toBe(
      `good ${OTHER_V4}`,
    );
  });

  it("answers JSON API writes over the limit with 429 rate_limited + Retry-After, and records nothing", async () => {
    const put = (value: string) =>
      f.request("/api/v1/hosts/home.example.com/records/A", {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "user-agent": UA },
        body: JSON.stringify({ values: [value] }),
      });
    for (let i = 0; i < 3; i++) expect((await put(address(i))).status).toBe(200);
    const res = await put(address(3));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("20");
    expect(await res.json()).toMatchObject({ code: "rate_limited", status: 429, retryAfterSeconds: 20 });
    expect(await f.store.listHistory("home.example.com")).toHaveLength(3);
    expect(await f.rrsets("home.example.com")).toEqual([{ type: "A", ttl: 60, values: [address(2)] }]);
  });
});

describe("no-change updates", () => {
  it("flag the host for the admin after a flood, and updates go on working", async () => {
    for (let i = 0; i < 6; i++) {
      expect((await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`)).body).toMatch(/^(good|nochg) /);
      advance(MIN);
    }
    expect(await f.store.listHostFlags()).toEqual([]);
    await dyndns2(`hostname=home.example.com&myip=${OTHER_V4}`);
    await new Promise((r) => setTimeout(r, 0));
    expect((await f.store.listHostFlags()).map((x) => [x.fqdn, x.reason])).toEqual([
      ["home.example.com", "no-change updates beyond 5/7d"],
    ]);
    advance(MIN);
    expect((await dyndns2(`hostname=home.example.com&myip=${address(7)}`)).body).toBe(`good ${address(7)}`);
  });
});
