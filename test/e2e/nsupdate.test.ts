// RFC 2136 UPDATE with TSIG against the real `beacon serve`: keys from `beacon key add`, driven by the
// real nsupdate (BIND) and knsupdate (Knot); refusals with the right rcode change nothing; history
// records protocol rfc2136. BADTIME needs a clock far off, so that request is signed here; a replay
// resends nsupdate's own bytes, captured by a UDP relay.

import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signTsig, TSIG_ERROR, verifyTsig, type TsigKey } from "../../src/dns/tsig/tsig.js";
import { encodeUpdate } from "../../src/dns/wire/update.js";
import { createDatabase, runCli, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { dig } from "./support/dig.js";
import { peerAvailable } from "./support/peers.js";
import { udpExchange } from "./support/udp.js";

const ZONE = "dyn.beacon.test";
const HOST = `home.${ZONE}`;
const ACME = `_acme-challenge.${HOST}`;
// Global unicast addresses: the server publishes no private ones by default.
const V4 = "81.2.69.142";
const V4B = "81.2.69.160";
const V4C = "81.2.69.170";

interface KeyJson {
  readonly name: string;
  readonly algorithm: TsigKey["algorithm"];
  readonly secret: string;
  readonly keyFile: string;
  readonly keyArgument: string;
}

interface Run {
  readonly code: number;
  readonly out: string;
}

/** Runs a command with `script` on stdin; resolves with its exit code and stdout+stderr. */
function run(cmd: string, args: readonly string[], script: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], timeout: 20_000 });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("close", (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(script);
  });
}

describe("RFC 2136 UPDATE with TSIG (nsupdate, knsupdate)", () => {
  const dir = tempDir();
  let beacon: Beacon;
  const keys = new Map<string, KeyJson>();
  const hasNsupdate = peerAvailable("nsupdate", "bind9-dnsutils");
  const hasKnsupdate = peerAvailable("knsupdate", "knot-dnsutils");
  const hasDig = peerAvailable("dig", "bind9-dnsutils");

  const addKey = async (name: string, args: readonly string[]) => {
    const r = await runCli(dir.path, ["key", "add", name, ...args, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const k = JSON.parse(r.stdout) as KeyJson;
    writeFileSync(join(dir.path, `${name}.key`), k.keyFile);
    keys.set(name, k);
  };

  beforeAll(async () => {
    await createDatabase(dir.path);
    expect((await runCli(dir.path, ["zone", "add", ZONE])).code).toBe(0);
    expect((await runCli(dir.path, ["host", "add", HOST])).code).toBe(0);
    await addKey("e2e.key", ["--subtree", ZONE]);
    await addKey("knot.key", ["--algorithm", "hmac-sha512", "--subtree", ZONE]);
    await addKey("home.key", ["--name-scope", HOST, "--type", "A"]);
    beacon = await startBeacon({ dataDir: dir.path });
  });

  afterAll(async () => {
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  const script = (lines: readonly string[], port = beacon.dnsPort) =>
    [`server 127.0.0.1 ${port}`, `zone ${ZONE}`, ...lines, "send", ""].join("\n");
  const nsupdate = (
    keyName: string,
    lines: readonly string[],
    extra: readonly string[] = [],
    port?: number,
  ) => run("nsupdate", [...extra, "-k", join(dir.path, `${keyName}.key`)], script(lines, port));
  const answers = async (name: string, type: string) =>
    (await dig(beacon.dnsPort, [name, type, "+short"])).raw
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith(";"))
      .sort();

  it("key list shows keys without their secrets", async () => {
    const r = await runCli(dir.path, ["key", "list", "--json"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list.map((k) => k["name"])).toEqual(["e2e.key", "home.key", "knot.key"]);
    for (const k of keys.values()) expect(r.stdout).not.toContain(k.secret);
    const table = await runCli(dir.path, ["key", "list"]);
    expect(table.stdout).toMatch(/knot\.key\s+hmac-sha512/);
    for (const k of keys.values()) expect(table.stdout).not.toContain(k.secret);
  });

  it("nsupdate -k adds an address and several TXT values at _acme-challenge in one UPDATE", async () => {
    if (!hasNsupdate || !hasDig) return;
    const r = await nsupdate("e2e.key", [
      `update add ${HOST} 60 A ${V4}`,
      `update add ${ACME} 60 TXT "token-one"`,
      `update add ${ACME} 60 TXT "token-two"`,
    ]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
    expect(await answers(HOST, "A")).toEqual([V4]);
    expect(await answers(ACME, "TXT")).toEqual(['"token-one"', '"token-two"']);
    const history = await runCli(dir.path, ["history", HOST, "--json"]);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('"protocol": "rfc2136"');
  });

  it("nsupdate over TCP (-v) replaces the address set", async () => {
    if (!hasNsupdate || !hasDig) return;
    const r = await nsupdate(
      "e2e.key",
      [`update delete ${HOST} A`, `update add ${HOST} 60 A ${V4B}`],
      ["-v"],
    );
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
    expect(await answers(HOST, "A")).toEqual([V4B]);
  });

  it("knsupdate -y with an hmac-sha512 key changes records; prerequisites are honoured", async () => {
    if (!hasKnsupdate || !hasDig) return;
    const y = keys.get("knot.key")!.keyArgument;
    const ok = await run("knsupdate", ["-y", y], script([`update delete ${ACME} TXT "token-one"`]));
    expect(ok.out).toBe("");
    expect(ok.code).toBe(0);
    expect(await answers(ACME, "TXT")).toEqual(['"token-two"']);
    const failed = await run(
      "knsupdate",
      ["-y", y],
      script([`prereq nxdomain ${HOST}`, `update add ${HOST} 60 A ${V4C}`]),
    );
    expect(failed.code).not.toBe(0);
    expect(failed.out).toMatch(/YXDOMAIN/);
    expect(await answers(HOST, "A")).toEqual([V4B]);
  });

  it("deleting the last record at _acme-challenge deletes the host the UPDATE created, not an admin's", async () => {
    if (!hasNsupdate || !hasDig) return;
    const hosts = async () =>
      (JSON.parse((await runCli(dir.path, ["host", "list", "--json"])).stdout) as { fqdn: string }[]).map(
        (h) => h.fqdn,
      );
    expect(await hosts()).toContain(ACME);
    const r = await nsupdate("e2e.key", [`update delete ${ACME} TXT`]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
    expect(await hosts()).toEqual([HOST]);
    expect(await answers(ACME, "TXT")).toEqual([]);
    // Its history is the administrator's to read, with --all (no host has the name now).
    expect((await runCli(dir.path, ["history", ACME])).code).toBe(3);
    const left = await runCli(dir.path, ["history", "--all", ACME, "--json"]);
    expect((JSON.parse(left.stdout) as { outcome: string }[]).map((e) => e.outcome)).toContain("deleted");
  });

  it("a wrong secret is NOTAUTH/BADSIG, an unknown key NOTAUTH/BADKEY, and nothing changes", async () => {
    if (!hasNsupdate || !hasKnsupdate || !hasDig) return;
    const forged = `hmac-sha256:e2e.key:${Buffer.alloc(32, 7).toString("base64")}`;
    const badsig = await run("nsupdate", ["-y", forged], script([`update add ${HOST} 60 A ${V4C}`]));
    expect(badsig.code).not.toBe(0);
    expect(badsig.out).toContain("NOTAUTH(BADSIG)");
    const unknown = `hmac-sha256:nobody.key:${Buffer.alloc(32, 7).toString("base64")}`;
    const badkey = await run("nsupdate", ["-y", unknown], script([`update add ${HOST} 60 A ${V4C}`]));
    expect(badkey.code).not.toBe(0);
    expect(badkey.out).toContain("NOTAUTH(BADKEY)");
    const kbadkey = await run("knsupdate", ["-y", unknown], script([`update add ${HOST} 60 A ${V4C}`]));
    expect(kbadkey.code).not.toBe(0);
    expect(kbadkey.out).toMatch(/BADKEY/);
    expect(await answers(HOST, "A")).toEqual([V4B]);
  });

  it("a name or type outside the key's policy is REFUSED and nothing changes", async () => {
    if (!hasNsupdate || !hasDig) return;
    const other = await nsupdate("home.key", [`update add other.${ZONE} 60 A ${V4C}`]);
    expect(other.code).not.toBe(0);
    expect(other.out).toContain("REFUSED");
    const txt = await nsupdate("home.key", [`update add ${HOST} 60 TXT "not allowed"`]);
    expect(txt.out).toContain("REFUSED");
    const allowed = await nsupdate("home.key", [`update add ${HOST} 60 A ${V4C}`]);
    expect(allowed.code).toBe(0);
    expect(await answers(HOST, "A")).toEqual([V4B, V4C]);
    expect(await answers(`other.${ZONE}`, "A")).toEqual([]);
    expect(await answers(HOST, "TXT")).toEqual([]);
  });

  it("a request signed an hour off is NOTAUTH/BADTIME, signed, with the server's time; nothing changes", async () => {
    if (!hasDig) return;
    const k = keys.get("e2e.key")!;
    const key: TsigKey = { name: k.name, algorithm: k.algorithm, secret: Buffer.from(k.secret, "base64") };
    const then = Math.floor(Date.now() / 1000) - 3600;
    const msg = encodeUpdate({
      id: 0x4242,
      zone: ZONE,
      updates: [{ kind: "add", name: HOST, type: "A", ttl: 60, value: "81.2.69.99" }],
    });
    const signed = signTsig(msg, { key, timeSigned: then });
    const reply = await udpExchange(beacon.dnsPort, signed.message);
    expect(reply[3]! & 0x0f).toBe(9); // NOTAUTH
    const v = verifyTsig(reply, { findKey: () => key, now: then, requestMac: signed.mac });
    expect(v.status).toBe("ok");
    if (v.status !== "ok") return;
    expect(v.record.error).toBe(TSIG_ERROR.BADTIME);
    const o = v.record.otherData;
    const serverTime = o[2]! * 2 ** 24 + (o[3]! << 16) + (o[4]! << 8) + o[5]!;
    expect(Math.abs(serverTime - Date.now() / 1000)).toBeLessThan(120);
    expect(await answers(HOST, "A")).toEqual([V4B, V4C]);
  });

  it("nsupdate's UPDATE captured on the wire and replayed: NOTAUTH/BADTIME, the newer change stays", async () => {
    if (!hasNsupdate || !hasDig) return;
    const relay = await udpRelay(beacon.dnsPort);
    try {
      const first = await nsupdate(
        "e2e.key",
        [`update delete ${HOST} A`, `update add ${HOST} 60 A 81.2.69.180`],
        [],
        relay.port,
      );
      expect(first.code).toBe(0);
      const newer = await nsupdate("e2e.key", [
        `update delete ${HOST} A`,
        `update add ${HOST} 60 A 81.2.69.181`,
      ]);
      expect(newer.code).toBe(0);
      const captured = relay.captured();
      expect(captured).toBeDefined();
      const reply = await udpExchange(beacon.dnsPort, captured!);
      expect(reply[3]! & 0x0f).toBe(9); // NOTAUTH
      const k = keys.get("e2e.key")!;
      const key: TsigKey = { name: k.name, algorithm: k.algorithm, secret: Buffer.from(k.secret, "base64") };
      const v = verifyTsig(reply, {
        findKey: () => key,
        now: Math.floor(Date.now() / 1000),
        requestMac: macOf(captured!),
      });
      expect(v.status === "ok" && v.record.error).toBe(TSIG_ERROR.BADTIME);
      expect(await answers(HOST, "A")).toEqual(["81.2.69.181"]);
      expect(beacon.stderr()).toMatch(/"answer":"NOTAUTH\/BADTIME".*"reason":"replay/);
    } finally {
      relay.close();
    }
  });

  it("beacon key rm: the server stops accepting the key (BADKEY)", async () => {
    if (!hasNsupdate) return;
    expect((await runCli(dir.path, ["key", "rm", "home.key"])).code).toBe(0);
    expect((await runCli(dir.path, ["key", "rm", "home.key"])).code).toBe(3);
    // The server notices CLI changes by polling the store; bounded wait.
    let last: Run | undefined;
    for (let i = 0; i < 40; i++) {
      last = await nsupdate("home.key", [`update delete ${HOST} A ${V4C}`]);
      if (last.out.includes("BADKEY")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last?.out).toContain("NOTAUTH(BADKEY)");
  });
});

/** A UDP relay in front of Beacon's DNS port that keeps a copy of the first request it forwards. */
async function udpRelay(target: number) {
  const sock = createSocket("udp4");
  let first: Uint8Array | undefined;
  let client: { address: string; port: number } | undefined;
  sock.on("message", (m, from) => {
    if (from.port === target) {
      if (client !== undefined) sock.send(m, client.port, client.address);
      return;
    }
    client = { address: from.address, port: from.port };
    first ??= new Uint8Array(m);
    sock.send(m, target, "127.0.0.1");
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  return { port: sock.address().port, captured: () => first, close: () => sock.close() };
}

/** The MAC in a signed request's TSIG record (read without the key: the verdict BADKEY carries the record). */
function macOf(signed: Uint8Array): Uint8Array {
  const v = verifyTsig(signed, { findKey: () => undefined, now: 0 });
  if (v.status !== "BADKEY") throw new Error(`cannot read the TSIG of the captured request: ${v.status}`);
  return v.record.mac;
}
