import { beforeEach, describe, expect, it } from "vitest";
import { adminHarness, problemOf, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

const TOKEN = "tk_abcdefgh23.AbCdEfGhIjKlMnOpQrStUvWxYz012345";

describe("POST /clients", () => {
  it("renders the client configurations for the request's origin", async () => {
    const res = await h.api("/clients", { method: "POST", body: { fqdn: "home.example.com", token: TOKEN } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { clients } = (await res.json()) as { clients: Record<string, string> };
    expect(Object.keys(clients).sort()).toEqual([
      "agent",
      "curl",
      "ddclient",
      "fritzbox",
      "inadyn",
      "serverUrl",
    ]);
    expect(clients["serverUrl"]).toBe("http://beacon.test");
    expect(clients["curl"]).toContain(`'home.example.com:${TOKEN}'`);
  });

  it("believes X-Forwarded-Proto/-Host only from a trusted proxy", async () => {
    const headers = { "x-forwarded-proto": "https", "x-forwarded-host": "ddns.example.net" };
    const body = { fqdn: "home.example.com", token: TOKEN };
    const untrusted = await h.api("/clients", { method: "POST", body, headers });
    expect(((await untrusted.json()) as { clients: { serverUrl: string } }).clients.serverUrl).toBe(
      "http://beacon.test",
    );
    h = await adminHarness({ trustedProxies: ["127.0.0.1/32"] });
    const trusted = await h.api("/clients", { method: "POST", body, headers }, "127.0.0.1");
    expect(((await trusted.json()) as { clients: { serverUrl: string } }).clients.serverUrl).toBe(
      "https://ddns.example.net",
    );
    const hostile = await h.api(
      "/clients",
      { method: "POST", body, headers: { "x-forwarded-host": "evil.example/'$(reboot)'" } },
      "127.0.0.1",
    );
    expect(((await hostile.json()) as { clients: { serverUrl: string } }).clients.serverUrl).toBe(
      "http://beacon.test",
    );
  });

  it.each([
    ["a token in another shape", { fqdn: "home.example.com", token: "hunter2" }, "bad_request"],
    ["a bad name", { fqdn: "a b", token: TOKEN }, "invalid_hostname"],
    ["a missing token", { fqdn: "home.example.com" }, "bad_request"],
    ["a 10k-char token", { fqdn: "home.example.com", token: "x".repeat(10_000) }, "bad_request"],
    ["an unknown field", { fqdn: "home.example.com", token: TOKEN, url: "http://evil" }, "bad_request"],
  ])("refuses %s", async (_n, body, code) => {
    expect((await problemOf(await h.api("/clients", { method: "POST", body }))).code).toBe(code);
  });
});
