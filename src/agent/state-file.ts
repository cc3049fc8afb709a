// What the agent remembers across restarts, per (fqdn, type, target): the values last published and
// when, a `fatal` stop (with the config fingerprint it applies to) and a server-requested
// "not before" time. Losing the file is safe (the next cycle republishes once); a corrupt file is
// logged and ignored, never fatal.
//
// Writes are atomic (replace-file.ts): a crash leaves either the old or the new content. Synchronous
// on purpose: the file is tiny, written only after a publish, and a sync write keeps the loop's
// ordering simple.

import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFile } from "./replace-file.js";
import { z } from "zod";
import type { Log } from "../core/log.js";

export interface RecordMemory {
  readonly published?: { readonly values: readonly string[]; readonly at: number };
  /** Set by a fatal PublishResult; ignored once the record's config fingerprint differs. */
  readonly fatal?: {
    readonly code: string;
    readonly detail: string;
    readonly fingerprint: string;
    readonly at: number;
  };
  /** The service asked us to wait until this time (dyndns2 911/dnserr, Retry-After). */
  readonly notBefore?: number;
  /** Start of the current failure episode (one `failure` notification per episode, `recovered` after). */
  readonly failingSince?: number;
}

/** The agent's memory store; implementations never throw. */
export interface StateStore {
  load(): ReadonlyMap<string, RecordMemory>;
  /** Replaces the whole content. Returns false (after logging) when it could not be written. */
  save(entries: ReadonlyMap<string, RecordMemory>): boolean;
}

export function stateKey(fqdn: string, type: string, target: string): string {
  return `${fqdn} ${type} ${target}`;
}

const memorySchema = z.object({
  published: z.object({ values: z.array(z.string()), at: z.number() }).optional(),
  fatal: z
    .object({ code: z.string(), detail: z.string(), fingerprint: z.string(), at: z.number() })
    .optional(),
  notBefore: z.number().optional(),
  failingSince: z.number().optional(),
});
const fileSchema = z.object({ version: z.literal(1), records: z.record(z.string(), z.unknown()) });

export function createStateFile(path: string, log: Log): StateStore {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (e) {
        if ((e as { code?: unknown }).code !== "ENOENT")
          log.warn({ path, err: String(e) }, "cannot read the agent state file; starting with no memory");
        return new Map();
      }
      let parsed: z.infer<typeof fileSchema>;
      try {
        parsed = fileSchema.parse(JSON.parse(text));
      } catch {
        log.warn({ path }, "the agent state file is corrupt; starting with no memory (it will be rewritten)");
        return new Map();
      }
      const out = new Map<string, RecordMemory>();
      for (const [key, value] of Object.entries(parsed.records)) {
        const m = memorySchema.safeParse(value);
        if (m.success) out.set(key, m.data);
        else log.warn({ path, key }, "ignoring a malformed entry in the agent state file");
      }
      return out;
    },
    save(entries) {
      const records: Record<string, RecordMemory> = {};
      for (const [k, v] of entries) records[k] = v;
      const text = `${JSON.stringify({ version: 1, records }, null, 2)}\n`;
      try {
        mkdirSync(dirname(path), { recursive: true });
        replaceFile(path, text, 0o600);
        return true;
      } catch (e) {
        log.error({ path, err: String(e) }, "cannot write the agent state file");
        return false;
      }
    },
  };
}

/** In-memory StateStore for tests and `--dry-run`. */
export function createMemoryState(initial: ReadonlyMap<string, RecordMemory> = new Map()): StateStore & {
  readonly saved: number;
} {
  let content = new Map(initial);
  let saved = 0;
  return {
    get saved() {
      return saved;
    },
    load: () => new Map(content),
    save(entries) {
      content = new Map(entries);
      saved++;
      return true;
    },
  };
}
