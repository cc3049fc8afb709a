// A vendor API on 127.0.0.1 for provider tests: records every request, lets a test inject failures
// ahead of the vendor logic, and hands the rest to the fake's handler. Each fake in ./fakes/ checks
// what its vendor documents (auth headers, signatures, paths, bodies) and answers in its reply shapes.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Raw target as sent (path + query), for signature checks that need the exact bytes. */
  readonly rawUrl: string;
  /** Lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface FakeReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export type FakeHandler = (req: SeenRequest) => FakeReply | Promise<FakeReply>;

export interface FakeVendor {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** The next `times` requests get `reply` instead of reaching the vendor logic. */
  failNext(reply: FakeReply, times?: number): void;
  /** Every request gets `reply` until cleared with undefined (a vendor outage). */
  failAll(reply: FakeReply | undefined): void;
  close(): Promise<void>;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeReply {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export async function startFakeVendor(handler: FakeHandler): Promise<FakeVendor> {
  const requests: SeenRequest[] = [];
  const injected: FakeReply[] = [];
  let outage: FakeReply | undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawUrl = req.url ?? "/";
      const parsed = new URL(rawUrl, "http://fake");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      }
      const seen: SeenRequest = {
        method: req.method ?? "GET",
        path: parsed.pathname,
        query: parsed.searchParams,
        rawUrl,
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      const forced = injected.shift() ?? outage;
      Promise.resolve(forced ?? handler(seen))
        .catch((e: unknown): FakeReply => ({ status: 500, body: `fake vendor bug: ${String(e)}` }))
        .then((reply) => {
          res.writeHead(reply.status, { ...reply.headers });
          res.end(reply.body);
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(reply, times = 1) {
      for (let i = 0; i < times; i++) injected.push(reply);
    },
    failAll(reply) {
      outage = reply;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One record as a fake vendor holds it. `extra` carries vendor-only fields the provider must keep. */
export interface FakeRecord {
  id: string;
  /** Canonical fqdn. */
  name: string;
  type: string;
  content: string;
  ttl: number;
  extra: Record<string, unknown>;
}

/** The records of a fake account, by zone. Ids are stable and never reused. */
export class FakeZones {
  private next = 1;
  readonly records = new Map<string, FakeRecord[]>();

  constructor(zones: readonly string[]) {
    for (const z of zones) this.records.set(z, []);
  }

  /** The zone holding `fqdn` (longest match), if the account has one. */
  zoneOf(fqdn: string): string | undefined {
    let best: string | undefined;
    for (const z of this.records.keys()) {
      if ((fqdn === z || fqdn.endsWith(`.${z}`)) && (best === undefined || z.length > best.length)) best = z;
    }
    return best;
  }

  list(zone: string): FakeRecord[] {
    return this.records.get(zone) ?? [];
  }

  find(zone: string, name: string, type?: string): FakeRecord[] {
    return this.list(zone).filter((r) => r.name === name && (type === undefined || r.type === type));
  }

  add(zone: string, r: Omit<FakeRecord, "id">): FakeRecord {
    const rec = { id: `rec${this.next++}`, ...r };
    this.list(zone).push(rec);
    return rec;
  }

  remove(zone: string, id: string): boolean {
    const list = this.list(zone);
    const i = list.findIndex((r) => r.id === id);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  byId(zone: string, id: string): FakeRecord | undefined {
    return this.list(zone).find((r) => r.id === id);
  }
}
