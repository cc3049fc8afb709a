import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError } from "./errors.js";
import { loadServerConfig, type LoadServerConfigInput } from "./load.js";

const FILE = "/etc/beacon/beacon.yaml";

/** dns.limits as documented in docs/dns.md ("Abuse resistance"). */
const DEFAULT_DNS_LIMITS = {
  rrlResponsesPerSecond: 20,
  rrlWindowSeconds: 5,
  rrlSlip: 2,
  rrlIpv4PrefixLength: 24,
  rrlIpv6PrefixLength: 56,
  rrlTableSize: 100_000,
  rrlExempt: ["127.0.0.0/8", "::1/128"],
  maxTcpConnectionsPerClient: 16,
  tcpIpv4PrefixLength: 24,
  tcpIpv6PrefixLength: 56,
  tcpTransferConnections: 16,
  tcpLifetimeMs: 120_000,
  maxTcpQueuedReplies: 64,
  maxMessageBytes: 65_535,
};

/** A readFile over an in-memory directory; absent paths fail like node:fs with ENOENT. */
function files(map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path];
    if (text === undefined)
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  };
}

function load(over: Partial<LoadServerConfigInput> & { yaml?: string } = {}) {
  const { yaml, ...rest } = over;
  return loadServerConfig({
    env: {},
    flags: {},
    cwd: "/srv/beacon",
    ...(yaml === undefined ? {} : { file: FILE, readFile: files({ [FILE]: yaml }) }),
    ...rest,
  });
}

/** The ConfigError's message, failing the test if loading succeeds or throws anything else. */
function errorOf(over: Parameters<typeof load>[0]): string {
  try {
    load(over);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe("config_invalid");
    return (e as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadServerConfig: layering", () => {
  test("no file, no env, no flags → documented defaults, paths against cwd", () => {
    expect(load()).toEqual({
      dataDir: "/srv/beacon/data",
      store: { sqlitePath: "/srv/beacon/data/beacon.db" },
      http: {
        listen: [{ host: "127.0.0.1", port: 8245 }],
        trustedProxies: [],
        maxBodyBytes: 65536,
        publicUrl: undefined,
        maxConnections: 1024,
        maxConnectionsPerClient: 64,
        idleTimeoutMs: 5000,
        headersTimeoutMs: 15_000,
        plain: "updates",
        tls: { listen: [], certFile: undefined, keyFile: undefined, minVersion: "TLSv1.2", hsts: true },
        signatureWindowSeconds: 300,
      },
      dns: {
        listen: [{ host: "127.0.0.1", port: 5300 }],
        tcpIdleTimeoutMs: 10000,
        maxTcpConnections: 256,
        workers: 0,
        limits: DEFAULT_DNS_LIMITS,
        transfer: { allow: [], keys: [], notify: [], notifyKey: undefined, notifyRetries: 5 },
        update: { allowMd5: false, maxFudge: 300 },
      },
      admin: { sessionIdleMs: 30 * 60_000, sessionLifetimeMs: 12 * 3_600_000, setup: true },
      updates: { allowNonGlobal: false },
      limits: {
        client: [
          { limit: 30, periodMs: 1_000 },
          { limit: 2000, periodMs: 86_400_000 },
        ],
        clientIp: [{ limit: 3, periodMs: 60_000 }],
        clientHeartbeat: [
          { limit: 30, periodMs: 60_000 },
          { limit: 20_000, periodMs: 86_400_000 },
        ],
        credential: [{ limit: 2000, periodMs: 86_400_000 }],
        hostDyndns2: [{ limit: 2, periodMs: 120_000 }],
        hostApi: [
          { limit: 2, periodMs: 1_000 },
          { limit: 15, periodMs: 60_000 },
          { limit: 100, periodMs: 3_600_000 },
          { limit: 300, periodMs: 86_400_000 },
        ],
        nochgFlag: [{ limit: 150, periodMs: 7 * 86_400_000 }],
        exempt: ["127.0.0.0/8", "::1/128"],
      },
      serverless: { route53Zones: [], route53Endpoint: undefined, deliveryTimeoutMs: 5000 },
      pools: { nodeName: undefined, transitionsMaxAgeMs: 365 * 86_400_000, rollupsMaxAgeMs: 30 * 86_400_000 },
      acme: {
        enabled: false,
        directoryUrl: "https://acme-v02.api.letsencrypt.org/directory",
        email: undefined,
        names: [],
        challenge: "auto",
        caFile: undefined,
        renewBeforeMs: 30 * 86_400_000,
        keyType: "ecdsa",
      },
      compat: { awsSample: false },
      history: { maxEntriesPerHost: 1000, maxAgeMs: 365 * 86_400_000 },
      demo: { enabled: true, zone: "dyn.beacon.test" },
      log: { level: "info", format: "auto" },
      shutdownGraceMs: 10000,
      source: {},
    });
  });

  test("the file overrides defaults; unset keys keep theirs; names and CIDRs are canonical", () => {
    const c = load({
      yaml: [
        "http:",
        "  listen: ['[::1]:8080', '127.0.0.1:0']",
        "  trusted_proxies: [10.0.0.0/8, '2001:DB8::1', 192.0.2.7]",
        "dns:",
        "  max_tcp_connections: 10",
        "updates: { allow_non_global: true }",
        "demo:",
        "  zone: Home.Example.",
        "log: { level: debug }",
        "",
      ].join("\n"),
    });
    expect(c.http.listen).toEqual([
      { host: "::1", port: 8080 },
      { host: "127.0.0.1", port: 0 },
    ]);
    expect(c.http.trustedProxies).toEqual(["10.0.0.0/8", "2001:db8::1/128", "192.0.2.7/32"]);
    expect(c.http.maxBodyBytes).toBe(65536);
    expect(c.dns).toEqual({
      listen: [{ host: "127.0.0.1", port: 5300 }],
      tcpIdleTimeoutMs: 10000,
      maxTcpConnections: 10,
      workers: 0,
      limits: DEFAULT_DNS_LIMITS,
      transfer: { allow: [], keys: [], notify: [], notifyKey: undefined, notifyRetries: 5 },
      update: { allowMd5: false, maxFudge: 300 },
    });
    expect(c.updates.allowNonGlobal).toBe(true);
    expect(c.demo).toEqual({ enabled: true, zone: "home.example" });
    expect(c.log.level).toBe("debug");
    expect(c.source).toEqual({ file: FILE });
  });

  test("dns.limits from the file, env and flags; rrl_exempt CIDRs are canonical", () => {
    const c = load({
      yaml: "dns:\n  limits:\n    rrl_responses_per_second: 0\n    rrl_exempt: ['10.0.0.1', '2001:DB8::/48']\n",
      env: { BEACON_DNS_LIMITS_RRL_SLIP: "0" },
      flags: { "dns.limits.tcp_lifetime_ms": 5000 },
    });
    expect(c.dns.limits).toEqual({
      ...DEFAULT_DNS_LIMITS,
      rrlResponsesPerSecond: 0,
      rrlExempt: ["10.0.0.1/32", "2001:db8::/48"],
      rrlSlip: 0,
      tcpLifetimeMs: 5000,
    });
    expect(errorOf({ yaml: "dns:\n  limits:\n    rrl_slip: 11\n" })).toContain("dns.limits.rrl_slip");
  });

  test("an empty file, a comment-only file and empty sections mean defaults", () => {
    for (const yaml of ["", "# nothing here\n", "http:\ndns:\n  listen:\n"]) {
      const c = load({ yaml });
      expect(c.http.listen).toEqual([{ host: "127.0.0.1", port: 8245 }]);
      expect(c.dns.listen).toEqual([{ host: "127.0.0.1", port: 5300 }]);
    }
  });

  test("a list setting in the file also takes a string, split on commas as in the environment", () => {
    const c = load({
      yaml: [
        'http: { listen: "0.0.0.0:8245", trusted_proxies: "10.0.0.0/8, 192.0.2.1" }',
        "dns:",
        '  listen: "[::1]:53,127.0.0.1:53"',
        "  transfer: { allow: '', keys: 'xfr.example.org.' }",
        "  limits: { rrl_exempt: 127.0.0.1 }",
      ].join("\n"),
    });
    expect(c.http.listen).toEqual([{ host: "0.0.0.0", port: 8245 }]);
    expect(c.http.trustedProxies).toEqual(["10.0.0.0/8", "192.0.2.1/32"]);
    expect(c.dns.listen).toEqual([
      { host: "::1", port: 53 },
      { host: "127.0.0.1", port: 53 },
    ]);
    expect(c.dns.transfer.allow).toEqual([]);
    expect(c.dns.transfer.keys).toEqual(["xfr.example.org"]);
    expect(c.dns.limits.rrlExempt).toEqual(["127.0.0.1/32"]);
  });

  test("a bad element of a list written as a string names the element and the string's position", () => {
    expect(errorOf({ yaml: 'http:\n  listen: "127.0.0.1:1, 127.0.0.1:99999"\n' })).toBe(
      `config error: http.listen[1] in ${FILE}:2:11: "127.0.0.1:99999" is not a valid host:port (port 0–65535)`,
    );
  });

  test("environment overrides the file, flags override the environment, per setting", () => {
    const yaml =
      "http:\n  listen: ['127.0.0.1:1']\n  max_body_bytes: 2048\ndns:\n  tcp_idle_timeout_ms: 500\n";
    const env = {
      BEACON_HTTP_LISTEN: "127.0.0.1:2, [::1]:2",
      BEACON_DNS_TCP_IDLE_TIMEOUT_MS: "700",
      BEACON_DEMO_ENABLED: "no",
    };
    const fromEnv = load({ yaml, env });
    expect(fromEnv.http.listen).toEqual([
      { host: "127.0.0.1", port: 2 },
      { host: "::1", port: 2 },
    ]);
    expect(fromEnv.http.maxBodyBytes).toBe(2048);
    expect(fromEnv.dns.tcpIdleTimeoutMs).toBe(700);
    expect(fromEnv.demo.enabled).toBe(false);

    const fromFlags = load({
      yaml,
      env,
      flags: { "http.listen": ["127.0.0.1:3"], "dns.tcp_idle_timeout_ms": 900 },
    });
    expect(fromFlags.http.listen).toEqual([{ host: "127.0.0.1", port: 3 }]);
    expect(fromFlags.dns.tcpIdleTimeoutMs).toBe(900);
    expect(fromFlags.demo.enabled).toBe(false);
    expect(fromFlags.http.maxBodyBytes).toBe(2048);
  });

  test("flag strings are coerced like the environment; undefined flags are skipped", () => {
    const c = load({
      flags: {
        "updates.allow_non_global": "yes",
        shutdown_grace_ms: "0",
        "dns.listen": "127.0.0.1:0",
        "log.level": undefined,
      },
    });
    expect(c.updates.allowNonGlobal).toBe(true);
    expect(c.shutdownGraceMs).toBe(0);
    expect(c.dns.listen).toEqual([{ host: "127.0.0.1", port: 0 }]);
    expect(c.log.level).toBe("info");
  });

  test("an override fixes a bad file value for that setting (later wins before validation)", () => {
    const c = load({
      yaml: "dns:\n  tcp_idle_timeout_ms: -5\n",
      env: { BEACON_DNS_TCP_IDLE_TIMEOUT_MS: "150" },
    });
    expect(c.dns.tcpIdleTimeoutMs).toBe(150);
  });

  test("BEACON_CONFIG names the file; --config wins over it; both resolve against cwd", () => {
    const readFile = files({
      "/srv/beacon/env.yaml": "log: { level: warn }\n",
      "/srv/beacon/conf/flag.yaml": "log: { level: error }\n",
    });
    const viaEnv = load({ env: { BEACON_CONFIG: "env.yaml" }, readFile });
    expect(viaEnv.log.level).toBe("warn");
    expect(viaEnv.source.file).toBe("/srv/beacon/env.yaml");
    const viaFlag = load({ file: "conf/flag.yaml", env: { BEACON_CONFIG: "env.yaml" }, readFile });
    expect(viaFlag.log.level).toBe("error");
    expect(viaFlag.source.file).toBe("/srv/beacon/conf/flag.yaml");
  });

  test("the built config is frozen", () => {
    const c = load();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http.listen[0])).toBe(true);
  });
});

describe("loadServerConfig: relative paths", () => {
  test("paths from the file resolve against the file's directory", () => {
    const c = load({ yaml: "data_dir: ../var/beacon\nstore:\n  sqlite_path: db/x.db\n" });
    expect(c.dataDir).toBe("/etc/var/beacon");
    expect(c.store.sqlitePath).toBe("/etc/beacon/db/x.db");
  });

  test("the default sqlite path follows data_dir from wherever data_dir came from", () => {
    expect(load({ yaml: "data_dir: state\n" }).store.sqlitePath).toBe("/etc/beacon/state/beacon.db");
    expect(load({ env: { BEACON_DATA_DIR: "state" } }).store.sqlitePath).toBe("/srv/beacon/state/beacon.db");
  });

  test("paths from env and flags resolve against cwd even when a file is used", () => {
    const yaml = "data_dir: from-file\nstore: { sqlite_path: file.db }\n";
    const c = load({ yaml, env: { BEACON_DATA_DIR: "from-env" }, flags: { "store.sqlite_path": "flag.db" } });
    expect(c.dataDir).toBe("/srv/beacon/from-env");
    expect(c.store.sqlitePath).toBe("/srv/beacon/flag.db");
  });

  test("absolute paths stay as given", () => {
    expect(load({ yaml: "data_dir: /var/lib/beacon\n" }).dataDir).toBe("/var/lib/beacon");
  });
});

describe("loadServerConfig: error messages", () => {
  test("bad port in a list names the element and its line:column", () => {
    const yaml = "http:\n  listen:\n    - 127.0.0.1:8245\n    - 127.0.0.1:99999\n";
    expect(errorOf({ yaml })).toBe(
      `config error: http.listen[1] in ${FILE}:4:7: "127.0.0.1:99999" is not a valid host:port (port 0–65535)`,
    );
  });

  test("bad CIDR", () => {
    expect(errorOf({ yaml: "http:\n  trusted_proxies: [10.0.0.0/8, 10.0.0.0/33]\n" })).toBe(
      `config error: http.trusted_proxies[1] in ${FILE}:2:33: "10.0.0.0/33" is not a valid CIDR or IP address`,
    );
    expect(errorOf({ env: { BEACON_HTTP_TRUSTED_PROXIES: "10.0.0.1,proxy.lan" } })).toBe(
      `config error: http.trusted_proxies[1] from environment BEACON_HTTP_TRUSTED_PROXIES: "proxy.lan" is not a valid CIDR or IP address`,
    );
  });

  test("unknown key (typo) with its line and a suggestion; nested unknown keys too", () => {
    expect(errorOf({ yaml: "log:\n  level: info\nhtpp:\n  listen: ['127.0.0.1:1']\n" })).toBe(
      `config error: htpp in ${FILE}:3:1: unknown setting (did you mean "http"?)`,
    );
    expect(errorOf({ yaml: "dns:\n  listen: []\n  tcp_idle_timeout: 5\n  colour: red\n" })).toBe(
      [
        `config error: dns.tcp_idle_timeout in ${FILE}:3:3: unknown setting (did you mean "tcp_idle_timeout_ms"?)`,
        `config error: dns.colour in ${FILE}:4:3: unknown setting`,
      ].join("\n"),
    );
  });

  test("wrong type", () => {
    expect(errorOf({ yaml: "http:\n  listen: 5\n" })).toBe(
      `config error: http.listen in ${FILE}:2:11: expected a list of host:port strings`,
    );
    expect(errorOf({ yaml: "dns:\n  transfer: { allow: { a: 1 } }\n" })).toBe(
      `config error: dns.transfer.allow in ${FILE}:2:22: expected a list of CIDRs`,
    );
    expect(errorOf({ yaml: "http: 5\n" })).toBe(
      `config error: http in ${FILE}:1:7: expected a mapping of settings`,
    );
    expect(errorOf({ yaml: "updates:\n  allow_non_global: 'yes'\n" })).toBe(
      `config error: updates.allow_non_global in ${FILE}:2:21: expected true or false`,
    );
  });

  test("acme: settings from a file, the CA file against the file's directory, names canonical", () => {
    const yaml = [
      "acme:",
      "  enabled: true",
      "  directory_url: https://acme-staging-v02.api.letsencrypt.org/directory",
      "  email: ops@example.com",
      "  names: [Beacon.Example.COM., dyn.example.com, beacon.example.com]",
      "  challenge: dns-01",
      "  ca_file: pebble.pem",
      "  renew_before: 20d",
      "  key_type: rsa",
      "",
    ].join("\n");
    expect(load({ yaml }).acme).toEqual({
      enabled: true,
      directoryUrl: "https://acme-staging-v02.api.letsencrypt.org/directory",
      email: "ops@example.com",
      names: ["beacon.example.com", "dyn.example.com"],
      challenge: "dns-01",
      caFile: "/etc/beacon/pebble.pem",
      renewBeforeMs: 20 * 86_400_000,
      keyType: "rsa",
    });
    // A local test CA may be plain http on loopback.
    const env = { BEACON_ACME_DIRECTORY_URL: "http://127.0.0.1:14000/dir" };
    expect(load({ env }).acme.directoryUrl).toBe("http://127.0.0.1:14000/dir");
  });

  test("acme: bad values are named; enabled without names is refused", () => {
    const at = (name: string) => `from environment ${name}`;
    const cases: [Record<string, string>, string][] = [
      [{ BEACON_ACME_DIRECTORY_URL: "not a url" }, `acme.directory_url ${at("BEACON_ACME_DIRECTORY_URL")}`],
      [{ BEACON_ACME_DIRECTORY_URL: "http://ca.example/dir" }, "expected an https URL"],
      [{ BEACON_ACME_DIRECTORY_URL: "ftp://127.0.0.1/dir" }, "expected an https URL"],
      [{ BEACON_ACME_EMAIL: "not-an-address" }, "acme.email"],
      [{ BEACON_ACME_EMAIL: "a@b.example,evil@x.example" }, "expected an email address"],
      [{ BEACON_ACME_NAMES: "ok.example.com,bad name" }, `acme.names[1] ${at("BEACON_ACME_NAMES")}`],
      [{ BEACON_ACME_NAMES: "*.example.com" }, "is not a valid domain name"],
      [{ BEACON_ACME_CHALLENGE: "tls-alpn-01" }, "expected auto, dns-01 or http-01"],
      [{ BEACON_ACME_RENEW_BEFORE: "30m" }, "expected a duration between"],
      [{ BEACON_ACME_RENEW_BEFORE: "2y" }, "acme.renew_before"],
      [{ BEACON_ACME_KEY_TYPE: "ed25519" }, "expected ecdsa or rsa"],
      [
        { BEACON_ACME_ENABLED: "true" },
        "config error: acme.names (default): required when acme.enabled is true",
      ],
    ];
    for (const [env, message] of cases) expect(errorOf({ env }), JSON.stringify(env)).toContain(message);
    expect(errorOf({ yaml: "acme:\n  enabled: true\n  names: []\n" })).toBe(
      `config error: acme.names in ${FILE}:3:10: required when acme.enabled is true: the names the certificate is for`,
    );
  });

  test("serverless: zone=HOSTEDZONEID entries from the environment; a bad entry is named", () => {
    const env = {
      BEACON_SERVERLESS_ROUTE53_ZONES: "Dyn.Example.COM=Z0123456789ABC,home.example.net=/hostedzone/Z9",
      BEACON_SERVERLESS_DELIVERY_TIMEOUT: "2s",
    };
    expect(load({ env }).serverless).toEqual({
      route53Zones: [
        { zone: "dyn.example.com", hostedZoneId: "Z0123456789ABC" },
        { zone: "home.example.net", hostedZoneId: "Z9" },
      ],
      route53Endpoint: undefined,
      deliveryTimeoutMs: 2000,
    });
    const expected = "expected zone=HOSTEDZONEID entries such as dyn.example.com=Z0123456789ABC";
    const at = "from environment BEACON_SERVERLESS_ROUTE53_ZONES";
    for (const [entry, index] of [
      ["dyn.example.com", 0], // no id
      ["dyn.example.com=z0123", 0], // lowercase id
      ["dyn..example.com=Z01", 0], // bad name
      ["=Z01", 0],
      ["a.example=Z1=Z2", 0],
    ] as const) {
      expect(errorOf({ env: { BEACON_SERVERLESS_ROUTE53_ZONES: entry } })).toBe(
        `config error: serverless.route53_zones[${index}] ${at}: ${JSON.stringify(entry)}: ${expected}`,
      );
    }
    expect(errorOf({ env: { BEACON_SERVERLESS_DELIVERY_TIMEOUT: "2h" } })).toBe(
      "config error: serverless.delivery_timeout from environment BEACON_SERVERLESS_DELIVERY_TIMEOUT: expected a duration between 100ms and 1m",
    );
    expect(errorOf({ env: { BEACON_SERVERLESS_ROUTE53_ENDPOINT: "route53.local" } })).toBe(
      "config error: serverless.route53_endpoint from environment BEACON_SERVERLESS_ROUTE53_ENDPOINT: expected an http(s) URL without credentials, query or fragment",
    );
  });

  test("a section the file got wrong is reported even if env sets a setting inside it", () => {
    expect(errorOf({ yaml: "http: 5\n", env: { BEACON_HTTP_MAX_BODY_BYTES: "2048" } })).toBe(
      `config error: http in ${FILE}:1:7: expected a mapping of settings`,
    );
  });

  test("YAML syntax error reports its line", () => {
    expect(errorOf({ yaml: "log:\n  level: info\nhttp: listen: x\n" })).toBe(
      `config error: ${FILE}:3:7: invalid YAML: Nested mappings are not allowed in compact mappings`,
    );
  });

  test("duplicate keys are a YAML error at the second key", () => {
    expect(errorOf({ yaml: "log: { level: info }\nlog: { level: debug }\n" })).toBe(
      `config error: ${FILE}:2:1: invalid YAML: Map keys must be unique`,
    );
  });

  test("a file that is not a mapping", () => {
    expect(errorOf({ yaml: "- 127.0.0.1:53\n" })).toBe(
      `config error: ${FILE}:1:1: expected a mapping of settings, found a list`,
    );
    expect(errorOf({ yaml: "just words\n" })).toBe(
      `config error: ${FILE}:1:1: expected a mapping of settings, found a single value`,
    );
  });

  test("missing and unreadable files name the file", () => {
    expect(errorOf({ file: "nope.yaml", readFile: files({}) })).toBe(
      "config error: /srv/beacon/nope.yaml: cannot read the file: it does not exist (ENOENT)",
    );
    const denied = () => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    };
    expect(errorOf({ env: { BEACON_CONFIG: "/etc/b.yaml" }, readFile: denied })).toBe(
      "config error: /etc/b.yaml: cannot read the file: permission denied (EACCES)",
    );
  });

  test("an alias to an unknown anchor names the file", () => {
    expect(errorOf({ yaml: "log: *nowhere\n" })).toMatch(
      new RegExp(`^config error: ${FILE}: invalid YAML: `),
    );
  });

  test("bad env boolean", () => {
    expect(errorOf({ env: { BEACON_UPDATES_ALLOW_NON_GLOBAL: "maybe" } })).toBe(
      'config error: updates.allow_non_global from environment BEACON_UPDATES_ALLOW_NON_GLOBAL: "maybe" is not a boolean (use true/false/1/0/yes/no)',
    );
  });

  test("http.signature_window: a duration from 10s to 1h, in whole seconds", () => {
    expect(load({ yaml: "http:\n  signature_window: 90s\n" }).http.signatureWindowSeconds).toBe(90);
    expect(load({ env: { BEACON_HTTP_SIGNATURE_WINDOW: "1h" } }).http.signatureWindowSeconds).toBe(3600);
    expect(errorOf({ yaml: "http:\n  signature_window: 5s\n" })).toMatch(
      /^config error: http\.signature_window in .*: expected a duration between 10s and 1h$/,
    );
    expect(errorOf({ env: { BEACON_HTTP_SIGNATURE_WINDOW: "soon" } })).toBe(
      'config error: http.signature_window from environment BEACON_HTTP_SIGNATURE_WINDOW: "soon" is not a duration like 30s, 5m or 1h',
    );
  });

  test("negative or non-numeric timeouts, from each source", () => {
    expect(errorOf({ yaml: "dns:\n  tcp_idle_timeout_ms: -5\n" })).toBe(
      `config error: dns.tcp_idle_timeout_ms in ${FILE}:2:24: expected an integer ≥ 100`,
    );
    expect(errorOf({ env: { BEACON_DNS_TCP_IDLE_TIMEOUT_MS: "ten" } })).toBe(
      "config error: dns.tcp_idle_timeout_ms from environment BEACON_DNS_TCP_IDLE_TIMEOUT_MS: expected an integer ≥ 100",
    );
    expect(errorOf({ flags: { shutdown_grace_ms: -1 } })).toBe(
      "config error: shutdown_grace_ms from flag --shutdown-grace-ms: expected an integer ≥ 0",
    );
    expect(errorOf({ yaml: "shutdown_grace_ms: 1.5\n" })).toBe(
      `config error: shutdown_grace_ms in ${FILE}:1:20: expected an integer ≥ 0`,
    );
    expect(errorOf({ yaml: "shutdown_grace_ms: 2147483648\n" })).toBe(
      `config error: shutdown_grace_ms in ${FILE}:1:20: expected an integer ≤ 2147483647`,
    );
  });

  test("invalid demo zone name", () => {
    expect(errorOf({ yaml: "demo:\n  zone: bad..zone\n" })).toBe(
      `config error: demo.zone in ${FILE}:2:9: "bad..zone" is not a valid domain name`,
    );
    expect(errorOf({ flags: { "demo.zone": "-x.test" } })).toBe(
      'config error: demo.zone from flag --demo-zone: "-x.test" is not a valid domain name',
    );
  });

  test("DynamoDB settings: table names by DynamoDB's rules, a region, an http(s) endpoint", () => {
    const bad: [string, string, string][] = [
      ["store.dynamodb_table", "", "expected a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -"],
      ["store.dynamodb_table", "ab", "expected a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -"],
      [
        "store.dynamodb_table",
        "beacon table",
        "expected a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -",
      ],
      ["store.dynamodb_table", "beacón", "expected a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -"],
      [
        "store.dynamodb_table",
        "t".repeat(256),
        "expected a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -",
      ],
      ["store.dynamodb_region", "Europe", "expected an AWS region such as eu-west-1"],
      ["store.dynamodb_region", "eu-west", "expected an AWS region such as eu-west-1"],
      [
        "store.dynamodb_endpoint",
        "localhost:8000",
        "expected an http(s) URL without credentials, query or fragment",
      ],
      [
        "store.dynamodb_endpoint",
        "ftp://db.local",
        "expected an http(s) URL without credentials, query or fragment",
      ],
    ];
    for (const [key, value, message] of bad)
      expect(errorOf({ flags: { [key]: value } })).toBe(
        `config error: ${key} from flag --${key.replaceAll(/[._]/g, "-")}: ${message}`,
      );
    const c = load({
      env: {
        BEACON_STORE_DYNAMODB_TABLE: "Beacon_prod.v2-" + "t".repeat(240),
        BEACON_STORE_DYNAMODB_REGION: "us-gov-west-1",
        BEACON_STORE_DYNAMODB_ENDPOINT: "http://127.0.0.1:8000/",
      },
    });
    expect(c.store.dynamodb).toEqual({
      table: "Beacon_prod.v2-" + "t".repeat(240),
      region: "us-gov-west-1",
      endpoint: "http://127.0.0.1:8000",
    });
  });

  test("unknown flag key is an error with a suggestion", () => {
    expect(errorOf({ flags: { "http.listn": "127.0.0.1:0" } })).toBe(
      'config error: http.listn from flag --http-listn: unknown setting (did you mean "http.listen"?)',
    );
  });

  test("every problem is reported at once: file issues in file order, then env, then flags", () => {
    const yaml = "log:\n  level: loud\nhttp:\n  listen: ['x:1:2']\n";
    const e = (() => {
      try {
        load({ yaml, env: { BEACON_DEMO_ENABLED: "perhaps" }, flags: { "dns.max_tcp_connections": 0 } });
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(e.issues.map((i) => [i.setting, i.source.kind])).toEqual([
      ["log.level", "file"],
      ["http.listen[0]", "file"],
      ["demo.enabled", "env"],
      ["dns.max_tcp_connections", "flag"],
    ]);
    expect(e.message.split("\n")).toHaveLength(4);
    expect(e.issues[0]?.source).toEqual({ kind: "file", file: FILE, line: 2, column: 10 });
  });
});

describe("loadServerConfig: default reader", () => {
  test("reads a real file with node:fs when readFile is not injected", () => {
    const dir = mkdtempSync(join(tmpdir(), "beacon-config-"));
    try {
      writeFileSync(join(dir, "beacon.yaml"), "data_dir: d\n");
      const c = loadServerConfig({ file: "beacon.yaml", env: {}, flags: {}, cwd: dir });
      expect(c.dataDir).toBe(join(dir, "d"));
      expect(() => loadServerConfig({ file: "missing.yaml", env: {}, flags: {}, cwd: dir })).toThrow(
        `config error: ${join(dir, "missing.yaml")}: cannot read the file: it does not exist (ENOENT)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadServerConfig: http.tls and http.plain", () => {
  const both =
    "http:\n  tls:\n    listen: [0.0.0.0:8443]\n    cert_file: tls/cert.pem\n    key_file: tls/key.pem\n";

  test("valid: files relative to the config file, versions, hsts off, plain all", () => {
    const c = load({ yaml: `${both}    min_version: TLSv1.3\n    hsts: false\n  plain: all\n` });
    expect(c.http.tls).toEqual({
      listen: [{ host: "0.0.0.0", port: 8443 }],
      certFile: "/etc/beacon/tls/cert.pem",
      keyFile: "/etc/beacon/tls/key.pem",
      minVersion: "TLSv1.3",
      hsts: false,
    });
    expect(c.http.plain).toBe("all");
  });

  test("valid: from the environment, paths against cwd; HTTPS without files waits for ACME", () => {
    const c = load({
      env: {
        BEACON_HTTP_TLS_LISTEN: "[::]:443",
        BEACON_HTTP_TLS_CERT_FILE: "c.pem",
        BEACON_HTTP_TLS_KEY_FILE: "k.pem",
        BEACON_HTTP_TLS_HSTS: "false",
      },
    });
    expect(c.http.tls.certFile).toBe("/srv/beacon/c.pem");
    expect(c.http.tls.listen).toEqual([{ host: "::", port: 443 }]);
    expect(c.http.tls.hsts).toBe(false);
    expect(load({ flags: { "http.tls.listen": "127.0.0.1:0" } }).http.tls.certFile).toBeUndefined();
  });

  test("invalid: TLS 1.1 or 1.0, an unknown plain mode, an empty file name", () => {
    expect(errorOf({ yaml: "http:\n  tls:\n    min_version: TLSv1.1\n" })).toBe(
      `config error: http.tls.min_version in ${FILE}:3:18: expected one of TLSv1.2|TLSv1.3 (older versions are not offered)`,
    );
    expect(errorOf({ env: { BEACON_HTTP_TLS_MIN_VERSION: "TLSv1" } })).toContain(
      "http.tls.min_version from environment BEACON_HTTP_TLS_MIN_VERSION: expected one of TLSv1.2|TLSv1.3",
    );
    expect(errorOf({ yaml: "http:\n  plain: none\n" })).toBe(
      `config error: http.plain in ${FILE}:2:10: expected one of updates|all`,
    );
    expect(errorOf({ yaml: "http:\n  tls:\n    cert_file: ''\n" })).toContain("expected a file path");
  });

  test("invalid: a certificate without its key, a key without its certificate, files without a listener", () => {
    expect(errorOf({ yaml: "http:\n  tls:\n    listen: [0.0.0.0:443]\n    cert_file: c.pem\n" })).toBe(
      `config error: http.tls.cert_file in ${FILE}:4:5: http.tls.cert_file is set but http.tls.key_file is not: set both`,
    );
    expect(
      errorOf({ env: { BEACON_HTTP_TLS_LISTEN: "0.0.0.0:443", BEACON_HTTP_TLS_KEY_FILE: "k.pem" } }),
    ).toBe(
      "config error: http.tls.key_file from environment BEACON_HTTP_TLS_KEY_FILE: http.tls.key_file is set but http.tls.cert_file is not: set both",
    );
    expect(errorOf({ yaml: "http:\n  tls:\n    cert_file: c.pem\n    key_file: k.pem\n" })).toContain(
      "http.tls.cert_file is set but http.tls.listen is empty",
    );
  });
});
