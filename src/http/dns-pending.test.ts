// The serverless edition's replies when Route 53 has not accepted a stored change (services/
// acknowledged-updates.ts): dyndns2 says 911 with HTTP 503 and Retry-After, the JSON API a 503
// problem dns_pending with Retry-After; once Route 53 accepts, the same request is good.

import { beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { silentLog } from "../core/log.js";
import { createFakeTime, type FakeTime } from "../core/testing/fake-time.js";
import { acknowledgeUpdates } from "../services/acknowledged-updates.js";
import { FakeProvider } from "../services/testing/fake-provider.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { basic, CLIENT_V4, createFixture, UA, type Fixture } from "./testing/fixture.js";

const throttled = () =>
  new BeaconError("provider_rate_limited", "route53: 400 Rate exceeded (Throttling)", {
    details: { retryAfterMs: 3_000 },
  });

describe("dns_pending over HTTP", () => {
  let f: Fixture;
  let time: FakeTime;
  let r53: FakeProvider;
  let token: string;

  beforeEach(async () => {
    const store = createMemoryStore();
    time = createFakeTime();
    r53 = new FakeProvider("r53");
    f = await createFixture({
      store,
      decorate: (inner) =>
        acknowledgeUpdates(inner, {
          store,
          provider: () => r53,
          clock: time.clock,
          timers: time.timers,
          log: silentLog,
          node: "lambda-1",
          budgetMs: 5_000,
        }),
    });
    await store.createMirror({
      id: "r53",
      zone: "example.com",
      provider: "route53",
      settings: {},
      createdAt: time.clock(),
    });
    token = await f.token(["home.example.com"]);
    r53.gate = () => Promise.reject(throttled());
  });

  const dyndns2 = () =>
    f.request(`/nic/update?hostname=home.example.com&myip=${CLIENT_V4}`, {
      headers: basic("home.example.com", token),
    });

  it("dyndns2: 911 with HTTP 503 and Retry-After; good once Route 53 accepts the retry", async () => {
    const res = await dyndns2();
    expect([res.status, res.headers.get("retry-after"), await res.text()]).toEqual([503, "3", "911"]);
    expect(await f.rrsets("home.example.com")).toMatchObject([{ type: "A", values: [CLIENT_V4] }]);

    r53.gate = undefined;
    await time.advance(3_000);
    const retry = await dyndns2();
    expect([retry.status, retry.headers.get("retry-after"), await retry.text()]).toEqual([
      200,
      null,
      `good ${CLIENT_V4}`,
    ]);
    expect(await (await dyndns2()).text()).toBe(`nochg ${CLIENT_V4}`);
  });

  it("JSON API: 503 problem dns_pending with Retry-After", async () => {
    const res = await f.request("/api/v1/hosts/home.example.com/records/A", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "user-agent": UA, "content-type": "application/json" },
      body: JSON.stringify({ values: [CLIENT_V4] }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      code: "dns_pending",
      status: 503,
      retryAfterSeconds: 3,
      detail:
        "home.example.com is saved; Route 53 has not accepted it yet (route53: 400 Rate exceeded (Throttling)); retry",
    });
  });
});
