// `beacon host sample-secret` on the memory store. Bad inputs: an unknown host, a bad name, an empty
// secret file, one with a control character, one too long, an unreadable one, rm of a host without one.

import { beforeEach, describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { recordingListener } from "../../services/testing/recorders.js";
import { createZoneService, type ZoneService } from "../../services/zones.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Store } from "../../store/ports.js";
import type { Io } from "../output.js";
import { sampleSecretCommands, type SampleSecretDeps } from "./host-sample-secret.js";

const NOW = 1_700_000_000_000;
const FILES: Record<string, string> = {
  "/run/secrets/ok": "SHARED_SECRET_1\nignored\n",
  "/run/secrets/empty": "\n",
  "/run/secrets/tab": "a\tb\n",
  "/run/secrets/long": `${"x".repeat(257)}\n`,
};
const deps: SampleSecretDeps = {
  readFile: (p) => {
    const t = FILES[p];
    return t === undefined ? Promise.reject(new Error("ENOENT")) : Promise.resolve(t);
  },
  randomBytes: (n) => new Uint8Array(n).fill(0xfb),
  clock: () => NOW,
};

let store: Store;
let zones: ZoneService;
let out: string[];
const io: Io = { out: (t) => void out.push(t), err: (t) => void out.push(t) };
const cmds = () => sampleSecretCommands(store, deps);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isBeaconError(e) ? e.code : "thrown";
  }
}

beforeEach(async () => {
  store = createMemoryStore();
  out = [];
  zones = createZoneService({ store, clock: () => NOW, listener: recordingListener([]) });
  await zones.addZone("example.com");
  await zones.addHost("www.example.com");
});

describe("beacon host sample-secret", () => {
  it("set --secret-file keeps the deployment's secret, bound to the host; nothing prints it", async () => {
    await cmds().set(io, "WWW.example.com.", { file: "/run/secrets/ok", json: false });
    const host = await store.getHost("www.example.com");
    expect(await store.getSampleCredential("www.example.com")).toEqual({
      fqdn: "www.example.com",
      secret: "SHARED_SECRET_1",
      hostId: host?.id,
      createdAt: NOW,
      lastUsedAt: undefined,
    });
    await cmds().list(io, false);
    await cmds().list(io, true);
    expect(out.join("\n")).not.toContain("SHARED_SECRET_1");
    expect(JSON.parse(out.at(-1) ?? "")).toEqual([
      { fqdn: "www.example.com", hostId: host?.id, valid: true, createdAt: NOW, lastUsedAt: null },
    ]);
  });

  it("set without a file generates a secret and prints it once (--json too)", async () => {
    await cmds().set(io, "www.example.com", { file: undefined, json: true });
    const secret = (await store.getSampleCredential("www.example.com"))?.secret;
    expect(secret).toBe(Buffer.from(new Uint8Array(24).fill(0xfb)).toString("base64url"));
    expect(JSON.parse(out.join(""))).toMatchObject({ fqdn: "www.example.com", secret });
  });

  it("lists a credential of a re-created host as not valid", async () => {
    await cmds().set(io, "www.example.com", { file: "/run/secrets/ok", json: false });
    await zones.removeHost("www.example.com");
    await zones.addHost("www.example.com");
    out = [];
    await cmds().list(io, true);
    expect(JSON.parse(out.join(""))).toMatchObject([{ valid: false }]);
  });

  it("rm removes it; rm again is not_found", async () => {
    await cmds().set(io, "www.example.com", { file: "/run/secrets/ok", json: false });
    await cmds().rm(io, "www.example.com");
    expect(await store.getSampleCredential("www.example.com")).toBeUndefined();
    expect(await code(cmds().rm(io, "www.example.com"))).toBe("not_found");
  });

  it.each([
    ["an unknown host", "nohost.example.com", "/run/secrets/ok", "host_not_found"],
    ["a bad name", "bad name", "/run/secrets/ok", "invalid_hostname"],
    ["an empty secret file", "www.example.com", "/run/secrets/empty", "bad_request"],
    ["a secret with a tab", "www.example.com", "/run/secrets/tab", "bad_request"],
    ["a secret of 257 characters", "www.example.com", "/run/secrets/long", "bad_request"],
  ])("refuses %s, storing nothing", async (_what, fqdn, file, expected) => {
    expect(await code(cmds().set(io, fqdn, { file, json: false }))).toBe(expected);
    expect(await store.listSampleCredentials()).toEqual([]);
  });

  it("passes an unreadable file's error on, storing nothing", async () => {
    expect(await code(cmds().set(io, "www.example.com", { file: "/nope", json: false }))).toBe("thrown");
    expect(await store.listSampleCredentials()).toEqual([]);
  });
});
