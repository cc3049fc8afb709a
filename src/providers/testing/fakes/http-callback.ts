// A webhook receiver on 127.0.0.1 for the http callback provider's tests. It understands two
// request shapes, both of which the tests configure through templates:
// - JSON:  PUT /hooks/{zone}/records/{name}/{type} with `Authorization: Bearer <secret>` and
//          `{"name": …, "values": [...], "ttl": n|null, …}`; DELETE on the same path.
// - form:  POST /form with `X-Api-Key: <secret>` and `hostname=…&type=…&value=…`.
// It checks the credential (401 `{"error": "invalid token"}`), the content type (415), that the body
// is what it claims (400 with the parser's message) and that the name in the path matches the body,
// and keeps what it was told, so the contract suite can peek. Every request stays in the vendor log.

import { parseIp } from "../../../core/ip.js";
import { json, startFakeVendor, type FakeReply, type FakeVendor, type SeenRequest } from "../fake-vendor.js";

export interface FakeCallback {
  readonly vendor: FakeVendor;
  /** name → type → values, as received (not canonicalised: tests compare exact bytes). */
  readonly held: Map<string, Map<string, { values: string[]; ttl: number | null }>>;
  close(): Promise<void>;
}

const RECORD_PATH = /^\/hooks\/([^/]+)\/records\/([^/]+)\/(A|AAAA|TXT)$/;

export async function startFakeCallback(secret: string): Promise<FakeCallback> {
  const held = new Map<string, Map<string, { values: string[]; ttl: number | null }>>();
  const store = (name: string, type: string, values: string[], ttl: number | null) => {
    const byType = held.get(name) ?? new Map<string, { values: string[]; ttl: number | null }>();
    byType.set(type, { values, ttl });
    held.set(name, byType);
  };
  const bad = (message: string) => json(400, { error: message });

  const handle = (req: SeenRequest): FakeReply => {
    if (req.path === "/form") {
      if (req.method !== "POST") return json(405, { error: "method not allowed" });
      if (req.headers["x-api-key"] !== secret) return json(401, { error: "invalid token" });
      if (req.headers["content-type"] !== "application/x-www-form-urlencoded")
        return json(415, { error: "expected a form" });
      const form = new URLSearchParams(req.body);
      const [name, type, value] = [form.get("hostname"), form.get("type"), form.get("value")];
      if (name === null || type === null || value === null)
        return bad("hostname, type and value are required");
      store(name, type, [value], null);
      return json(200, { ok: true });
    }
    const m = RECORD_PATH.exec(req.path);
    if (m === null) return json(404, { error: "no such hook" });
    if (req.headers.authorization !== `Bearer ${secret}`) return json(401, { error: "invalid token" });
    const [, , rawName = "", type = ""] = m;
    const name = decodeURIComponent(rawName);
    if (req.method === "DELETE") {
      held.get(name)?.delete(type);
      return { status: 204, body: "" };
    }
    if (req.method !== "PUT") return json(405, { error: "method not allowed" });
    if (req.headers["content-type"] !== "application/json") return json(415, { error: "expected JSON" });
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch (e) {
      return bad(`body is not JSON: ${String(e)}`);
    }
    const b = body as { name?: unknown; values?: unknown; ttl?: unknown };
    if (b.name !== name) return bad("the name in the body differs from the path");
    if (!Array.isArray(b.values) || !b.values.every((v) => typeof v === "string") || b.values.length === 0)
      return bad("values must be a non-empty array of strings");
    if (b.ttl !== null && typeof b.ttl !== "number") return bad("ttl must be a number or null");
    const values = b.values;
    if (type !== "TXT" && values.some((v) => parseIp(v)?.family !== (type === "A" ? 4 : 6)))
      return bad(`not ${type} addresses`);
    store(name, type, values, b.ttl);
    return json(200, { ok: true });
  };

  const vendor = await startFakeVendor(handle);
  return { vendor, held, close: () => vendor.close() };
}
