import { beforeEach, describe, expect, it } from "vitest";
import { CLIENT_V4, OTHER_V4, OTHER_V6, UA, createFixture, type Fixture } from "../../testing/fixture.js";

let f: Fixture;
let token: string;

beforeEach(async () => {
  f = await createFixture();
  token = await f.token(["home.example.com", "office.example.com"], { types: ["A", "AAAA", "TXT"] });
});

function api(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    raw?: string;
    auth?: string | null;
    contentType?: string | null;
  } = {},
) {
  const headers: Record<string, string> = { "user-agent": UA };
  if (init.contentType !== null) headers["content-type"] = init.contentType ?? "application/json";
  if (init.auth !== null) headers.authorization = init.auth ?? `Bearer ${token}`;
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return f.request(`/api/v1${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://beacon.invalid/errors/${code}`, status, code });
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  expect(typeof body.requestId).toBe("string");
  return body;
}

describe("authentication", () => {
  it("401 problem with a challenge when the token is missing, wrong or revoked", async () => {
    const missing = await api("/hosts/home.example.com", { auth: null });
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="beacon", Basic realm="beacon"');
    await expectProblem(missing, 401, "unauthorized");
    await expectProblem(
      await api("/hosts/home.example.com", { auth: "Bearer tk_aaaaaaaaaa.nope" }),
      401,
      "unauthorized",
    );
    await f.tokens.revoke(token.split(".")[0] ?? "");
    await expectProblem(await api("/hosts/home.example.com"), 401, "unauthorized");
  });

  it("accepts Basic with the token as password", async () => {
    const res = await api("/hosts/home.example.com", { auth: `Basic ${btoa(`home.example.com:${token}`)}` });
    expect(res.status).toBe(200);
  });
});

describe("GET /api/v1/hosts/:fqdn", () => {
  it("shows the host with its effective ttl and records", async () => {
    f.setNow(Date.UTC(2024, 0, 2, 3, 4, 5));
    await api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: [OTHER_V4] } });
    const res = await api("/hosts/Home.Example.com.");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      fqdn: "home.example.com",
      zone: "example.com",
      ttl: 60,
      records: [{ type: "A", ttl: 60, values: [OTHER_V4], updatedAt: "2024-01-02T03:04:05.000Z" }],
    });
  });

  it("403 for a name outside the scope (even if unknown), 404 for an unknown name in scope, 400 for a bad name", async () => {
    await expectProblem(await api("/hosts/lab.example.com"), 403, "forbidden");
    await expectProblem(await api("/hosts/nothing.example.org"), 403, "forbidden");
    const sub = await f.token(["example.com"], { subtree: true });
    await expectProblem(
      await api("/hosts/nothing.example.com", { auth: `Bearer ${sub}` }),
      404,
      "host_not_found",
    );
    await expectProblem(await api("/hosts/bad%20name"), 400, "invalid_hostname");
  });
});

describe("PUT /api/v1/hosts/:fqdn/records/:type", () => {
  it("is good then nochg and returns the host's records", async () => {
    const first = await api("/hosts/home.example.com/records/A", {
      method: "PUT",
      body: { values: [OTHER_V4], ttl: 300 },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      status: "good",
      fqdn: "home.example.com",
      records: [{ type: "A", ttl: 300, values: [OTHER_V4] }],
    });
    const again = await api("/hosts/home.example.com/records/a", {
      method: "PUT",
      body: { values: [OTHER_V4], ttl: 300 },
    });
    expect(await again.json()).toMatchObject({ status: "nochg" });
    const txt = await api("/hosts/home.example.com/records/TXT", {
      method: "PUT",
      body: { values: ["hello world"] },
    });
    expect(await txt.json()).toMatchObject({
      records: [{ type: "A" }, { type: "TXT", values: ["hello world"] }],
    });
  });

  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["no Content-Type", null],
    ["application/json-patch+json", "application/json-patch+json"],
    ["multipart/form-data", "multipart/form-data; boundary=x"],
    ["a form", "application/x-www-form-urlencoded"],
  ])("refuses a JSON body sent as %s with 415, changing nothing", async (_name, contentType) => {
    const res = await api("/hosts/home.example.com/records/A", {
      method: "PUT",
      raw: JSON.stringify({ values: [OTHER_V4] }),
      contentType,
    });
    await expectProblem(res, 415, "unsupported_media_type");
    expect(await f.rrsets("home.example.com")).toEqual([]);
    expect(await f.store.listHistory("home.example.com")).toEqual([]);
  });

  it("takes application/json with parameters", async () => {
    const res = await api("/hosts/home.example.com/records/A", {
      method: "PUT",
      body: { values: [OTHER_V4] },
      contentType: "application/json; charset=UTF-8",
    });
    expect(res.status).toBe(200);
  });

  it("records history with protocol api, the token id, the client address and user agent", async () => {
    await api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: [OTHER_V4] } });
    const [entry] = await f.store.listHistory("home.example.com");
    expect(entry).toMatchObject({
      protocol: "api",
      tokenId: token.split(".")[0],
      sourceIp: CLIENT_V4,
      userAgent: UA,
      outcome: "good",
    });
  });

  it.each([
    ["an unknown type", "/hosts/home.example.com/records/MX", { values: ["x"] }, 400, "invalid_record"],
    [
      "a private address",
      "/hosts/home.example.com/records/A",
      { values: ["192.168.1.1"] },
      400,
      "ip_not_global",
    ],
    ["a v6 in A", "/hosts/home.example.com/records/A", { values: [OTHER_V6] }, 400, "invalid_ip"],
    ["an empty set", "/hosts/home.example.com/records/A", { values: [] }, 400, "invalid_record"],
    ["a bad ttl", "/hosts/home.example.com/records/A", { values: [OTHER_V4], ttl: 0 }, 400, "invalid_ttl"],
    ["a missing values field", "/hosts/home.example.com/records/A", { ttl: 5 }, 400, "bad_request"],
    [
      "an unknown field",
      "/hosts/home.example.com/records/A",
      { values: [OTHER_V4], extra: 1 },
      400,
      "bad_request",
    ],
    [
      "a host outside the scope",
      "/hosts/lab.example.com/records/A",
      { values: [OTHER_V4] },
      403,
      "forbidden",
    ],
  ])("refuses %s", async (_n, path, body, status, code) => {
    await expectProblem(await api(path, { method: "PUT", body }), status, code);
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("404 for an unknown host inside a subtree scope", async () => {
    const sub = await f.token(["example.com"], { subtree: true });
    const res = await api("/hosts/new.example.com/records/A", {
      method: "PUT",
      body: { values: [OTHER_V4] },
      auth: `Bearer ${sub}`,
    });
    await expectProblem(res, 404, "host_not_found");
  });

  it("403 forbidden when the token lacks the record type", async () => {
    const aOnly = await f.token(["home.example.com"], { types: ["A"] });
    const res = await api("/hosts/home.example.com/records/TXT", {
      method: "PUT",
      body: { values: ["x"] },
      auth: `Bearer ${aOnly}`,
    });
    await expectProblem(res, 403, "forbidden");
  });

  it("400 bad_request for invalid JSON and non-UTF-8 bodies", async () => {
    await expectProblem(
      await api("/hosts/home.example.com/records/A", { method: "PUT", raw: "{values:" }),
      400,
      "bad_request",
    );
    const res = await f.request("/api/v1/hosts/home.example.com/records/A", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    await expectProblem(res, 400, "bad_request");
  });

  it("413 parameter_too_large for a body over 64 KiB", async () => {
    const raw = JSON.stringify({ values: [OTHER_V4], pad: "x".repeat(70_000) });
    await expectProblem(
      await api("/hosts/home.example.com/records/A", { method: "PUT", raw }),
      413,
      "parameter_too_large",
    );
  });
});

describe("PATCH /api/v1/hosts/:fqdn/records", () => {
  it("changes several types atomically and deletes with null", async () => {
    const res = await api("/hosts/home.example.com/records", {
      method: "PATCH",
      body: { A: [OTHER_V4], AAAA: [OTHER_V6], TXT: ["v=1"], ttl: 120 },
    });
    expect(await res.json()).toEqual({
      status: "good",
      fqdn: "home.example.com",
      records: [
        { type: "A", ttl: 120, values: [OTHER_V4] },
        { type: "AAAA", ttl: 120, values: [OTHER_V6] },
        { type: "TXT", ttl: 120, values: ["v=1"] },
      ],
    });
    const del = await api("/hosts/home.example.com/records", {
      method: "PATCH",
      body: { TXT: null, AAAA: null },
    });
    expect(await del.json()).toMatchObject({ status: "good", records: [{ type: "A" }] });
  });

  it("changes nothing when one type is invalid", async () => {
    const res = await api("/hosts/home.example.com/records", {
      method: "PATCH",
      body: { A: [OTHER_V4], AAAA: ["fe80::1"] },
    });
    await expectProblem(res, 400, "ip_not_global");
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });

  it("400 bad_request when no type is named", async () => {
    await expectProblem(
      await api("/hosts/home.example.com/records", { method: "PATCH", body: { ttl: 5 } }),
      400,
      "bad_request",
    );
    await expectProblem(
      await api("/hosts/home.example.com/records", { method: "PATCH", body: [] }),
      400,
      "bad_request",
    );
  });
});

describe("DELETE /api/v1/hosts/:fqdn/records/:type", () => {
  it("deletes the set (good), then nochg", async () => {
    await api("/hosts/home.example.com/records", {
      method: "PATCH",
      body: { A: [OTHER_V4], AAAA: [OTHER_V6] },
    });
    const res = await api("/hosts/home.example.com/records/AAAA", { method: "DELETE" });
    expect(await res.json()).toEqual({
      status: "good",
      fqdn: "home.example.com",
      records: [{ type: "A", ttl: 60, values: [OTHER_V4] }],
    });
    expect(
      await (await api("/hosts/home.example.com/records/AAAA", { method: "DELETE" })).json(),
    ).toMatchObject({ status: "nochg" });
    await expectProblem(
      await api("/hosts/home.example.com/records/CNAME", { method: "DELETE" }),
      400,
      "invalid_record",
    );
  });
});

describe("GET /api/v1/hosts/:fqdn/history", () => {
  it("pages newest first", async () => {
    for (const ip of ["81.2.69.1", "81.2.69.2", "81.2.69.3"]) {
      await api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: [ip] } });
    }
    const page = (await (await api("/hosts/home.example.com/history?limit=2")).json()) as {
      entries: {
        id: number;
        newValues: string[];
        oldValues: string[] | null;
        protocol: string;
        at: string;
      }[];
      next?: number;
    };
    expect(page.entries.map((e) => e.newValues)).toEqual([["81.2.69.3"], ["81.2.69.2"]]);
    expect(page.entries[0]).toMatchObject({
      oldValues: ["81.2.69.2"],
      protocol: "api",
      outcome: "good",
      type: "A",
    });
    expect(page.next).toBe(page.entries[1]?.id);
    const rest = (await (
      await api(`/hosts/home.example.com/history?limit=2&before=${page.next}`)
    ).json()) as {
      entries: { newValues: string[]; oldValues: null }[];
      next?: number;
    };
    expect(rest).toEqual({
      entries: [expect.objectContaining({ newValues: ["81.2.69.1"], oldValues: null })],
    });
  });

  it("400 for a bad limit, 403 outside the scope", async () => {
    await expectProblem(await api("/hosts/home.example.com/history?limit=abc"), 400, "bad_request");
    await expectProblem(await api("/hosts/home.example.com/history?limit=0"), 400, "bad_request");
    await expectProblem(await api("/hosts/lab.example.com/history"), 403, "forbidden");
  });
});

describe("a host deleted and created again under its name", () => {
  it("is another host: its predecessor's token is revoked and reads nothing; other tokens see only the new history", async () => {
    const first = await f.store.getHost("home.example.com");
    /** A token for exactly home.example.com, made for its first host. */
    const madeForFirst = (label: string) =>
      f.tokens.create({
        label,
        names: [{ name: "home.example.com", subtree: false }],
        types: ["A"],
        hostId: first?.id,
      });
    const made = await madeForFirst("host home.example.com");
    const bound = `Bearer ${made.token}`;
    const put = (auth: string, ip: string) =>
      api("/hosts/home.example.com/records/A", { method: "PUT", body: { values: [ip] }, auth });
    expect((await put(bound, OTHER_V4)).status).toBe(200);
    await f.zones.removeHost("home.example.com");
    await f.zones.addHost("home.example.com");

    // Deleting the host revoked its token: neither update nor read works.
    expect((await f.store.getToken(made.record.id))?.revokedAt).toBeDefined();
    await expectProblem(await put(bound, CLIENT_V4), 401, "unauthorized");
    await expectProblem(await api("/hosts/home.example.com/history", { auth: bound }), 401, "unauthorized");
    // A token made for the old host but never revoked (say, created in a race) is refused by identity.
    const stale = await madeForFirst("stale");
    const staleAuth = `Bearer ${stale.token}`;
    await expectProblem(await api("/hosts/home.example.com/history", { auth: staleAuth }), 403, "forbidden");
    await expectProblem(await api("/hosts/home.example.com", { auth: staleAuth }), 403, "forbidden");
    await expectProblem(await put(staleAuth, CLIENT_V4), 403, "forbidden");

    // A name-scoped token reads the new host's history only: not the old owner's entry.
    const history = (await (await api("/hosts/home.example.com/history")).json()) as { entries: unknown[] };
    expect(history.entries).toEqual([]);
    expect(await f.rrsets("home.example.com")).toEqual([]);
  });
});

describe("hostnames outside ASCII", () => {
  it("PATCH to a KELVIN SIGN or fullwidth name is invalid_hostname, not the ASCII host it folds into", async () => {
    const kiosk = await f.token(["kiosk.example.com"], { types: ["A"] });
    for (const name of ["\u212Aiosk.example.com", "\uFF4Biosk.example.com"]) {
      const res = await api(`/hosts/${encodeURIComponent(name)}/records`, {
        method: "PATCH",
        body: { A: [OTHER_V4] },
        auth: `Bearer ${kiosk}`,
      });
      await expectProblem(res, 400, "invalid_hostname");
    }
    expect(await f.rrsets("kiosk.example.com")).toEqual([]);
  });
});
