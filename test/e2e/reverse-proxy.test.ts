// Beacon behind the real nginx terminating TLS, configured by the two nginx blocks of
// docs/deploy/reverse-proxy.md themselves (copied out of the page; only ports, certificate paths and
// the IPv6 listen lines change), so the page cannot rot; its ddclient.conf runs too. The built
// `beacon serve` (SQLite) has the page's settings: loopback only, http.trusted_proxies = 127.0.0.1,
// http.public_url = nginx's HTTPS URL. Clients: ddclient with ssl=yes, curl over HTTPS and plain HTTP
// (as a router), dig for the published records.
//
// The curl clients connect from 127.0.0.2, standing for an internet client: from 127.0.0.1 a client
// would have nginx's own (trusted) address, and Beacon would rightly skip it like a proxy.

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ZONE, ROOT, seedHosts, startBeacon, tempDir, type Beacon } from "./support/beacon.js";
import { ddclientConfig, runDdclient } from "./support/clients.js";
import { dig } from "./support/dig.js";
import { freePort } from "./support/free-port.js";
import { startNginx, type Nginx } from "./support/nginx.js";
import { peerAvailable } from "./support/peers.js";
import { makeTestCa, type TestCa } from "./support/test-ca.js";

const DOC = join(ROOT, "docs/deploy/reverse-proxy.md");
const CLIENT = "127.0.0.2";

/** ddclient's ssl=yes needs Perl's IO::Socket::SSL, which ddclient only recommends. */
function ddclientTlsAvailable(): boolean {
  if (!peerAvailable("ddclient", "ddclient")) return false;
  try {
    execFileSync("perl", ["-MIO::Socket::SSL", "-e1"], { stdio: "ignore" });
    return true;
  } catch {
    const why = "ddclient cannot use TLS: install libio-socket-ssl-perl (scripts/install-test-peers.sh)";
    if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
    console.warn(`\n!!! SKIPPING the ddclient test behind nginx: ${why}\n`);
    return false;
  }
}

const have =
  peerAvailable("nginx", "nginx-light") &&
  peerAvailable("openssl", "openssl") &&
  peerAvailable("curl", "curl") &&
  peerAvailable("dig", "bind9-dnsutils");
const haveDdclient = have && ddclientTlsAvailable();

/** The fenced block of the page whose first line is `# <path>`. */
function docBlock(doc: string, path: string): string {
  const blocks = [...doc.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const block = blocks.find((b) => b.startsWith(`# ${path}`));
  if (block === undefined) throw new Error(`${DOC} has no fenced block starting "# ${path}"`);
  return block;
}

/** Replaces each `from`, which must occur exactly once (else the page changed under the test). */
function substitute(text: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.reduce((t, [from, to]) => {
    if (t.split(from).length !== 2) throw new Error(`expected "${from}" once in the block from the page`);
    return t.replace(from, to);
  }, text);
}

interface Reply {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** One curl request (headers parsed from -D -); rejects when curl itself fails. */
function curl(args: readonly string[]): Promise<Reply> {
  const all = ["-sS", "--max-time", "10", "-A", "e2e-router/1.0", "-D", "-", ...args];
  return new Promise((resolve, reject) => {
    execFile("curl", all, { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null) return reject(new Error(`curl ${all.join(" ")} failed: ${stderr}`));
      const split = stdout.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = stdout.slice(0, split).split("\r\n");
      const headers = new Map(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: stdout.slice(split + 4) });
    });
  });
}

describe.skipIf(!have)("behind nginx terminating TLS (docs/deploy/reverse-proxy.md)", () => {
  const dir = tempDir("beacon-e2e-proxy-");
  const doc = readFileSync(DOC, "utf8");
  const hosts = ["ddclient", "docs", "nomyip", "forged", "router"].map((h) => `${h}.${DEMO_ZONE}`);
  let tokens = new Map<string, string>();
  let beacon: Beacon;
  let nginx: Nginx | undefined;
  let ca: TestCa;
  let https = "";
  let http = "";

  beforeAll(async () => {
    tokens = await seedHosts(dir.path, hosts);
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    https = `https://127.0.0.1:${httpsPort}`;
    http = `http://127.0.0.1:${httpPort}`;
    beacon = await startBeacon({
      dataDir: dir.path,
      env: {
        // the page's settings (http.listen is on loopback already)
        BEACON_HTTP_TRUSTED_PROXIES: "127.0.0.1",
        BEACON_HTTP_PUBLIC_URL: https,
        // the test's clients are on loopback, and an update without myip publishes them
        BEACON_UPDATES_ALLOW_NON_GLOBAL: "true",
      },
    });
    mkdirSync(join(dir.path, "tls"));
    ca = makeTestCa(join(dir.path, "tls"));
    const site = substitute(docBlock(doc, "/etc/nginx/sites-available/beacon"), [
      ["server 127.0.0.1:8245;", `server 127.0.0.1:${beacon.httpPort};`],
      ["listen 443 ssl http2;", `listen 127.0.0.1:${httpsPort} ssl http2;`],
      ["    listen [::]:443 ssl http2;\n", ""],
      ["listen 80;", `listen 127.0.0.1:${httpPort};`],
      ["    listen [::]:80;\n", ""],
      ["/etc/letsencrypt/live/dyn.example.org/fullchain.pem", ca.certFile],
      ["/etc/letsencrypt/live/dyn.example.org/privkey.pem", ca.keyFile],
    ]);
    const files = {
      "snippets/beacon-proxy.conf": docBlock(doc, "/etc/nginx/snippets/beacon-proxy.conf"),
      "sites-enabled/beacon": site,
    };
    nginx = await startNginx(join(dir.path, "nginx"), files, [httpsPort, httpPort]);
  });

  afterAll(async () => {
    await nginx?.stop();
    await beacon?.stop("SIGKILL");
    dir.remove();
  });

  const credentials = (host: string) => ["-u", `${host}:${tokens.get(host) ?? ""}`];
  const overTls = (path: string, extra: readonly string[] = []) =>
    curl(["--cacert", ca.caFile, "--interface", CLIENT, ...extra, `${https}${path}`]);
  const published = async (host: string) => (await dig(beacon.dnsPort, [host, "A", "+short"])).raw.trim();

  it.skipIf(!haveDdclient)("ddclient with ssl=yes updates a host through nginx", async () => {
    const host = `ddclient.${DEMO_ZONE}`;
    const server = https.slice("https://".length);
    const r = await runDdclient(
      dir.path,
      ddclientConfig(server, host, tokens.get(host) ?? "", "81.2.69.142", ca.caFile),
    );
    expect(r.out).toMatch(/SUCCESS:.*ddclient\.dyn\.beacon\.test/);
    expect(await published(host)).toBe("81.2.69.142");
  });

  it.skipIf(!haveDdclient)(
    "ddclient with the page's ddclient.conf (use=web: /ip through nginx)",
    async () => {
      const host = `docs.${DEMO_ZONE}`;
      const conf = substitute(docBlock(doc, "/etc/ddclient.conf"), [
        ["server=dyn.example.org", `server=${https.slice("https://".length)}`],
        ["login=home.dyn.example.org", `login=${host}`],
        ["password='TOKEN'", `password='${tokens.get(host) ?? ""}'`],
        ["web=https://dyn.example.org/ip", `web=${https}/ip`],
        ["\nhome.dyn.example.org\n", `\n${host}\n`],
      ]);
      const r = await runDdclient(dir.path, `daemon=0\nsyslog=no\nssl_ca_file=${ca.caFile}\n${conf}`);
      expect(r.out).toMatch(/SUCCESS:.*docs\.dyn\.beacon\.test/);
      // ddclient connects from 127.0.0.1 (the address nginx saw), and learnt it from /ip
      expect(await published(host)).toBe("127.0.0.1");
    },
  );

  it("without myip, the address published is the one nginx saw, from X-Forwarded-For", async () => {
    // Beacon's socket peer is nginx (127.0.0.1): 127.0.0.2 can only come from the header nginx set.
    expect((await overTls("/ip")).body).toBe(`${CLIENT}\n`);
    const host = `nomyip.${DEMO_ZONE}`;
    const r = await overTls(`/nic/update?hostname=${host}`, credentials(host));
    expect(r.body).toBe(`good ${CLIENT}`);
    expect(await published(host)).toBe(CLIENT);
  });

  it.each([
    ["a global address", "81.2.69.142"],
    ["the proxy's own address", "127.0.0.1"],
    ["a chain ending in the proxy", "81.2.69.142, 127.0.0.1"],
    ["an IPv6 loopback", "::1"],
    ["garbage", "not-an-address"],
  ])("a forged X-Forwarded-For (%s) does not win", async (_name, forged) => {
    expect((await overTls("/ip", ["-H", `X-Forwarded-For: ${forged}`])).body).toBe(`${CLIENT}\n`);
  });

  it("an update without myip and a forged X-Forwarded-For publishes the real client", async () => {
    const host = `forged.${DEMO_ZONE}`;
    const r = await overTls(`/nic/update?hostname=${host}`, [
      ...credentials(host),
      "-H",
      "X-Forwarded-For: 81.2.69.142",
    ]);
    expect(r.body).toBe(`good ${CLIENT}`);
    expect(await published(host)).toBe(CLIENT);
  });

  it("curl over HTTPS gets the console through nginx; /metrics stays inside", async () => {
    const page = await overTls("/admin/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    // Beacon sends HSTS itself (the trusted proxy's X-Forwarded-Proto: https), once; nginx adds none.
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000");
    const root = await overTls("/", ["-H", "Accept: text/html"]);
    expect([root.status, root.headers.get("location")]).toEqual([302, "/admin/"]);
    expect((await overTls("/metrics")).status).toBe(404);
    expect((await fetch(`${beacon.url}/metrics`)).status).toBe(200);
  });

  it("first-admin setup through nginx: X-Forwarded-Proto makes the cookie Secure", async () => {
    const code = /"setupCode":"([^"]+)"/.exec(beacon.stderr())?.[1] ?? "";
    const body = JSON.stringify({ code, username: "admin", password: "a long admin password" });
    // a browser's Origin carries the port, which nginx's $host drops: http.public_url makes it ours
    const headers = ["-H", `Origin: ${https}`, "-H", "Content-Type: application/json"];
    const r = await overTls("/api/v1/setup", [...headers, "--data-binary", body]);
    expect(r.status).toBe(201);
    expect(r.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("refuses a body over client_max_body_size (http.max_body_bytes) at nginx with 413", async () => {
    const host = `router.${DEMO_ZONE}`;
    const body = `hostname=${host}&myip=81.2.69.150&pad=${"x".repeat(65_536)}`;
    const r = await overTls("/nic/update", [...credentials(host), "--data-binary", body]);
    expect(r.status).toBe(413);
    expect(r.headers.get("server")).toMatch(/^nginx/);
  });

  it("plain HTTP keeps /nic/update for a router and redirects everything else", async () => {
    const host = `router.${DEMO_ZONE}`;
    const update = await curl([...credentials(host), `${http}/nic/update?hostname=${host}&myip=81.2.69.143`]);
    expect(update.body).toBe("good 81.2.69.143");
    expect(await published(host)).toBe("81.2.69.143");
    for (const path of ["/", "/admin/", "/api/v1/hosts", "/metrics", "/nic/update/x"]) {
      const r = await curl([`${http}${path}`]);
      expect([path, r.status, r.headers.get("location")]).toEqual([path, 301, `https://127.0.0.1${path}`]);
    }
  });
});
