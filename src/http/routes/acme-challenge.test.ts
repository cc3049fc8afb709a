import { describe, expect, it } from "vitest";

import { createFixture } from "../testing/fixture.js";

const TOKEN = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

describe("GET /.well-known/acme-challenge/:token", () => {
  it("answers a pending token's key authorization as text, uncached", async () => {
    const f = await createFixture({
      acmeChallenge: (t) => (t === TOKEN ? `${TOKEN}.thumbprint` : undefined),
    });
    const res = await f.request(`/.well-known/acme-challenge/${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe(`${TOKEN}.thumbprint`);
  });

  it("404s an unknown token, and never looks up a malformed one", async () => {
    const asked: string[] = [];
    const f = await createFixture({ acmeChallenge: (t) => void asked.push(t) });
    const bad = [
      "short",
      "a".repeat(257),
      "..%2F..%2Fetc%2Fpasswd",
      "tok.en-with-a-dot-0123456789",
      "tok%00en0123456789abcdef",
      "tok%20en0123456789abcdef",
      "t%C3%B6ken0123456789abcdef",
    ];
    for (const token of bad) {
      const res = await f.request(`/.well-known/acme-challenge/${token}`);
      expect(res.status, token).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(asked).toEqual([]);
    expect((await f.request(`/.well-known/acme-challenge/${TOKEN}`)).status).toBe(404);
    expect(asked).toEqual([TOKEN]);
  });

  it("is not served without the ACME service", async () => {
    const f = await createFixture();
    expect((await f.request(`/.well-known/acme-challenge/${TOKEN}`)).status).toBe(404);
  });
});
