import { beforeEach, describe, expect, it } from "vitest";
import { parseIp } from "../../../core/ip.js";
import { ADMIN_IP, adminHarness, BROWSER_UA, problemOf, START, type AdminHarness } from "./testing.js";

let h: AdminHarness;
beforeEach(async () => {
  h = await adminHarness();
});

const PROBLEM = "application/problem+json";

interface Created {
  host: {
    fqdn: string;
    zone: string;
    ttl: number;
    description: string;
    records: unknown[];
    lastUpdate: unknown;
  };
  token: { id: string; secret: string; label: string } | null;
  clients: Record<string, string> | null;
}

describe("POST /hosts", () => {
  it("creates the host and a token scoped to exactly it, shown once with client configs", async () => {
    const res = await h.api("/hosts", {
      method: "POST",
      body: { fqdn: "NAS.example.com.", ttl: 120, description: "the NAS" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Created;
    expect(body.host).toEqual({
      fqdn: "nas.example.com",
      zone: "example.com",
      ttl: 120,
      description: "the NAS",
      records: [],
      lastUpdate: null,
      abuse: null,
    });
    expect(body.token?.secret).toMatch(/^tk_[a-z2-7]{10}\.[A-Za-z0-9_-]{32}$/);
    expect(body.token?.id).toBe(body.token?.secret.split(".")[0]);
    expect(body.token?.label).toBe("host nas.example.com");
    const stored = await h.store.getToken(body.token?.id ?? "");
    expect(stored?.names).toEqual([{ name: "nas.example.com", subtree: false }]);
    expect(stored?.types).toEqual(["A", "AAAA", "TXT"]);
    // The token works for the host, and only it.
    const tok = await h.tokens.authenticate({ password: body.token?.secret ?? "" }, parseIp(ADMIN_IP));
    expect(tok.id).toBe(body.token?.id);
    expect(body.clients?.serverUrl).toBe("http://beacon.test");
    expect(body.clients?.ddclient).toContain(`password='${body.token?.secret}'`);
    expect(body.clients?.ddclient).toContain("login=nas.example.com");
  });

  it("takes the token's types, and creates no token when token is false", async () => {
    const typed = (await (
      await h.api("/hosts", { method: "POST", body: { fqdn: "a.example.com", types: ["AAAA"] } })
    ).json()) as Created;
    expect((await h.store.getToken(typed.token?.id ?? ""))?.types).toEqual(["AAAA"]);
    const none = await h.api("/hosts", { method: "POST", body: { fqdn: "b.example.com", token: false } });
    expect(none.status).toBe(201);
    expect(await none.json()).toMatchObject({ token: null, clients: null, host: { fqdn: "b.example.com" } });
    expect(await h.store.listTokens()).toHaveLength(1);
  });

  it("uses http.public_url for the client configs when set", async () => {
    h = await adminHarness({ publicUrl: "https://ddns.example.net/beacon" });
    const body = (await (
      await h.api("/hosts", { method: "POST", body: { fqdn: "c.example.com" } })
    ).json()) as Created;
    expect(body.clients?.serverUrl).toBe("https://ddns.example.net/beacon");
  });

  it.each([
    ["an existing host", { fqdn: "home.example.com" }, 409, "host_exists"],
    ["a name outside every zone", { fqdn: "x.example.org" }, 400, "outside_zone"],
    ["the zone apex", { fqdn: "example.com" }, 400, "invalid_hostname"],
    ["a bad name", { fqdn: "a b.example.com" }, 400, "invalid_hostname"],
    ["a 10k-char name", { fqdn: "a".repeat(10_000) }, 400, "bad_request"],
    [
      "a 10k-char description",
      { fqdn: "d.example.com", description: "x".repeat(10_000) },
      400,
      "bad_request",
    ],
    ["a negative ttl", { fqdn: "d.example.com", ttl: -1 }, 400, "invalid_ttl"],
    ["a float ttl", { fqdn: "d.example.com", ttl: 0.5 }, 400, "invalid_ttl"],
    ["an unknown type", { fqdn: "d.example.com", types: ["MX"] }, 400, "bad_request"],
    ["no types", { fqdn: "d.example.com", types: [] }, 400, "bad_request"],
    ["a token that is not a boolean", { fqdn: "d.example.com", token: "yes" }, 400, "bad_request"],
    ["an unknown field", { fqdn: "d.example.com", owner: "me" }, 400, "bad_request"],
    ["an array", ["d.example.com"], 400, "bad_request"],
  ])("refuses %s and creates nothing", async (_n, body, status, code) => {
    const res = await h.api("/hosts", { method: "POST", body });
    expect(await problemOf(res)).toEqual({ status, code, type: PROBLEM });
    expect((await h.store.listHosts()).map((x) => x.fqdn)).toEqual(["home.example.com"]);
    expect(await h.store.listTokens()).toEqual([]);
  });

  it("tells a name outside every zone which zone to add", async () => {
    const res = await h.api("/hosts", { method: "POST", body: { fqdn: "x.example.org" } });
    expect(((await res.json()) as { detail: string }).detail).toContain(
      "create it with `beacon zone add example.org` (or on the console's Zones page) or see `beacon zone list`",
    );
  });

  it("refuses, before creating anything, when the request's origin is no usable URL", async () => {
    h = await adminHarness({ publicUrl: "ftp://files.example.net" });
    const res = await h.api("/hosts", { method: "POST", body: { fqdn: "e.example.com" } });
    expect(await problemOf(res)).toEqual({ status: 400, code: "bad_request", type: PROBLEM });
    expect(await h.store.getHost("e.example.com")).toBeUndefined();
  });
});

describe("GET /hosts", () => {
  it("lists hosts sorted by fqdn with effective ttl, records and the last update", async () => {
    await h.api("/hosts", { method: "POST", body: { fqdn: "a.example.com", token: false, ttl: 30 } });
    h.setNow(START + 5_000);
    await h.api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: ["81.2.69.160"] } });
    const res = await h.api("/hosts");
    const body = (await res.json()) as { hosts: Record<string, unknown>[] };
    expect(body.hosts.map((x) => x["fqdn"])).toEqual(["a.example.com", "home.example.com"]);
    expect(body.hosts[0]).toMatchObject({ ttl: 30, records: [], lastUpdate: null });
    expect(body.hosts[1]).toEqual({
      fqdn: "home.example.com",
      zone: "example.com",
      ttl: 60,
      description: "",
      records: [
        { type: "A", ttl: 60, values: ["81.2.69.160"], updatedAt: new Date(START + 5_000).toISOString() },
      ],
      lastUpdate: {
        id: expect.any(Number) as number,
        hostId: expect.any(Number) as number,
        type: "A",
        oldValues: null,
        newValues: ["81.2.69.160"],
        at: new Date(START + 5_000).toISOString(),
        count: 1,
        lastAt: new Date(START + 5_000).toISOString(),
        outcome: "good",
        refused: false,
        protocol: "admin",
        tokenId: null,
        sourceIp: ADMIN_IP,
        userAgent: BROWSER_UA,
      },
      abuse: null,
    });
  });

  it("filters by zone; unknown zone 404, bad zone 400", async () => {
    await h.api("/zones", { method: "POST", body: { name: "other.org" } });
    await h.api("/hosts", { method: "POST", body: { fqdn: "x.other.org", token: false } });
    const only = (await (await h.api("/hosts?zone=other.org")).json()) as { hosts: { fqdn: string }[] };
    expect(only.hosts.map((x) => x.fqdn)).toEqual(["x.other.org"]);
    expect((await problemOf(await h.api("/hosts?zone=nothing.org"))).code).toBe("zone_not_found");
    expect((await problemOf(await h.api("/hosts?zone=a%20b"))).code).toBe("invalid_hostname");
  });
});

describe("GET /hosts/:fqdn", () => {
  it("shows the host and the tokens whose scope covers it, without secrets", async () => {
    const created = (await (
      await h.api("/hosts", { method: "POST", body: { fqdn: "f.example.com" } })
    ).json()) as Created;
    await h.api("/tokens", { method: "POST", body: { names: [{ name: "example.com", subtree: true }] } });
    await h.api("/tokens", { method: "POST", body: { names: [{ name: "home.example.com" }] } });
    const res = await h.api("/hosts/F.example.com.");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(created.token?.secret.split(".")[1]);
    const body = JSON.parse(text) as { host: { fqdn: string }; tokens: { id: string; state: string }[] };
    expect(body.host.fqdn).toBe("f.example.com");
    expect(body.tokens).toHaveLength(2);
    expect(body.tokens.map((t) => t.id)).toContain(created.token?.id);
    expect(body.tokens.map((t) => t.state)).toEqual(["active", "active"]);
    expect(body.tokens.every((t) => !("secretHash" in t) && !("secret" in t))).toBe(true);
  });

  it.each([
    ["an unknown host", "/hosts/nothing.example.com", 404, "host_not_found"],
    ["a bad name", "/hosts/bad%20name", 400, "invalid_hostname"],
    ["a 10k-char name", `/hosts/${"a".repeat(10_000)}`, 400, "invalid_hostname"],
  ])("refuses %s", async (_n, path, status, code) => {
    expect(await problemOf(await h.api(path))).toEqual({ status, code, type: PROBLEM });
  });
});

describe("abuse flags", () => {
  it("shows a host's flag in the list and on its page; DELETE /hosts/:fqdn/abuse clears it", async () => {
    await h.store.flagHost({ fqdn: "home.example.com", flaggedAt: START + 1, reason: "too many nochg" });
    const flag = { flaggedAt: new Date(START + 1).toISOString(), reason: "too many nochg" };
    const list = (await (await h.api("/hosts")).json()) as { hosts: { abuse: unknown }[] };
    expect(list.hosts.map((x) => x.abuse)).toEqual([flag]);
    const page = (await (await h.api("/hosts/home.example.com")).json()) as { host: { abuse: unknown } };
    expect(page.host.abuse).toEqual(flag);
    expect((await h.api("/hosts/home.example.com/abuse", { method: "DELETE" })).status).toBe(204);
    expect(await h.store.listHostFlags()).toEqual([]);
    expect((await h.api("/hosts/home.example.com/abuse", { method: "DELETE" })).status).toBe(204);
    expect(await problemOf(await h.api("/hosts/ghost.example.com/abuse", { method: "DELETE" }))).toEqual({
      status: 404,
      code: "host_not_found",
      type: "application/problem+json",
    });
  });
});

describe("AWS-sample credential", () => {
  it("is null on a host's page without one; with one: when made and used, whether valid, the weakness, never the secret", async () => {
    const page = async () =>
      (await (await h.api("/hosts/home.example.com")).json()) as {
        awsSample: Record<string, unknown> | null;
      };
    expect((await page()).awsSample).toBeNull();
    const host = await h.store.getHost("home.example.com");
    await h.store.putSampleCredential({
      fqdn: "home.example.com",
      secret: "SHARED_SECRET_1",
      hostId: host?.id ?? 0,
      createdAt: START,
      lastUsedAt: undefined,
    });
    const shown = (await page()).awsSample;
    expect(shown).toEqual({
      createdAt: new Date(START).toISOString(),
      lastUsedAt: null,
      valid: true,
      weakness: expect.stringContaining("replayed") as unknown,
    });
    expect(JSON.stringify(shown)).not.toContain("SHARED_SECRET_1");
  });
});

describe("DELETE /hosts/:fqdn", () => {
  it("deletes the host; then 404", async () => {
    expect((await h.api("/hosts/home.example.com", { method: "DELETE" })).status).toBe(204);
    expect(await h.store.getHost("home.example.com")).toBeUndefined();
    expect(h.events).toContain("hostRemoved home.example.com");
    expect((await problemOf(await h.api("/hosts/home.example.com", { method: "DELETE" }))).code).toBe(
      "host_not_found",
    );
  });
});

describe("GET /hosts/:fqdn/history", () => {
  it("pages newest first with next, in the admin shape", async () => {
    for (const [i, ip] of ["81.2.69.1", "81.2.69.2", "81.2.69.3"].entries()) {
      h.setNow(START + i * 1000);
      await h.api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: [ip] } });
    }
    const first = (await (await h.api("/hosts/home.example.com/history?limit=2")).json()) as {
      entries: { id: number; oldValues: string[] | null; newValues: string[] | null; protocol: string }[];
      next?: number;
    };
    expect(first.entries.map((e) => e.newValues)).toEqual([["81.2.69.3"], ["81.2.69.2"]]);
    expect(first.entries[0]).toMatchObject({ oldValues: ["81.2.69.2"], protocol: "admin" });
    expect(first.next).toBe(first.entries[1]?.id);
    const rest = (await (
      await h.api(`/hosts/home.example.com/history?limit=2&before=${first.next}`)
    ).json()) as { entries: { newValues: string[]; oldValues: null }[]; next?: number };
    expect(rest.entries).toEqual([expect.objectContaining({ newValues: ["81.2.69.1"], oldValues: null })]);
    expect(rest.next).toBeUndefined();
  });

  it.each([
    ["a word as limit", "?limit=abc", 400, "bad_request"],
    ["limit 0", "?limit=0", 400, "bad_request"],
    ["a huge limit", "?limit=100000", 400, "bad_request"],
    ["a negative before", "?before=-1", 400, "bad_request"],
    ["a float before", "?before=1.5", 400, "bad_request"],
  ])("refuses %s", async (_n, query, status, code) => {
    expect(await problemOf(await h.api(`/hosts/home.example.com/history${query}`))).toEqual({
      status,
      code,
      type: PROBLEM,
    });
  });

  it("404 for a host that never existed", async () => {
    expect((await problemOf(await h.api("/hosts/nothing.example.com/history"))).code).toBe("host_not_found");
  });
});

describe("a host deleted and created again", () => {
  it("revokes the old host's token, lists only the new host's tokens and history; all=1 shows both", async () => {
    const first = (await (
      await h.api("/hosts", { method: "POST", body: { fqdn: "g.example.com" } })
    ).json()) as Created;
    await h.api("/hosts/g.example.com/records/A", { method: "PUT", body: { values: ["81.2.69.1"] } });
    expect((await h.api("/hosts/g.example.com", { method: "DELETE" })).status).toBe(204);
    expect((await h.store.getToken(first.token?.id ?? ""))?.revokedAt).toBe(START);
    await expect(
      h.tokens.authenticate({ password: first.token?.secret ?? "" }, parseIp(ADMIN_IP)),
    ).rejects.toMatchObject({
      code: "unauthorized",
    });
    // While no host has the name: its history only with all=1.
    expect((await problemOf(await h.api("/hosts/g.example.com/history"))).code).toBe("host_not_found");
    const orphaned = (await (await h.api("/hosts/g.example.com/history?all=1")).json()) as {
      entries: { hostId: number | null; newValues: string[] }[];
    };
    expect(orphaned.entries.map((e) => e.newValues)).toEqual([["81.2.69.1"]]);

    const second = (await (
      await h.api("/hosts", { method: "POST", body: { fqdn: "g.example.com" } })
    ).json()) as Created;
    const shown = (await (await h.api("/hosts/g.example.com")).json()) as {
      tokens: { id: string; hostId: number }[];
    };
    expect(shown.tokens.map((t) => t.id)).toEqual([second.token?.id]);
    const own = (await (await h.api("/hosts/g.example.com/history")).json()) as { entries: unknown[] };
    expect(own.entries).toEqual([]);
    const all = (await (await h.api("/hosts/g.example.com/history?all=1")).json()) as {
      entries: { hostId: number | null }[];
    };
    expect(all.entries.map((e) => e.hostId)).toEqual([orphaned.entries[0]?.hostId]);
    expect(shown.tokens[0]?.hostId).not.toBe(orphaned.entries[0]?.hostId);
  });

  it("shows a refused change as refused, with the values asked for", async () => {
    await h.api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: ["81.2.69.1"] } });
    await h.api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: ["10.0.0.1"] } });
    const page = (await (await h.api("/hosts/home.example.com/history")).json()) as { entries: unknown[] };
    expect(page.entries[0]).toMatchObject({
      outcome: "ip_not_global",
      refused: true,
      oldValues: ["81.2.69.1"],
      newValues: ["10.0.0.1"],
    });
    expect(page.entries[1]).toMatchObject({ outcome: "good", refused: false });
  });
});
