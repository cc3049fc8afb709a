import { describe, expect, test } from "vitest";
import { basic, CLIENT_V4, createFixture, type Fixture } from "../testing/fixture.js";
import type { HttpsPolicy } from "./transport.js";

const PROXY = "10.0.0.5";
const HSTS = "max-age=31536000";

function policy(over: Partial<HttpsPolicy> = {}): HttpsPolicy {
  return { plain: "updates", hsts: true, port: () => 8443, publicUrl: undefined, ...over };
}

async function fixture(https: HttpsPolicy = policy()): Promise<Fixture> {
  return createFixture({ trustedProxies: [`${PROXY}/32`], https });
}

/** A request as the listener hands it over: from `remote`, over TLS or not. */
function send(f: Fixture, path: string, o: { tls?: boolean; remote?: string; init?: RequestInit } = {}) {
  return f.app.request(`http://dns.example.org${path}`, o.init ?? {}, {
    remote: o.remote ?? CLIENT_V4,
    tls: o.tls ?? false,
  });
}

describe("plain HTTP beside HTTPS (http.plain: updates)", () => {
  test("the update routes, /ip, /healthz and ACME HTTP-01 are served over plain HTTP, without HSTS", async () => {
    const f = await fixture();
    const token = await f.token(["home.example.com"]);
    const r = await send(f, "/nic/update?hostname=home.example.com&myip=81.2.69.1", {
      init: { headers: basic("home.example.com", token) },
    });
    expect(await r.text()).toBe("good 81.2.69.1");
    expect(r.headers.get("strict-transport-security")).toBeNull();
    for (const path of [
      "/v3/update",
      "/nic/heartbeat",
      "/ip",
      "/healthz",
      "/.well-known/acme-challenge/abc",
    ]) {
      const res = await send(f, path);
      expect(res.status, path).not.toBe(308);
      expect(res.status, path).not.toBe(403);
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
  });

  test("the console and the JSON API redirect GET and HEAD to the HTTPS origin, query kept", async () => {
    const f = await fixture();
    for (const method of ["GET", "HEAD"]) {
      const r = await send(f, "/admin/hosts?zone=x", { init: { method } });
      expect(r.status).toBe(308);
      expect(r.headers.get("location")).toBe("https://dns.example.org:8443/admin/hosts?zone=x");
      expect(r.headers.get("strict-transport-security")).toBeNull();
    }
    for (const path of [
      "/",
      "/api/v1/hosts",
      "/metrics",
      "/nic/update/",
      "/NIC/UPDATE",
      "/.well-known/other",
    ])
      expect((await send(f, path)).status, path).toBe(308);
  });

  test("port 443 is left out; an https public_url is the target, path and query appended", async () => {
    const at443 = await fixture(policy({ port: () => 443 }));
    expect((await send(at443, "/admin/")).headers.get("location")).toBe("https://dns.example.org/admin/");
    const pub = await fixture(policy({ publicUrl: "https://beacon.example.net/ddns" }));
    expect((await send(pub, "/admin/?a=1")).headers.get("location")).toBe(
      "https://beacon.example.net/ddns/admin/?a=1",
    );
  });

  test("any other method is refused with 403 https_required before the route sees a password or token", async () => {
    const f = await fixture();
    const login = await send(f, "/api/v1/session", {
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: "admin", password: "hunter2hunter2" }),
      },
    });
    expect(login.status).toBe(403);
    const problem = (await login.json()) as { code: string; detail: string };
    expect(problem.code).toBe("https_required");
    expect(problem.detail).toContain("https://dns.example.org:8443/api/v1/session");
    const token = await f.token(["home.example.com"]);
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const r = await send(f, "/api/v1/hosts/home.example.com", {
        init: { method, headers: { authorization: `Bearer ${token}` } },
      });
      expect(r.status, method).toBe(403);
    }
    expect(f.events).toEqual([]);
  });

  test("no HTTPS listener yet (no port, no https public_url): a GET is refused too, not redirected to nowhere", async () => {
    const f = await fixture(policy({ port: () => undefined, publicUrl: "http://dns.example.org" }));
    const r = await send(f, "/admin/");
    expect(r.status).toBe(403);
    expect(((await r.json()) as { code: string }).code).toBe("https_required");
  });

  test("http.plain: all (and no policy at all) serve everything over plain HTTP, without HSTS", async () => {
    for (const f of [await fixture(policy({ plain: "all" })), await createFixture()]) {
      const r = await send(f, "/api/v1/hosts");
      expect(r.status).toBe(401);
      expect(r.headers.get("strict-transport-security")).toBeNull();
    }
  });
});

describe("HTTPS: HSTS and the trusted proxy's X-Forwarded-Proto", () => {
  test("over TLS every reply carries HSTS: a page, a problem, the 404, an update reply", async () => {
    const f = await fixture();
    for (const path of ["/admin/", "/api/v1/hosts", "/no-such-route", "/nic/update", "/healthz"]) {
      const r = await send(f, path, { tls: true });
      expect(r.status, path).not.toBe(308);
      expect(r.headers.get("strict-transport-security"), path).toBe(HSTS);
      expect(r.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  test("http.tls.hsts: false sends none", async () => {
    const f = await fixture(policy({ hsts: false }));
    expect((await send(f, "/admin/", { tls: true })).headers.get("strict-transport-security")).toBeNull();
  });

  test("a trusted proxy's X-Forwarded-Proto: https counts as HTTPS; its http does not", async () => {
    const f = await fixture();
    const viaProxy = (proto: string) =>
      send(f, "/api/v1/hosts", { remote: PROXY, init: { headers: { "x-forwarded-proto": proto } } });
    const https = await viaProxy("https");
    expect(https.status).toBe(401);
    expect(https.headers.get("strict-transport-security")).toBe(HSTS);
    expect((await viaProxy(" HTTPS ")).status).toBe(401);
    expect((await viaProxy("http")).status).toBe(308);
  });

  test("forged: X-Forwarded-Proto from an untrusted peer, a list, garbage, or an https:// absolute URL over plain", async () => {
    const f = await fixture();
    for (const proto of ["https", "https, https", "http, https", "", "ftp"]) {
      const r = await send(f, "/api/v1/hosts", { init: { headers: { "x-forwarded-proto": proto } } });
      expect(r.status, proto).toBe(308);
      expect(r.headers.get("strict-transport-security"), proto).toBeNull();
    }
    const fromProxy = await send(f, "/api/v1/hosts", {
      remote: PROXY,
      init: { headers: { "x-forwarded-proto": "http, https" } },
    });
    expect(fromProxy.status).toBe(308);
    // The listener says plain; the URL's scheme (a client's absolute-form target) is not believed.
    const absolute = await f.app.request(
      "https://dns.example.org/admin/",
      {},
      { remote: CLIENT_V4, tls: false },
    );
    expect(absolute.status).toBe(308);
    expect(absolute.headers.get("strict-transport-security")).toBeNull();
  });
});
