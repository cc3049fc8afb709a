// The HTTP answers while the store is away (store_unavailable from every call, as the PostgreSQL
// adapter throws while its server is down): dyndns2 says 911 with HTTP 503 and Retry-After — also when
// the token itself could not be looked up, never badauth/401 — the JSON API a 503 store_unavailable
// problem with Retry-After, nothing is saved, and no request logs above debug (the outage is logged
// once elsewhere). Bad inputs while away: a wrong password, a malformed Authorization header, no
// user agent — each gets the answer it gets with a healthy store when no lookup is needed to refuse it.

import { describe, expect, it } from "vitest";
import { BeaconError } from "../core/errors.js";
import { createMemoryStore } from "../store/memory/memory-store.js";
import type { Store } from "../store/ports.js";
import { storeRetryAfter, STORE_RETRY_AFTER_SECONDS } from "./store-outage.js";
import { OTHER_V4, UA, basic, createFixture, type Fixture } from "./testing/fixture.js";

const away = () =>
  Promise.reject(new BeaconError("store_unavailable", "PostgreSQL database x is unreachable"));

/** A fixture whose store answers until `down()`, then fails every token lookup and commit. */
async function fixture(): Promise<{ f: Fixture; token: string; down: () => void }> {
  const healthy = createMemoryStore();
  let isDown = false;
  const store: Store = {
    ...healthy,
    findTokenBySecretHash: (h) => (isDown ? away() : healthy.findTokenBySecretHash(h)),
    commit: (b) => (isDown ? away() : healthy.commit(b)),
  };
  const f = await createFixture({ store });
  const token = await f.token(["home.example.com"]);
  return { f, token, down: () => void (isDown = true) };
}

const loud = (f: Fixture) => f.logs.filter((l) => l.level !== "debug" && l.level !== "info");

describe("HTTP while the store is away", () => {
  it("dyndns2: 911 with 503 and Retry-After when the token cannot be looked up, never badauth", async () => {
    const { f, token, down } = await fixture();
    down();
    for (const password of [token, "tk_nothere.wrongsecretwrongsecretwrongsecret"]) {
      const res = await f.request(`/nic/update?hostname=home.example.com&myip=${OTHER_V4}`, {
        headers: basic("home.example.com", password),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe(String(STORE_RETRY_AFTER_SECONDS));
      expect(res.headers.get("www-authenticate")).toBeNull();
      expect(await res.text()).toBe("911");
    }
    expect(f.events).toEqual([]);
    expect(loud(f)).toEqual([]);
  });

  it("dyndns2: what is refused without a lookup is refused as with a healthy store", async () => {
    const { f, down } = await fixture();
    down();
    const noAuth = await f.request(`/nic/update?hostname=home.example.com`, {
      headers: { "user-agent": UA },
    });
    expect([noAuth.status, await noAuth.text()]).toEqual([401, "badauth"]);
    const garbled = await f.request(`/nic/update?hostname=home.example.com`, {
      headers: { authorization: "Basic !!!not-base64", "user-agent": UA },
    });
    expect([garbled.status, await garbled.text()]).toEqual([401, "badauth"]);
    const noAgent = await f.request(`/nic/update?hostname=home.example.com`, {
      headers: { authorization: basic("x", "y").authorization! },
    });
    expect(await noAgent.text()).toBe("badagent");
  });

  it("JSON API: 503 store_unavailable with Retry-After, for the token lookup and for the write", async () => {
    const { f, token, down } = await fixture();
    const put = () =>
      f.request("/api/v1/hosts/home.example.com/records/A", {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "user-agent": UA, "content-type": "application/json" },
        body: JSON.stringify({ values: [OTHER_V4] }),
      });
    down();
    const res = await put();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe(String(STORE_RETRY_AFTER_SECONDS));
    expect(res.headers.get("www-authenticate")).toBeNull();
    expect(await res.json()).toMatchObject({ code: "store_unavailable", status: 503 });
    expect(await f.rrsets("home.example.com")).toEqual([]);
    expect(loud(f)).toEqual([]);
  });

  it("JSON API: a commit that fails after the token was read is 503 with Retry-After, nothing saved", async () => {
    const healthy = createMemoryStore();
    const f = await createFixture({ store: { ...healthy, commit: away } });
    const token = await f.token(["home.example.com"]);
    const res = await f.request("/api/v1/hosts/home.example.com/records/A", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "user-agent": UA, "content-type": "application/json" },
      body: JSON.stringify({ values: [OTHER_V4] }),
    });
    expect([res.status, res.headers.get("retry-after")]).toEqual([503, "5"]);
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("Retry-After only for the temporary store failures", () => {
    expect(storeRetryAfter("store_unavailable")).toBe(STORE_RETRY_AFTER_SECONDS);
    expect(storeRetryAfter("store_read_only")).toBe(STORE_RETRY_AFTER_SECONDS);
    expect(storeRetryAfter("store_full")).toBe(STORE_RETRY_AFTER_SECONDS);
    for (const code of ["internal", "unauthorized", "store_not_found", "rate_limited"] as const)
      expect(storeRetryAfter(code)).toBeUndefined();
  });
});
