// Puts `status.password_hash` into the agent's YAML text, changing nothing else: the new entry is
// spliced into the text where the `status` mapping is (block or flow style), or a `status:` block is
// appended, so every other line, comment and quote stays byte for byte. The result is parsed again
// and must mean the old document plus that one setting, or the edit is refused. Pure.

import { isDeepStrictEqual } from "node:util";
import { isMap, isScalar, parseDocument, type Document, type Range } from "yaml";

export type PasswordEdit =
  | { readonly ok: true; readonly text: string }
  /** `exists`: the text already sets status.password_hash; `unplaceable`: it cannot be edited safely. */
  | { readonly ok: false; readonly reason: "exists" | "unplaceable"; readonly detail: string };

/** What hashPassword() produces; nothing in it needs escaping inside double quotes. */
const HASH = /^[A-Za-z0-9$+/=.]{1,512}$/;

export function setPasswordHash(text: string, hash: string): PasswordEdit {
  if (!HASH.test(hash)) throw new Error("not a password hash");
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return unplaceable("the file is not valid YAML at the moment");
  const entry = `password_hash: "${hash}"`;
  const edited = splice(text, doc, entry);
  if (typeof edited !== "string") return edited;
  // The edit must mean exactly "the old settings plus this one".
  const after = parseDocument(edited);
  const want = (doc.toJS() ?? {}) as Record<string, unknown>;
  const status = want["status"];
  const expected = {
    ...want,
    status: { ...(typeof status === "object" && status !== null ? status : {}), password_hash: hash },
  };
  if (after.errors.length > 0 || !isDeepStrictEqual(after.toJS(), expected))
    return unplaceable("the file's layout is unusual");
  return { ok: true, text: edited };
}

function splice(text: string, doc: Document, entry: string): string | PasswordEdit {
  const root = doc.contents;
  if (root !== null && (!isMap(root) || root.flow === true))
    return unplaceable("the file is not a plain mapping of settings");
  const status = root?.get("status", true);
  if (status === undefined || status === null) {
    const sep = text === "" || text.endsWith("\n") ? "" : "\n";
    return `${text}${sep}status:\n  ${entry}\n`;
  }
  const range = status.range as Range | undefined;
  if (range === undefined) return unplaceable("the status setting has no position");
  if (isScalar(status) && (status.value === null || status.value === "")) {
    // `status:` / `status: ~`: the empty value becomes a flow mapping with the one entry.
    const pad = range[0] === range[1] ? " " : "";
    return insert(text, range[0], range[1], `${pad}{ ${entry} }`);
  }
  if (!isMap(status)) return unplaceable("status is not a mapping");
  if (status.has("password_hash"))
    return { ok: false, reason: "exists", detail: "the file already sets status.password_hash" };
  const last = status.items.at(-1);
  const lastEnd = (last?.value as { range?: Range } | null | undefined)?.range?.[1];
  if (status.flow === true) {
    if (last === undefined) return insert(text, range[1] - 1, range[1] - 1, entry);
    return lastEnd === undefined
      ? unplaceable("status is unusual")
      : insert(text, lastEnd, lastEnd, `, ${entry}`);
  }
  const firstKey = (status.items[0]?.key as { range?: Range } | undefined)?.range?.[0];
  if (firstKey === undefined || lastEnd === undefined) return unplaceable("status is unusual");
  const indent = " ".repeat(firstKey - text.lastIndexOf("\n", firstKey - 1) - 1);
  // After the last entry's line (its comment included), or where a block scalar already ended a line.
  if (text[lastEnd - 1] === "\n") return insert(text, lastEnd, lastEnd, `${indent}${entry}\n`);
  const eol = text.indexOf("\n", lastEnd);
  const at = eol === -1 ? text.length : eol;
  return insert(text, at, at, `\n${indent}${entry}`);
}

function insert(text: string, from: number, to: number, what: string): string {
  return `${text.slice(0, from)}${what}${text.slice(to)}`;
}

function unplaceable(why: string): PasswordEdit {
  return { ok: false, reason: "unplaceable", detail: `cannot add status.password_hash: ${why}` };
}
