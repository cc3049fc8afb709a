import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory/memory-store.js";
import { createCachedKeyring, createKeyService } from "./keys.js";
import { silentLog } from "../core/log.js";
import { recordingLog, type LogLine } from "./testing/recorders.js";

const scope = {
  names: [{ name: "dyn.example.test", subtree: true }],
  types: ["TXT", "A"] as const,
  allowedCidrs: [],
};

describe("key service", () => {
  it("creates a key with a fresh random secret as long as the hash, default hmac-sha256", async () => {
    const store = createMemoryStore();
    const keys = createKeyService({ store, clock: () => 42 });
    const a = await keys.add({ name: "Acme.Key.", ...scope, types: [...scope.types] });
    const b = await keys.add({ name: "b.key", algorithm: "HMAC-SHA512", ...scope, types: [...scope.types] });
    expect(a).toMatchObject({
      name: "acme.key",
      algorithm: "hmac-sha256",
      createdAt: 42,
      types: ["A", "TXT"],
    });
    expect(Buffer.from(a.secret, "base64").length).toBe(32);
    expect(b.algorithm).toBe("hmac-sha512");
    expect(Buffer.from(b.secret, "base64").length).toBe(64);
    expect(a.secret).not.toBe(b.secret);
    expect((await keys.list()).map((k) => k.name)).toEqual(["acme.key", "b.key"]);
  });

  it("rejects unknown algorithms, empty scopes, bad names and duplicates", async () => {
    const keys = createKeyService({ store: createMemoryStore(), clock: () => 0 });
    const types = [...scope.types];
    await expect(keys.add({ name: "k", algorithm: "hmac-sha3", ...scope, types })).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(keys.add({ name: "k", ...scope, names: [], types })).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(keys.add({ name: "k", ...scope, types: [] })).rejects.toMatchObject({ code: "bad_request" });
    await expect(keys.add({ name: "bad name", ...scope, types })).rejects.toMatchObject({
      code: "invalid_hostname",
    });
    await keys.add({ name: "k", ...scope, types });
    await expect(keys.add({ name: "K.", ...scope, types })).rejects.toMatchObject({ code: "key_exists" });
  });

  it("removes a key; key_not_found when there is none", async () => {
    const keys = createKeyService({ store: createMemoryStore(), clock: () => 0 });
    await keys.add({ name: "k", ...scope, types: [...scope.types] });
    await keys.remove("K.");
    expect(await keys.list()).toEqual([]);
    await expect(keys.remove("k")).rejects.toMatchObject({ code: "key_not_found" });
  });
});

describe("cached keyring", () => {
  it("serves what the store held at the last refresh, with the decoded secret and the policy", async () => {
    const store = createMemoryStore();
    const keys = createKeyService({ store, clock: () => 0 });
    const ring = createCachedKeyring({ store, log: silentLog });
    const k = await keys.add({ name: "k", ...scope, types: [...scope.types] });
    expect(ring.keyring("k")).toBeUndefined();
    await ring.refresh();
    const got = ring.keyring("k");
    expect(got?.algorithm).toBe("hmac-sha256");
    expect(Buffer.from(got!.secret).toString("base64")).toBe(k.secret);
    expect(got?.policy).toEqual({ names: scope.names, types: ["A", "TXT"], allowedCidrs: [] });
    await keys.remove("k");
    await ring.refresh();
    expect(ring.keyring("k")).toBeUndefined();
  });

  it("skips a stored key with an unknown algorithm, and keeps the old keys when the store fails", async () => {
    const store = createMemoryStore();
    await store.createTsigKey({
      name: "odd",
      algorithm: "gss-tsig",
      secret: "AAAA",
      ...scope,
      types: ["A"],
      createdAt: 0,
    });
    await store.createTsigKey({
      name: "good",
      algorithm: "hmac-sha1",
      secret: "AAAA",
      ...scope,
      types: ["A"],
      createdAt: 0,
    });
    const lines: LogLine[] = [];
    const ring = createCachedKeyring({ store, log: recordingLog(lines) });
    await ring.refresh();
    expect(ring.keyring("odd")).toBeUndefined();
    expect(ring.keyring("good")?.algorithm).toBe("hmac-sha1");
    expect(lines.map((l) => l.msg)).toEqual(["TSIG key with an unknown algorithm skipped"]);
    await store.close();
    await ring.refresh(); // the store now throws: the previous keys stay
    expect(ring.keyring("good")?.algorithm).toBe("hmac-sha1");
    expect(lines.map((l) => l.msg)).toEqual([
      "TSIG key with an unknown algorithm skipped",
      "could not reload TSIG keys; keeping the previous ones",
    ]);
  });
});
