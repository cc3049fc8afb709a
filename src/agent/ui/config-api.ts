// The configuration routes of the local page (docs/agent/ui.md):
//   GET  /api/config        → the YAML file as it is on disk, with its sha256 (`hash`)
//   POST /api/config/check  → validation by the agent's own loader, then a dry run of the candidate
//   PUT  /api/config        → validate, write atomically, reload (the SIGHUP path), run every record now
// A rejected candidate writes nothing. Saves run one at a time; `expectedHash` turns a save over a
// file changed since the page loaded it into 409 config_changed. Bodies over 256 KiB → 413.

import type { Hono } from "hono";
import type { ConfigIssue } from "../../config/errors.js";
import { BeaconError } from "../../core/errors.js";
import { readJsonBody } from "../../http/body.js";
import type { Log } from "../../core/log.js";
import type { AgentRecord } from "../loop/agent-record.js";
import type { ReconcileDeps } from "../loop/reconcile.js";
import type { RecordStatus } from "../loop/record-state.js";
import type { Timers } from "../../core/timers.js";
import type { NotifierCheck } from "./check-assembly.js";
import { textHash, type ConfigFile } from "./config-file.js";
import { dryRunRecords } from "./dry-run.js";
import { problemResponse, refuse } from "./problem.js";
import { createSerial, type Serial } from "./serial.js";
import { dryRunView } from "./status-view.js";

export const MAX_CONFIG_BODY = 256 * 1024;
/** Hostile text can yield thousands of parser errors; the first ones are what a person fixes. */
const MAX_ISSUES = 50;

export type Candidate =
  | {
      readonly ok: true;
      /**
       * The candidate's records, built with their own sources and targets (nothing started) by
       * assembleForCheck: sources that run a program are stand-ins that report "not run in a check".
       */
      readonly records: readonly AgentRecord[];
      /** The candidate's notifiers: a check never notifies. */
      readonly notifiers: readonly NotifierCheck[];
      /** Settings that differ from the running agent's and apply only after a restart. */
      readonly restartRequired: readonly string[];
    }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export type Applied =
  { readonly ok: true; readonly records: number } | { readonly ok: false; readonly detail: string };

export interface ConfigApiDeps {
  /** undefined: the agent runs without a file; the page can check but not save. */
  readonly file: ConfigFile | undefined;
  /** The running agent's loader on candidate text (same env, flags, cwd). May throw on a bug. */
  readonly check: (yaml: string) => Candidate;
  /** Re-reads the file and applies it like SIGHUP, then runs every record now. */
  readonly apply: () => Applied;
  readonly status: () => readonly RecordStatus[];
  readonly reconcile: ReconcileDeps;
  readonly timers: Timers;
  readonly log: Log;
  /** Upper bound for one dry run (default 30 s); each source also has its record's timeout. */
  readonly dryRunTimeoutMs?: number;
}

export interface IssueView {
  readonly path: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

export function issueView(issue: ConfigIssue): IssueView {
  const s = issue.source;
  const from =
    s.kind === "env"
      ? ` (set by environment ${s.name})`
      : s.kind === "flag"
        ? ` (set by flag ${s.name})`
        : "";
  return {
    path: issue.setting ?? "",
    line: s.kind === "file" ? (s.line ?? null) : null,
    column: s.kind === "file" ? (s.column ?? null) : null,
    message: `${issue.message}${from}`,
  };
}

function issueViews(issues: readonly ConfigIssue[]): IssueView[] {
  return issues.slice(0, MAX_ISSUES).map(issueView);
}

const HASH = /^[0-9a-f]{64}$/;

interface Body {
  readonly yaml: string;
  readonly expectedHash: string | undefined;
}

function bodyOf(v: unknown): Body {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new BeaconError("bad_request", 'expected {"yaml": "…"}');
  const o = v as Record<string, unknown>;
  if (typeof o["yaml"] !== "string") throw new BeaconError("bad_request", "yaml: expected the file's text");
  const h = o["expectedHash"];
  if (h !== undefined && h !== null && (typeof h !== "string" || !HASH.test(h)))
    throw new BeaconError("bad_request", "expectedHash: expected the sha256 hex from GET /api/config");
  return { yaml: o["yaml"], expectedHash: typeof h === "string" ? h : undefined };
}

/** `saves` runs every write of the file one at a time (shared with the page's password setup). */
export function registerConfigApi(app: Hono, deps: ConfigApiDeps, saves: Serial): void {
  const { log } = deps;
  const dryRuns = createSerial();

  /** Never throws: a loader bug or a parser blow-up (deep nesting) is an issue, not a 500. */
  const check = (yaml: string): Candidate => {
    try {
      return deps.check(yaml);
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "checking a configuration failed");
      const why = e instanceof RangeError ? "it is nested too deeply" : "see the agent's log";
      return {
        ok: false,
        issues: [
          {
            setting: undefined,
            source: { kind: "default" },
            message: `the configuration could not be checked (${why})`,
          },
        ],
      };
    }
  };

  app.get("/api/config", async (c) => {
    if (deps.file === undefined) return c.json({ file: null, yaml: "", writable: false, hash: textHash("") });
    let yaml: string;
    try {
      yaml = await deps.file.read();
    } catch (e) {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, "cannot read the configuration file");
      return refuse("not_found", log, `cannot read ${deps.file.path}`);
    }
    const writable = (await deps.file.writeProblem()) === undefined;
    return c.json({ file: deps.file.path, yaml, writable, hash: textHash(yaml) });
  });

  app.post("/api/config/check", async (c) => {
    let body: Body;
    try {
      body = bodyOf(await readJsonBody(c.req.raw, MAX_CONFIG_BODY));
    } catch (e) {
      return problemResponse(e, log);
    }
    const candidate = check(body.yaml);
    if (!candidate.ok) return c.json({ ok: false, issues: issueViews(candidate.issues), dryRun: null });
    const reports = await dryRuns(async () => {
      const ac = new AbortController();
      const timer = deps.timers.setTimeout(
        () => ac.abort(new Error("dry run took too long")),
        deps.dryRunTimeoutMs ?? 30_000,
      );
      const onClose = () => ac.abort(new Error("the page went away"));
      c.req.raw.signal.addEventListener("abort", onClose, { once: true });
      try {
        return await dryRunRecords(candidate.records, deps.status(), deps.reconcile, ac.signal);
      } finally {
        deps.timers.clearTimeout(timer);
        c.req.raw.signal.removeEventListener("abort", onClose);
      }
    });
    return c.json({
      ok: true,
      issues: [],
      restartRequired: candidate.restartRequired,
      dryRun: { records: reports.map(dryRunView), notifiers: candidate.notifiers },
    });
  });

  app.put("/api/config", async (c) => {
    let body: Body;
    try {
      body = bodyOf(await readJsonBody(c.req.raw, MAX_CONFIG_BODY));
    } catch (e) {
      return problemResponse(e, log);
    }
    const file = deps.file;
    if (file === undefined)
      return refuse("method_not_allowed", log, "the agent was started without a configuration file");
    return saves(async () => {
      if (body.expectedHash !== undefined) {
        const onDisk = await file.read().then(textHash, () => undefined);
        if (onDisk !== body.expectedHash)
          return refuse(
            "config_changed",
            log,
            `${file.path} changed since the page loaded it; reload and edit again`,
          );
      }
      const candidate = check(body.yaml);
      if (!candidate.ok)
        return refuse("config_invalid", log, "the configuration has problems; nothing was saved", {
          status: 400,
          details: { issues: issueViews(candidate.issues) },
        });
      try {
        await file.write(body.yaml);
      } catch (e) {
        const code = (e as { code?: unknown } | null)?.code;
        log.error(
          { err: e instanceof Error ? e.message : String(e), file: file.path },
          "saving the configuration failed",
        );
        if (code === "EACCES" || code === "EPERM" || code === "EROFS")
          return refuse(
            "forbidden",
            log,
            `the agent may not write ${file.path} (${code}); nothing was saved`,
          );
        return refuse("internal", log);
      }
      log.info({ file: file.path }, "configuration saved from the local page");
      const applied = deps.apply();
      return c.json({
        saved: true,
        file: file.path,
        records: candidate.records.length,
        applied: applied.ok,
        ...(applied.ok ? {} : { detail: applied.detail }),
        restartRequired: candidate.restartRequired,
      });
    });
  });
}
