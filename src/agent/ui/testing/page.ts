// A local page on the in-process status app, for the ui tests: the real agent loader and assembly
// (static sources, a beacon target whose HTTP the test records), a config file in a temp dir, and a
// fake running agent (status list, runNow and apply counters).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { afterEach } from "vitest";
import { assembleAgent } from "../../assemble.js";
import { detectAddress } from "../../detect/verdict.js";
import { createAgentMetrics } from "../../metrics.js";
import type { RecordStatus } from "../../record-state.js";
import { createStatusApp } from "../../status.js";
import { createFakeTime } from "../../testing/fake-time.js";
import { fakeDns, fakeInterfaces } from "../../testing/fakes.js";
import { loadAgentConfig } from "../../../config/agent/index.js";
import type { ListenScope } from "../../../config/agent/listen-scope.js";
import { ConfigError } from "../../../config/errors.js";
import type { AssetReader } from "../../../http/pages/assets.js";
import { silentLog } from "../../../services/ports.js";
import type { Applied, Candidate } from "../config-api.js";
import { createConfigFile } from "../config-file.js";

export const T0 = 1_700_000_000_000;

/** A valid agent YAML with two static sources answering `a` and `b`. */
export function yamlWith(a: string, b: string, extra = ""): string {
  return [
    "interval: 1m",
    "sources:",
    `  one: { type: static, address: "${a}", operator: first }`,
    `  two: { type: static, address: "${b}", operator: second }`,
    "targets:",
    "  server: { type: beacon, url: http://beacon.test, token: tk_abc.defghijklmnopqrstuvwxyz012345 }",
    "records:",
    "  - { name: home.example.com, type: A, target: server, sources: [one, two] }",
    extra,
  ].join("\n");
}

export interface PageOptions {
  readonly yaml?: string;
  readonly noFile?: boolean;
  readonly listenHost?: string;
  readonly scope?: ListenScope;
  readonly passwordHash?: string;
  readonly status?: RecordStatus[];
  readonly assets?: AssetReader;
  readonly clientAddress?: string;
}

export interface PageHarness {
  readonly app: Hono;
  readonly dir: string;
  readonly file: string;
  readonly time: ReturnType<typeof createFakeTime>;
  /** HTTP requests the candidate records' targets made (must stay empty: dry runs never publish). */
  readonly published: string[];
  readonly calls: { runNow: number; apply: number };
  status: RecordStatus[];
  onDisk(): string;
  /** app.request with Host 127.0.0.1:9876 and JSON, CSRF header when given. */
  request(path: string, init?: RequestInit & { csrf?: string; json?: unknown }): Promise<Response>;
  remove(): void;
}

export function createPage(o: PageOptions = {}): PageHarness {
  const dir = mkdtempSync(join(tmpdir(), "beacon-page-"));
  const file = join(dir, "agent.yaml");
  writeFileSync(file, o.yaml ?? yamlWith("81.2.69.160", "81.2.69.160"), { mode: 0o640 });
  const time = createFakeTime(T0);
  const published: string[] = [];
  const calls = { runNow: 0, apply: 0 };
  const net = {
    httpRequest: (url: string) => {
      published.push(url);
      return Promise.reject(new Error("no network in page tests"));
    },
    dnsQuery: fakeDns().query,
    readInterfaces: fakeInterfaces().read,
    runCommand: () => Promise.reject(new Error("no commands")),
    clock: time.clock,
    userAgent: "test",
  };
  const check = (yaml: string): Candidate => {
    try {
      const config = loadAgentConfig({
        file,
        env: {},
        flags: {},
        cwd: dir,
        readFile: (p) => (p === file ? yaml : readFileSync(p, "utf8")),
      });
      return { ok: true, records: assembleAgent(config, net).records, restartRequired: [] };
    } catch (e) {
      if (e instanceof ConfigError) return { ok: false, issues: e.issues };
      throw e;
    }
  };
  const h: PageHarness = {
    app: undefined as unknown as Hono,
    dir,
    file,
    time,
    published,
    calls,
    status: o.status ?? [],
    onDisk: () => readFileSync(file, "utf8"),
    request(path, init = {}) {
      const { csrf, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has("host")) headers.set("host", "127.0.0.1:9876");
      if (csrf !== undefined) headers.set("x-csrf-token", csrf);
      if (json !== undefined) headers.set("content-type", "application/json");
      return Promise.resolve(
        h.app.request(`http://127.0.0.1:9876${path}`, {
          ...rest,
          headers,
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        }),
      );
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  const status = () => h.status;
  (h as { app: Hono }).app = createStatusApp({
    status,
    registry: createAgentMetrics(status),
    version: "9.9.9",
    page: {
      listen: { host: o.listenHost ?? "127.0.0.1", scope: o.scope ?? "loopback" },
      passwordHash: o.passwordHash,
      assets: o.assets ?? (() => Promise.resolve(undefined)),
      clock: time.clock,
      log: silentLog,
      clientAddress: () => o.clientAddress,
      statusApi: {
        version: "9.9.9",
        configFile: o.noFile === true ? undefined : file,
        intervalMs: 60_000,
        status,
        runNow: () => void calls.runNow++,
      },
      config: {
        file: o.noFile === true ? undefined : createConfigFile(file),
        check,
        apply: (): Applied => {
          calls.apply++;
          return { ok: true, records: 1 };
        },
        status,
        reconcile: {
          clock: time.clock,
          timers: time.timers,
          detect: (sources, opts) => detectAddress(sources, opts, { clock: time.clock }),
          readInterfaces: net.readInterfaces,
          dnsQuery: net.dnsQuery,
          verifyResolver: undefined,
          publishTimeoutMs: 1_000,
        },
        timers: time.timers,
      },
    },
  });
  return h;
}

/** GET /api/session's CSRF token (open mode, or with the session cookie given). */
export async function csrfOf(h: PageHarness, cookie?: string): Promise<string> {
  const res = await h.request("/api/session", cookie === undefined ? {} : { headers: { cookie } });
  const body = (await res.json()) as { csrfToken?: string };
  if (body.csrfToken === undefined) throw new Error("no csrf token");
  return body.csrfToken;
}

/** A `page()` for a test file: every harness it creates is removed after each test. */
export function usePages(): (o?: PageOptions) => PageHarness {
  const pages: PageHarness[] = [];
  afterEach(() => {
    for (const p of pages.splice(0)) p.remove();
  });
  return (o) => {
    const p = createPage(o);
    pages.push(p);
    return p;
  };
}
