// The file certificate source driving a real HTTPS listener on 127.0.0.1:0: what a client's handshake
// sees (the peer certificate's serial) after start, a reload, a directory change, a broken new pair.
// Bad inputs: a missing file, a directory as the key, a key of another certificate, garbage written
// over the certificate, a certificate written before its key.

import { mkdtempSync, rmSync, symlinkSync, writeFileSync, renameSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server as HttpsServer } from "node:https";
import { connect } from "node:tls";
import { Registry } from "prom-client";
import { afterEach, describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { systemTimers } from "../../core/timers.js";
import { recordingLog, type LogLine } from "../../services/testing/recorders.js";
import { drainHttp, httpConnections, listenHttp, type HttpLimits } from "../http-server.js";
import { certificateFiles, type WatchDir } from "./certificate-files.js";
import { createHttpsCertificates, registerCertificateMetrics } from "./https-certificates.js";
import { PAIR_A, PAIR_B, type TestPair } from "./testing/pairs.js";

const LIMITS: HttpLimits = {
  maxConnections: 64,
  maxConnectionsPerClient: 0,
  idleTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  trustedProxies: [],
};

/** The serial of the certificate the listener presents; "" when the handshake fails. */
function serialAt(port: number, maxVersion: "TLSv1.2" | "TLSv1.3" = "TLSv1.3"): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({
      host: "127.0.0.1",
      port,
      rejectUnauthorized: false,
      maxVersion,
      servername: "beacon.test",
    });
    s.setTimeout(5_000, () => s.destroy());
    s.once("secureConnect", () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.end();
    });
    s.once("error", () => resolve(""));
    s.once("close", () => resolve(""));
  });
}

/** Polls `probe` every 50 ms, at most 100 times (5 s), until it returns `want`. */
async function eventually(probe: () => Promise<string>, want: string): Promise<string> {
  let got = "";
  for (let i = 0; i < 100 && got !== want; i++) {
    got = await probe();
    if (got !== want) await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

describe("certificate files on a live HTTPS listener", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(o: { watch?: WatchDir; minVersion?: "TLSv1.2" | "TLSv1.3" } = {}) {
    const dir = mkdtempSync(join(tmpdir(), "beacon-tls-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const certFile = join(dir, "cert.pem");
    const keyFile = join(dir, "key.pem");
    const write = (p: Pick<TestPair, "certPem" | "keyPem">) => {
      writeFileSync(certFile, p.certPem);
      writeFileSync(keyFile, p.keyPem);
    };
    const logs: LogLine[] = [];
    const log = recordingLog(logs);
    const certificates = createHttpsCertificates({
      minVersion: o.minVersion ?? "TLSv1.2",
      log,
      clock: Date.now,
    });
    const polls: (() => void)[] = [];
    const files = certificateFiles({
      certFile,
      keyFile,
      sink: certificates,
      log,
      timers: systemTimers,
      every: (_ms, tick) => (polls.push(tick), () => undefined),
      ...(o.watch === undefined ? {} : { watch: o.watch }),
    });
    cleanup.push(() => files.stop());
    const connections = httpConnections(LIMITS, log, Date.now);
    const fetch = () => new Response("ok");
    const { server, endpoint } = await listenHttp(
      fetch,
      { host: "127.0.0.1", port: 0 },
      LIMITS,
      connections,
      certificates.serverOptions,
    );
    cleanup.push(() => drainHttp(server, 100));
    return {
      dir,
      certFile,
      keyFile,
      write,
      logs,
      certificates,
      files,
      port: endpoint.port,
      // listenHttp with TLS options made it an https.Server.
      server: server as HttpsServer,
      poll: () => polls.forEach((p) => p()),
    };
  }

  test("no certificate yet: handshakes fail, one warning; the first install is served without a restart", async () => {
    const t = await setup();
    t.certificates.attach(t.server);
    t.certificates.attach(t.server);
    expect(await serialAt(t.port)).toBe("");
    expect(t.logs.filter((l) => l.msg?.includes("without a certificate")).length).toBe(1);
    t.certificates.install({ ...PAIR_A, origin: "acme" });
    expect(await serialAt(t.port)).toBe(PAIR_A.serial);
    expect(t.certificates.status()?.origin).toBe("acme");
  });

  test("start installs the files; reload() serves a new pair; a broken pair keeps the old one, logged once", async () => {
    const t = await setup({ watch: () => () => undefined });
    t.write(PAIR_A);
    t.files.start();
    t.certificates.attach(t.server);
    expect(await serialAt(t.port)).toBe(PAIR_A.serial);
    expect(t.files.reload()).toBe("unchanged");

    t.write(PAIR_B);
    expect(t.files.reload()).toBe("installed");
    expect(await serialAt(t.port)).toBe(PAIR_B.serial);

    t.write({ certPem: PAIR_A.certPem, keyPem: PAIR_B.keyPem });
    expect(t.files.reload()).toBe("failed");
    expect(t.files.reload()).toBe("failed");
    expect(await serialAt(t.port)).toBe(PAIR_B.serial);
    const warnings = t.logs.filter((l) => l.msg?.includes("were not reloaded"));
    expect(warnings.length).toBe(1);
    expect(JSON.stringify(warnings[0])).toContain("the key does not match the certificate");
    expect(JSON.stringify(warnings[0])).toContain(t.keyFile);

    writeFileSync(t.certFile, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    expect(t.files.reload()).toBe("failed");
    rmSync(t.keyFile);
    expect(t.files.reload()).toBe("failed");
    expect(await serialAt(t.port)).toBe(PAIR_B.serial);
    expect(t.certificates.status()?.origin).toBe(t.certFile);
  });

  test("the slow poll reloads when a file's mtime, size or inode changes", async () => {
    const t = await setup({ watch: () => () => undefined });
    t.write(PAIR_A);
    t.files.start();
    t.certificates.attach(t.server);
    t.poll();
    expect(await serialAt(t.port)).toBe(PAIR_A.serial);
    t.write(PAIR_B);
    t.poll();
    expect(await serialAt(t.port)).toBe(PAIR_B.serial);
  });

  test("fs.watch: a certbot-style symlink swap in live/ is picked up (a certificate written before its key too)", async () => {
    const t = await setup();
    const archive = join(t.dir, "archive");
    mkdirSync(archive);
    const put = (n: number, p: TestPair) => {
      writeFileSync(join(archive, `cert${n}.pem`), p.certPem);
      writeFileSync(join(archive, `key${n}.pem`), p.keyPem);
    };
    put(1, PAIR_A);
    symlinkSync(join(archive, "cert1.pem"), t.certFile);
    symlinkSync(join(archive, "key1.pem"), t.keyFile);
    t.files.start();
    t.certificates.attach(t.server);
    expect(await serialAt(t.port)).toBe(PAIR_A.serial);
    put(2, PAIR_B);
    for (const [name, target] of [
      [t.certFile, "cert2.pem"],
      [t.keyFile, "key2.pem"],
    ] as const) {
      symlinkSync(join(archive, target), `${name}.new`);
      renameSync(`${name}.new`, name);
    }
    expect(await eventually(() => serialAt(t.port), PAIR_B.serial)).toBe(PAIR_B.serial);
  });

  test("start: a missing file, a directory, a mismatched key are config_invalid naming the setting and file", async () => {
    const t = await setup({ watch: () => () => undefined });
    const startError = () => {
      try {
        t.files.start();
      } catch (e) {
        expect(e).toBeInstanceOf(BeaconError);
        expect((e as BeaconError).code).toBe("config_invalid");
        return (e as Error).message;
      }
      throw new Error("expected start to fail");
    };
    expect(startError()).toBe(`http.tls.cert_file: cannot read ${t.certFile}: it does not exist (ENOENT)`);
    writeFileSync(t.certFile, PAIR_A.certPem);
    mkdirSync(t.keyFile);
    expect(startError()).toBe(`http.tls.key_file: cannot read ${t.keyFile}: it is a directory (EISDIR)`);
    rmSync(t.keyFile, { recursive: true });
    writeFileSync(t.keyFile, PAIR_B.keyPem);
    expect(startError()).toBe(
      `the TLS certificate from ${t.certFile}: the key does not match the certificate (the first certificate of the chain must be the leaf) (http.tls.cert_file ${t.certFile}, http.tls.key_file ${t.keyFile})`,
    );
    expect(t.certificates.status()).toBeUndefined();
  });

  test("http.tls.min_version: TLSv1.3 refuses a TLS 1.2 client; metrics carry the expiry", async () => {
    const t = await setup({ minVersion: "TLSv1.3", watch: () => () => undefined });
    t.write(PAIR_A);
    t.files.start();
    t.certificates.attach(t.server);
    expect(await serialAt(t.port, "TLSv1.2")).toBe("");
    expect(await serialAt(t.port, "TLSv1.3")).toBe(PAIR_A.serial);
    const registry = new Registry();
    registerCertificateMetrics(registry, () => t.certificates.status());
    expect(await registry.metrics()).toContain(
      `beacon_tls_certificate_not_after_seconds{origin="${t.certFile}"} ${Date.parse("2126-11-14T00:03:30Z") / 1000}`,
    );
  });
});
