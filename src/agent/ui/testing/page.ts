// A local page on the in-process status app, for the ui tests: the real candidate check (the agent's
// loader and assembleForCheck; static sources, a beacon target whose HTTP the test records, and the
// REAL runCommand, so a check that ran a program would really run it), a config file in a temp dir,
// and a fake running agent (status list, runNow and apply counters).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { afterEach } from "vitest";
import { detectAddress } from "../../detect/verdict.js";
import { createAgentMetrics } from "../../metrics.js";
import type { RecordStatus } from "../../loop/record-state.js";
import { createStatusApp } from "../../status.js";
import { createFakeTime } from "../../../core/testing/fake-time.js";
import { fakeDns, fakeInterfaces } from "../../testing/fakes.js";
import { createRunCommand } from "../../system/run-command.js";
import { loadAgentConfig } from "../../config/index.js";
import type { ListenScope } from "../../config/listen-scope.js";
import type { AssetReader } from "../../../http/pages/assets.js";
import { hashPassword } from "../../../services/auth/passwords.js";
import { silentLog } from "../../../core/log.js";
import { SESSION_COOKIE } from "../auth.js";
import { createCandidateCheck, withPasswordHash } from "../candidate.js";
import type { Applied } from "../config-api.js";
import { createConfigFile } from "../config-file.js";

export const T0 = 1_700_000_000_000;
/** The code a harness "printed" at start (loopback without a password), and the password csrfOf() uses. */
export const SETUP_CODE = "7K2M-9QXD-AAAA-BBBB-CCCC-DDDD";
export const PAGE_PASSWORD = "page-password-1";
/** status.password_hash for PAGE_PASSWORD (hashed once per test file). */
export const PAGE_HASH = await hashPassword(PAGE_PASSWORD);

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
  /** Every write of the config file fails with this errno code ("EROFS": a read-only file system). */
  readonly writeError?: string;
  /** As the CLI finds at start when the file is not writable: then no setup code is printed. */
  readonly setupUnavailable?: string;
}

export interface PageHarness {
  readonly app: Hono;
  readonly dir: string;
  readonly file: string;
  readonly time: ReturnType<typeof createFakeTime>;
  /** HTTP requests the candidate records' targets made (must stay empty: dry runs never publish). */
  readonly published: string[];
  readonly calls: { runNow: number; apply: number; passwordSet: string[] };
  status: RecordStatus[];
  /** The session csrfOf() opened; its cookie goes with every later request unless one is given. */
  session: { readonly cookie: string; readonly csrf: string } | undefined;
  onDisk(): string;
  /** app.request with Host 127.0.0.1:9876 and JSON, CSRF header when given. */
  request(
    path: string,
    init?: RequestInit & { csrf?: string; json?: unknown; anonymous?: boolean },
  ): Promise<Response>;
  remove(): void;
}

export function createPage(o: PageOptions = {}): PageHarness {
  const dir = mkdtempSync(join(tmpdir(), "beacon-page-"));
  const file = join(dir, "agent.yaml");
  writeFileSync(file, o.yaml ?? yamlWith("81.2.69.160", "81.2.69.160"), { mode: 0o640 });
  const time = createFakeTime(T0);
  const published: string[] = [];
  const calls = { runNow: 0, apply: 0, passwordSet: [] as string[] };
  const net = {
    httpRequest: (url: string) => {
      published.push(url);
      return Promise.reject(new Error("no network in page tests"));
    },
    dnsQuery: fakeDns().query,
    readInterfaces: fakeInterfaces().read,
    runCommand: createRunCommand(),
    clock: time.clock,
    userAgent: "test",
  };
  // As src/cli/agent-runtime.ts: the running configuration, with a password set from the page.
  let running = loadAgentConfig({ file, env: {}, flags: {}, cwd: dir });
  const check = createCandidateCheck({
    file,
    env: {},
    flags: {},
    cwd: dir,
    deps: net,
    running: () => running,
  });
  const realFile = createConfigFile(file);
  const writeError = o.writeError;
  const configFile =
    writeError === undefined
      ? realFile
      : {
          ...realFile,
          write: () =>
            Promise.reject(Object.assign(new Error(`${writeError}: cannot write`), { code: writeError })),
        };
  const setupMode = o.passwordHash === undefined && (o.scope ?? "loopback") === "loopback";
  const h: PageHarness = {
    app: undefined as unknown as Hono,
    dir,
    file,
    time,
    published,
    calls,
    status: o.status ?? [],
    session: undefined,
    onDisk: () => readFileSync(file, "utf8"),
    request(path, init = {}) {
      const { csrf, json, anonymous, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has("host")) headers.set("host", "127.0.0.1:9876");
      if (h.session !== undefined && anonymous !== true && !headers.has("cookie"))
        headers.set("cookie", h.session.cookie);
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
      setupCode: setupMode && o.setupUnavailable === undefined ? SETUP_CODE : undefined,
      ...(o.setupUnavailable === undefined ? {} : { setupUnavailable: o.setupUnavailable }),
      onPasswordSet: (hash) => {
        calls.passwordSet.push(hash);
        running = withPasswordHash(running, hash);
      },
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
        file: o.noFile === true ? undefined : configFile,
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

/** A problem answer's status and stable code. */
export async function codeOf(res: Response): Promise<[number, string]> {
  return [res.status, ((await res.json()) as { code: string }).code];
}

/** The cookie header of a sign-in or setup answer, if it set the session cookie. */
export function sessionCookie(res: Response): string | undefined {
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get("set-cookie") ?? "")?.[1];
  return value === undefined ? undefined : `${SESSION_COOKIE}=${value}`;
}

/**
 * A signed-in session's CSRF token, opened once per harness: sign-in with PAGE_PASSWORD when the page
 * has a password, else the page's setup with its code (which writes status.password_hash into the file).
 */
export async function csrfOf(h: PageHarness): Promise<string> {
  if (h.session !== undefined) return h.session.csrf;
  const state = (await (await h.request("/api/session")).json()) as { setup?: unknown };
  const res =
    state.setup === undefined
      ? await h.request("/api/session", { method: "POST", json: { password: PAGE_PASSWORD } })
      : await h.request("/api/setup", {
          method: "POST",
          json: { code: SETUP_CODE, password: PAGE_PASSWORD },
        });
  const body = (await res.json()) as { csrfToken?: string };
  const cookie = sessionCookie(res);
  if (body.csrfToken === undefined || cookie === undefined) throw new Error(`no session: ${res.status}`);
  h.session = { cookie, csrf: body.csrfToken };
  return body.csrfToken;
}

/** A `page()` for a test file (with `defaults` under each call's options); every harness is removed after each test. */
export function usePages(defaults: PageOptions = {}): (o?: PageOptions) => PageHarness {
  const pages: PageHarness[] = [];
  afterEach(() => {
    for (const p of pages.splice(0)) p.remove();
  });
  return (o) => {
    const p = createPage({ ...defaults, ...o });
    pages.push(p);
    return p;
  };
}
