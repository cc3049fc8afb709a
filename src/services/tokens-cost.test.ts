// Authentication must cost the same whatever the number of tokens: every credential form is one
// indexed read by the secret's hash. Shown by counting the store's calls and rows, never by timing.
// Hostile inputs: thousands of tokens with one wrong password, user = hostname with a revoked token's
// secret, user = token id with another token's secret, oversized and empty passwords.

import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import { countingStore, type StoreReads } from "../store/testing/counting.js";
import type { Store } from "../store/ports.js";
import { createTokenService, type Credential } from "./tokens.js";

const NOW = 1_700_000_000_000;
const home = { label: "home", names: [{ name: "home.example.com", subtree: false }], types: ["A" as const] };
const tick = () => new Promise((r) => setTimeout(r, 0));
const secretOf = (token: string) => token.split(".")[1] ?? "";

/** Every credential tried, by name; each is answered from a store holding `fillers` more tokens for the same name. */
async function costs(open: () => Promise<Store>, fillers: number) {
  const counting = countingStore(await open());
  const tokens = createTokenService({ store: counting.store, clock: () => NOW });
  for (let i = 0; i < fillers; i++) await tokens.create({ ...home, label: `filler ${i}` });
  const right = await tokens.create(home);
  const revoked = await tokens.create(home);
  await tokens.revoke(revoked.record.id);
  const other = await tokens.create({ ...home, names: [{ name: "office.example.com", subtree: false }] });

  const tries: Record<string, Credential> = {
    "wrong password, user = hostname": { user: "home.example.com", password: "not-the-secret-of-any-token" },
    "revoked token's secret, user = hostname": {
      user: "home.example.com",
      password: secretOf(revoked.token),
    },
    "another token's secret, user = token id": { user: right.record.id, password: secretOf(other.token) },
    "another token's secret, id.secret form": { password: `${right.record.id}.${secretOf(other.token)}` },
    "another token's secret, user = its uncovered hostname": {
      user: "home.example.com",
      password: secretOf(other.token),
    },
    "oversized password": { user: "home.example.com", password: "x".repeat(100_000) },
    "empty password": { user: "home.example.com", password: "" },
    "bare secret, user names nothing": { user: "nobody", password: secretOf(right.token) },
    "right: full token": { password: right.token },
    "right: user = token id": { user: right.record.id, password: secretOf(right.token) },
    "right: user = hostname": { user: "HOME.example.com.", password: secretOf(right.token) },
  };
  const out: Record<string, { ok: boolean; reads: Record<string, StoreReads> }> = {};
  for (const [name, cred] of Object.entries(tries)) {
    await tick();
    counting.reset();
    const ok = await tokens.authenticate(cred, undefined).then(
      () => true,
      () => false,
    );
    await tick(); // "last used" is written in the background; count it too
    out[name] = { ok, reads: counting.counts() };
    await counting.store.touchToken(right.record.id, 0); // the next right try records its use again
  }
  await counting.store.close();
  return out;
}

describe.each([
  ["memory", () => Promise.resolve(createMemoryStore())],
  ["sqlite", () => openSqliteStore({ path: ":memory:" })],
])("authentication cost (%s store)", (_kind, open) => {
  it("reads the same rows with 1 and with 3,000 other tokens for the name: at most one", async () => {
    const few = await costs(open, 1);
    const many = await costs(open, 3_000);
    expect(many).toEqual(few);
    for (const [name, { ok, reads }] of Object.entries(many)) {
      expect(ok, name).toBe(name.startsWith("right"));
      expect(reads["listTokens"], name).toBeUndefined();
      const rows = Object.entries(reads)
        .filter(([method]) => method !== "touchToken")
        .reduce((n, [, r]) => n + r.rows, 0);
      expect(rows, name).toBeLessThanOrEqual(1);
    }
    expect(many["right: user = hostname"]?.reads).toEqual({
      findTokenBySecretHash: { calls: 1, rows: 1 },
      touchToken: { calls: 1, rows: 0 },
    });
    expect(many["oversized password"]?.reads).toEqual({});
  });
});
