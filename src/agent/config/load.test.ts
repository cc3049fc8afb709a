import { describe, expect, test } from "vitest";
import { z } from "zod";
import type { SourceDefinition } from "../detect/types.js";
import type { NotifierDefinition } from "../notify/types.js";
import { providerTarget } from "../targets/provider.js";
import { TARGET_TYPES } from "../targets/registry.js";
import type { TargetDefinition } from "../targets/types.js";
import { httpCallbackProvider } from "../../providers/http-callback/http-callback.js";
import { ConfigError } from "../../config/errors.js";
import { loadAgentConfigWith, type AgentRegistries, type LoadAgentConfigInput } from "./load.js";

const FILE = "/etc/beacon/agent.yaml";

function files(map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path];
    if (text === undefined)
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  };
}

const unused = () => {
  throw new Error("not used in config tests");
};
const staticSource: SourceDefinition<{ value: string }> = {
  type: "static",
  description: "fixed",
  settings: z.strictObject({ value: z.string({ error: "expected an address" }) }),
  create: unused,
};
const httpSource: SourceDefinition<{ url: string }> = {
  type: "http",
  description: "echo",
  settings: z.strictObject({ url: z.url({ error: "expected a URL" }) }),
  create: unused,
};
const fakeTarget: TargetDefinition<{ url: string; password: string }> = {
  type: "fake",
  description: "fake",
  settings: z.strictObject({
    url: z.url({ error: "expected a URL" }),
    password: z.string({ error: "expected a password" }).min(8, { error: "too short" }),
  }),
  create: unused,
};
const hook: NotifierDefinition<{ url: string }> = {
  type: "webhook",
  description: "hook",
  settings: z.strictObject({ url: z.url({ error: "expected a URL" }) }),
  create: unused,
};
const REGISTRIES: AgentRegistries = {
  sources: new Map<string, SourceDefinition<unknown>>([
    ["static", staticSource],
    ["http", httpSource],
  ] as [string, SourceDefinition<unknown>][]),
  targets: new Map([["fake", fakeTarget]]),
  notifiers: new Map([["webhook", hook]]),
};

type Over = Partial<LoadAgentConfigInput> & { yaml?: string; extra?: Record<string, string> };

function load(over: Over = {}, registries = REGISTRIES) {
  const { yaml, extra, ...rest } = over;
  return loadAgentConfigWith(
    {
      env: {},
      flags: {},
      cwd: "/srv",
      readFile: files({ ...(yaml === undefined ? {} : { [FILE]: yaml }), ...extra }),
      ...(yaml === undefined ? {} : { file: FILE }),
      ...rest,
    },
    registries,
  );
}

function errorOf(over: Over, registries = REGISTRIES): string {
  try {
    load(over, registries);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

const GOOD = [
  "interval: 2m", // 1
  "sources:", // 2
  "  fixed: { type: static, value: 192.0.2.1 }", // 3
  "  echo: { type: http, url: https://echo.example/ }", // 4
  "targets:", // 5
  "  home:", // 6
  "    type: fake", // 7
  "    url: https://ddns.example/", // 8
  "    password_file: secrets/pw", // 9
  "notify:", // 10
  "  - { type: webhook, url: https://hooks.example/x }", // 11
  "records:", // 12
  "  - name: Home.Example.com.", // 13
  "    type: A", // 14
  "    target: home", // 15
  "    sources: [fixed, echo]", // 16
  "",
].join("\n");

describe("loadAgentConfig: values", () => {
  test("no file → defaults, no records; resolver from resolv.conf", () => {
    const c = load({ extra: { "/etc/resolv.conf": "# x\nnameserver fe80::1%eth0\nnameserver 10.0.0.53\n" } });
    expect(c).toMatchObject({
      intervalMs: 300_000,
      verifyEvery: 6,
      verifyResolver: { host: "10.0.0.53", port: 53 },
      stateFile: "/srv/data/agent-state.json",
      status: { listen: { host: "127.0.0.1", port: 9876 } },
      log: { level: "info", format: "auto" },
      userAgent: undefined,
      records: [],
      notifiers: [],
      source: {},
    });
    expect(c.sources.size).toBe(0);
  });

  test("a full file: secrets read from *_file (trimmed, relative to the file), names canonical, defaults", () => {
    const c = load({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": "  s3cret-pass\n" } });
    expect(c.intervalMs).toBe(120_000);
    expect(c.targets.get("home")?.settings).toEqual({
      url: "https://ddns.example/",
      password: "s3cret-pass",
    });
    expect(c.sources.get("echo")?.type).toBe("http");
    expect(c.notifiers.map((n) => [n.id, n.settings])).toEqual([
      ["webhook-1", { url: "https://hooks.example/x" }],
    ]);
    expect(c.verifyResolver).toBeUndefined(); // no /etc/resolv.conf in this fake file system
    const r = c.records[0];
    expect(r).toMatchObject({
      fqdn: "home.example.com",
      type: "A",
      target: "home",
      sources: ["fixed", "echo"],
      builtin: false,
      quorum: 2,
      timeoutMs: 5_000,
      allowNonGlobal: false,
      bind: undefined,
      ipv6Host: undefined,
      ttl: undefined,
      origin: `${FILE}:13`,
    });
    expect(r?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(r)).not.toContain("s3cret");
  });

  test("the fingerprint changes with the target's secret and not otherwise", () => {
    const a = load({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": "password-one" } }).records[0];
    const b = load({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": "password-one" } }).records[0];
    const c = load({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": "password-two" } }).records[0];
    expect(a?.fingerprint).toBe(b?.fingerprint);
    expect(a?.fingerprint).not.toBe(c?.fingerprint);
  });

  test("record options: builtin default, quorum, bind, IPv6 host part, ttl, timeout", () => {
    const yaml = [
      "targets: { home: { type: fake, url: https://d.example/, password: longenough } }",
      "verify_resolver: '[2620:fe::fe]:5353'",
      "records:",
      "  - { name: a.example, type: A, target: home, bind: { interface: eth1 }, ttl: 60 }",
      "  - { name: b.example, type: AAAA, target: home, ipv6_suffix: '0:0:0:0:0:0:0:1234', timeout: 1500ms,",
      "      bind: { address: '2001:db8::10' }, quorum: 3, sources: [builtin] }",
      "  - { name: c.example, type: AAAA, target: home, ipv6_mac: AA-BB-CC-DD-EE-FF, allow_non_global: true }",
    ].join("\n");
    const c = load({ yaml });
    expect(c.verifyResolver).toEqual({ host: "2620:fe::fe", port: 5353 });
    expect(c.records.map((r) => [r.builtin, r.quorum, r.bind, r.ipv6Host, r.ttl, r.timeoutMs])).toEqual([
      [true, 2, { kind: "interface", interface: "eth1" }, undefined, 60, 5000],
      [
        true,
        3,
        { kind: "address", address: "2001:db8::10" },
        { kind: "suffix", suffix: "::1234" },
        undefined,
        1500,
      ],
      [true, 2, undefined, { kind: "mac", mac: "aa:bb:cc:dd:ee:ff" }, undefined, 5000],
    ]);
    expect(c.records[2]?.allowNonGlobal).toBe(true);
  });

  test("environment overrides the file, flags override the environment; BEACON_AGENT_CONFIG names the file", () => {
    const yaml = "interval: 2m\nstate_file: state.json\nstatus: { listen: '127.0.0.1:1' }\n";
    const env = {
      BEACON_AGENT_CONFIG: FILE,
      BEACON_AGENT_INTERVAL: "45s",
      BEACON_AGENT_STATUS_LISTEN: "",
      BEACON_AGENT_VERIFY_EVERY: "3",
    };
    const fromEnv = load({ env, readFile: files({ [FILE]: yaml }) });
    expect(fromEnv.source.file).toBe(FILE);
    expect(fromEnv.intervalMs).toBe(45_000);
    expect(fromEnv.verifyEvery).toBe(3);
    expect(fromEnv.status.listen).toBeUndefined(); // "" disables the status port
    expect(fromEnv.stateFile).toBe("/etc/beacon/state.json"); // from the file: relative to the file
    const flagged = load({
      env,
      readFile: files({ [FILE]: yaml }),
      flags: { interval: "10s", state_file: "s.json", "status.listen": "[::1]:0" },
    });
    expect(flagged.intervalMs).toBe(10_000);
    expect(flagged.stateFile).toBe("/srv/s.json"); // from a flag: relative to cwd
    expect(flagged.status.listen).toEqual({ host: "::1", port: 0 });
  });

  test("a BEACON_AGENT_* typo is a warning with a suggestion, not an error", () => {
    const warnings: string[] = [];
    load({ env: { BEACON_AGENT_INTERVALL: "1m" }, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      "environment variable BEACON_AGENT_INTERVALL is not a Beacon agent setting; did you mean BEACON_AGENT_INTERVAL?",
    ]);
  });
});

describe("loadAgentConfig: errors name the setting and file:line:col", () => {
  test("a bad target setting, validated by the real target type's own schema", () => {
    const yaml = [
      "targets:", // 1
      "  home:", // 2
      "    type: beacon", // 3
      "    url: not a url", // 4
      "    token: tk_x.y", // 5
      "",
    ].join("\n");
    const registries = { ...REGISTRIES, targets: TARGET_TYPES };
    expect(errorOf({ yaml }, registries)).toMatch(
      /^config error: targets\.home\.url in \/etc\/beacon\/agent\.yaml:4:10: /,
    );
  });

  test("a missing secret file names the _file setting, its line and the resolved path", () => {
    expect(errorOf({ yaml: GOOD })).toBe(
      `config error: targets.home.password_file in ${FILE}:9:20: cannot read /etc/beacon/secrets/pw: it does not exist (ENOENT)`,
    );
  });

  test("an empty secret file, a secret and its _file together, a secret from a file that fails the schema", () => {
    expect(errorOf({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": " \n" } })).toContain(
      "targets.home.password_file in /etc/beacon/agent.yaml:9:20: /etc/beacon/secrets/pw is empty",
    );
    const both = GOOD.replace(
      "    password_file: secrets/pw",
      "    password: inline-pass\n    password_file: secrets/pw",
    );
    expect(errorOf({ yaml: both, extra: { "/etc/beacon/secrets/pw": "x" } })).toContain(
      "targets.home.password_file in /etc/beacon/agent.yaml:10:5: set either password or password_file, not both",
    );
    expect(errorOf({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": "abc1" } })).toBe(
      `config error: targets.home.password_file in ${FILE}:9:20: too short (value read from password_file)`,
    );
  });

  test("unknown types and ids get suggestions; unknown settings inside an entry too", () => {
    const yaml = [
      "sources:", // 1
      "  fixed: { type: statik, value: 1.2.3.4 }", // 2
      "targets:", // 3
      "  home: { type: fake, url: https://d.example/, password: longenough, pasword: x }", // 4
      "records:", // 5
      "  - { name: a.example, type: A, target: hom, sources: [fixd, builtin] }", // 6
      "",
    ].join("\n");
    const msg = errorOf({ yaml });
    expect(msg).toContain(
      'sources.fixed.type in /etc/beacon/agent.yaml:2:18: unknown source type "statik" (did you mean "static"?)',
    );
    expect(msg).toContain(
      'targets.home.pasword in /etc/beacon/agent.yaml:4:70: unknown setting (did you mean "password"?)',
    );
    const records = errorOf({ yaml: yaml.replace("statik", "static").replace(", pasword: x", "") });
    expect(records).toContain(
      'records[0].target in /etc/beacon/agent.yaml:6:41: unknown target "hom" (did you mean "home"?)',
    );
    expect(records).toContain(
      'records[0].sources[0] in /etc/beacon/agent.yaml:6:56: unknown source "fixd" (did you mean "fixed"?)',
    );
  });

  test("record cross-checks: quorum too high, IPv6 options on A, both suffix and MAC, bind family, duplicates", () => {
    const yaml = [
      "sources: { s1: { type: static, value: 1.2.3.4 } }", // 1
      "targets: { t: { type: fake, url: https://d.example/, password: longenough } }", // 2
      "records:", // 3
      "  - { name: a.example, type: A, target: t, sources: [s1], quorum: 2 }", // 4
      "  - { name: b.example, type: A, target: t, ipv6_suffix: '::1' }", // 5
      "  - { name: c.example, type: AAAA, target: t, ipv6_suffix: '::1', ipv6_mac: 'aa:bb:cc:dd:ee:ff' }", // 6
      "  - { name: d.example, type: A, target: t, bind: { address: '2001:db8::1' } }", // 7
      "  - { name: e.example, type: A, target: t }", // 8
      "  - { name: E.example., type: A, target: t }", // 9
      "",
    ].join("\n");
    const lines = errorOf({ yaml }).split("\n");
    expect(lines).toEqual([
      "config error: records[0].quorum in /etc/beacon/agent.yaml:4:67: a quorum of 2 needs at least 2 sources; this record lists 1",
      "config error: records[1].ipv6_suffix in /etc/beacon/agent.yaml:5:44: only AAAA records take an IPv6 host part",
      "config error: records[2].ipv6_mac in /etc/beacon/agent.yaml:6:67: set either ipv6_suffix or ipv6_mac, not both",
      "config error: records[3].bind.address in /etc/beacon/agent.yaml:7:61: an A record detects and updates over IPv4; bind to an IPv4 address",
      "config error: records[5].name in /etc/beacon/agent.yaml:9:13: e.example A via target t is listed twice",
    ]);
  });

  test("top-level mistakes: bad duration, unknown key, bad listen, bad env value", () => {
    const yaml = "interval: soon\nintreval: 5m\nstatus: { listen: nope }\n";
    const lines = errorOf({ yaml, env: { BEACON_AGENT_VERIFY_EVERY: "-1" } }).split("\n");
    expect(lines).toEqual([
      'config error: interval in /etc/beacon/agent.yaml:1:11: "soon" is not a duration like 30s, 5m or 1h',
      'config error: intreval in /etc/beacon/agent.yaml:2:1: unknown setting (did you mean "interval"?)',
      'config error: status.listen in /etc/beacon/agent.yaml:3:19: "nope" is not a valid host:port (missing :port)',
      "config error: verify_every from environment BEACON_AGENT_VERIFY_EVERY: expected an integer ≥ 0",
    ]);
    expect(errorOf({ flags: { interval: "0s" } })).toBe(
      "config error: interval from flag --interval: expected a duration between 1s and 24h",
    );
    expect(errorOf({ flags: { intervall: "1m" } })).toContain('unknown setting (did you mean "interval"?)');
  });

  test("an IPv6 host part with bits inside the /64 prefix is refused", () => {
    const yaml = [
      "targets: { t: { type: fake, url: https://d.example/, password: longenough } }",
      "records:",
      "  - { name: a.example, type: AAAA, target: t, ipv6_suffix: '2001:db8::1' }",
    ].join("\n");
    expect(errorOf({ yaml })).toBe(
      'config error: records[0].ipv6_suffix in /etc/beacon/agent.yaml:3:60: "2001:db8::1" is not an IPv6 host part like ::1234 (only the last 64 bits may be set)',
    );
  });

  test("a missing config file names the file", () => {
    expect(errorOf({ file: "agent.yaml" })).toBe(
      "config error: /srv/agent.yaml: cannot read the file: it does not exist (ENOENT)",
    );
  });
});

describe("loadAgentConfig: provider targets", () => {
  const registries = {
    ...REGISTRIES,
    targets: new Map([["http", providerTarget(httpCallbackProvider)]]),
  };
  const HOOK = [
    "targets:", // 1
    "  hook:", // 2
    "    type: http", // 3
    "    url: https://hooks.example/dns/{{name}}/{{type}}", // 4
    "    method: PUT", // 5
    "    headers: { Authorization: 'Bearer {{secret}}' }", // 6
    `    body: '{"values": {{values_json}}}'`, // 7
    "    secret_file: secrets/hook", // 8
    "records:", // 9
    "  - { name: home.example.com, type: A, target: hook }", // 10
    "",
  ].join("\n");

  test("a provider's settings are validated by its own schema, with X_file secrets and nested maps", () => {
    const c = load({ yaml: HOOK, extra: { "/etc/beacon/secrets/hook": "tok-123\n" } }, registries);
    expect(c.targets.get("hook")?.settings).toEqual({
      url: "https://hooks.example/dns/{{name}}/{{type}}",
      method: "PUT",
      headers: { Authorization: "Bearer {{secret}}" },
      body: '{"values": {{values_json}}}',
      secret: "tok-123",
    });
  });

  test("a provider's own check (an unknown placeholder) names the setting and its line", () => {
    const yaml = HOOK.replace("{{type}}", "{{kind}}");
    expect(errorOf({ yaml, extra: { "/etc/beacon/secrets/hook": "tok" } }, registries)).toMatch(
      /targets\.hook\.url in \/etc\/beacon\/agent\.yaml:4:\d+: unknown placeholder \{\{kind\}\}/,
    );
  });
});

describe("loadAgentConfig: heartbeat", () => {
  const registries = { ...REGISTRIES, targets: new Map([...TARGET_TYPES, ["fake", fakeTarget]]) };
  const yamlWith = (heartbeat: string, target = "b") =>
    [
      "targets:", // 1
      "  b: { type: beacon, url: https://ddns.example/, token: tk_a.b }", // 2
      "  f: { type: fake, url: https://d.example/, password: longenough }", // 3
      "records:", // 4
      `  - { name: line1.example, type: A, target: ${target}, bind: { interface: wan1 }, heartbeat: ${heartbeat} }`, // 5
      "",
    ].join("\n");

  test("off by default; { interval } in milliseconds; {} means 10 s", () => {
    expect(load({ yaml: yamlWith("{ interval: 30s }") }, registries).records[0]?.heartbeat).toEqual({
      intervalMs: 30_000,
    });
    expect(load({ yaml: yamlWith("{}") }, registries).records[0]?.heartbeat).toEqual({ intervalMs: 10_000 });
    expect(
      load({ yaml: GOOD, extra: { "/etc/beacon/secrets/pw": "password-one" } }).records[0]?.heartbeat,
    ).toBe(undefined);
  });

  test("heartbeat does not change the record's fingerprint (it does not affect publishing)", () => {
    const a = load({ yaml: yamlWith("{ interval: 30s }") }, registries).records[0];
    const b = load({ yaml: yamlWith("{ interval: 1m }") }, registries).records[0];
    expect(a?.fingerprint).toBe(b?.fingerprint);
  });

  test.each([
    [
      "an interval under 5 s",
      "{ interval: 4s }",
      "records[0].heartbeat.interval",
      "expected a duration between 5s and 1h",
    ],
    [
      "an interval over 1 h",
      "{ interval: 2h }",
      "records[0].heartbeat.interval",
      "expected a duration between 5s and 1h",
    ],
    [
      "a word",
      "{ interval: often }",
      "records[0].heartbeat.interval",
      '"often" is not a duration like 30s, 5m or 1h',
    ],
    ["a list as interval", "{ interval: [10s] }", "records[0].heartbeat.interval", "is not a duration"],
    [
      "true instead of a mapping",
      "true",
      "records[0].heartbeat",
      "expected a mapping like { interval: 10s }",
    ],
    ["a bare duration", "10s", "records[0].heartbeat", "expected a mapping like { interval: 10s }"],
    [
      "a misspelt key",
      "{ intervall: 10s }",
      "records[0].heartbeat.intervall",
      'unknown setting (did you mean "interval"?)',
    ],
  ])("rejects %s, naming the setting and line", (_name, heartbeat, setting, message) => {
    const msg = errorOf({ yaml: yamlWith(heartbeat) }, registries);
    expect(msg).toMatch(
      new RegExp(`^config error: ${setting.replace(/[.[\]]/g, "\\$&")} in /etc/beacon/agent\\.yaml:5:\\d+: `),
    );
    expect(msg).toContain(message);
  });

  test("a heartbeat on a record whose target is not a Beacon server is refused", () => {
    expect(errorOf({ yaml: yamlWith("{ interval: 10s }", "f") }, registries)).toMatch(
      /^config error: records\[0\]\.heartbeat in \/etc\/beacon\/agent\.yaml:5:\d+: heartbeats go to a Beacon server: target f is of type fake, not beacon$/,
    );
  });
});
