import { beforeEach, describe, expect, it } from "vitest";
import type { CertificateStatus } from "../../../core/certificates.js";
import { adminHarness, START, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

describe("GET /stats", () => {
  it("reports the sampled rates oldest first, totals and the version", async () => {
    const step = (updates: number, queries: number) => {
      h.setNow(h.now() + 10_000);
      h.counters.updates = updates;
      h.counters.queries = queries;
      h.sampler.sample();
    };
    step(0, 0);
    step(3, 40);
    step(5, 100);
    await h.api("/tokens", { method: "POST", body: { names: [{ name: "a.example.com" }] } });
    const revoked = (await (
      await h.api("/tokens", { method: "POST", body: { names: [{ name: "b.example.com" }] } })
    ).json()) as { token: { id: string } };
    await h.api(`/tokens/${revoked.token.id}/revoke`, { method: "POST" });
    const res = await h.api("/stats");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      now: new Date(START + 30_000).toISOString(),
      intervalSeconds: 10,
      updates: [
        { at: new Date(START + 20_000).toISOString(), count: 3 },
        { at: new Date(START + 30_000).toISOString(), count: 2 },
      ],
      queries: [
        { at: new Date(START + 20_000).toISOString(), count: 40 },
        { at: new Date(START + 30_000).toISOString(), count: 60 },
      ],
      totals: { updates: 5, queries: 100, zones: 1, hosts: 1, tokens: 1 },
      version: "0.0.0-test",
      acme: null,
    });
  });

  it("shows the HTTPS certificate only when HTTPS is configured: null before one is installed", async () => {
    expect(await (await h.api("/stats")).json()).not.toHaveProperty("certificate");
    const served: { status?: CertificateStatus } = {};
    const tls = await adminHarness({ certificate: () => served.status });
    expect(await (await tls.api("/stats")).json()).toMatchObject({ certificate: null });
    const status = {
      origin: "acme",
      subject: "CN=dns.example.org",
      names: ["dns.example.org"],
      notAfter: new Date(START),
    };
    served.status = status;
    expect(await (await tls.api("/stats")).json()).toMatchObject({
      certificate: { ...status, notAfter: new Date(START).toISOString() },
    });
  });

  it("has empty series before the sampler ran", async () => {
    expect(await (await h.api("/stats")).json()).toMatchObject({
      updates: [],
      queries: [],
      totals: { updates: 0, queries: 0 },
    });
  });

  it("shows the ACME certificate's names, expiry, next check and last error when ACME is on", async () => {
    const acme = await adminHarness({
      acme: () => ({
        names: ["beacon.example.com"],
        challenge: "dns-01",
        notAfter: START + 90 * 86_400_000,
        issuedAt: START,
        nextCheckAt: START + 600_000,
        lastError: "urn:ietf:params:acme:error:dns :: no TXT",
        failures: 2,
        failuresTotal: 2,
      }),
    });
    const body = (await (await acme.api("/stats")).json()) as { acme: unknown };
    expect(body.acme).toEqual({
      names: ["beacon.example.com"],
      notAfter: new Date(START + 90 * 86_400_000).toISOString(),
      nextCheckAt: new Date(START + 600_000).toISOString(),
      lastError: "urn:ietf:params:acme:error:dns :: no TXT",
      failures: 2,
    });
  });
});
