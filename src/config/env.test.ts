import { describe, expect, test } from "vitest";
import { configFileFromEnv, envOverrides } from "./env.js";

function values(env: Record<string, string | undefined>) {
  const r = envOverrides(env);
  return Object.fromEntries(r.overrides.map((o) => [o.setting.key, o.value]));
}

describe("envOverrides", () => {
  test("maps BEACON_A_B_C to a.b_c and coerces by kind", () => {
    expect(
      values({
        BEACON_DATA_DIR: "/var/lib/beacon",
        BEACON_DNS_LISTEN: " 127.0.0.1:53 ,, [::1]:53 ",
        BEACON_HTTP_MAX_BODY_BYTES: "4096",
        BEACON_DEMO_ENABLED: "FALSE",
      }),
    ).toEqual({
      data_dir: "/var/lib/beacon",
      "dns.listen": ["127.0.0.1:53", "[::1]:53"],
      "http.max_body_bytes": 4096,
      "demo.enabled": false,
    });
  });

  test.each([
    ["true", true],
    ["1", true],
    ["yes", true],
    ["Yes", true],
    ["false", false],
    ["0", false],
    ["no", false],
  ])("boolean %s → %s", (text, expected) => {
    expect(values({ BEACON_UPDATES_ALLOW_NON_GLOBAL: text })).toEqual({
      "updates.allow_non_global": expected,
    });
  });

  test.each(["maybe", "on", "2", "t"])("boolean %s is an issue naming the variable", (text) => {
    const r = envOverrides({ BEACON_DEMO_ENABLED: text });
    expect(r.overrides).toEqual([]);
    expect(r.issues).toEqual([
      {
        setting: "demo.enabled",
        source: { kind: "env", name: "BEACON_DEMO_ENABLED" },
        message: `"${text}" is not a boolean (use true/false/1/0/yes/no)`,
      },
    ]);
  });

  test("non-integer text is passed through for the schema to reject", () => {
    expect(values({ BEACON_SHUTDOWN_GRACE_MS: "1.5" })).toEqual({ shutdown_grace_ms: "1.5" });
  });

  test("an empty variable leaves a scalar unset but makes a list empty", () => {
    expect(
      values({ BEACON_DATA_DIR: "", BEACON_DEMO_ENABLED: " ", BEACON_HTTP_TRUSTED_PROXIES: "" }),
    ).toEqual({
      "http.trusted_proxies": [],
    });
  });

  test("unknown and non-BEACON variables are ignored; near misses are warned about", () => {
    const warnings: string[] = [];
    const r = envOverrides(
      { PATH: "/bin", BEACON_AGENT_TOKEN: "x", BEACON_HTTP_LISTN: "127.0.0.1:1", BEACON_CONFIG: "/x.yaml" },
      (m) => warnings.push(m),
    );
    expect(r).toEqual({ overrides: [], issues: [] });
    expect(warnings).toEqual([
      "environment variable BEACON_HTTP_LISTN is not a Beacon setting; did you mean BEACON_HTTP_LISTEN?",
    ]);
  });

  test("every unknown BEACON_* name is warned about, misspelt or empty, with the closest setting", () => {
    const warnings: string[] = [];
    const r = envOverrides(
      { BEACON_HTTP_LISTNE: "0.0.0.0:8245", BEACON_DATADIR: "", BEACON_LISTEN_HTTP: "x", BEACON_: "" },
      (m) => warnings.push(m),
    );
    expect(r).toEqual({ overrides: [], issues: [] });
    expect(warnings).toEqual([
      "environment variable BEACON_HTTP_LISTNE is not a Beacon setting; did you mean BEACON_HTTP_LISTEN?",
      "environment variable BEACON_DATADIR is not a Beacon setting; did you mean BEACON_DATA_DIR?",
      "environment variable BEACON_LISTEN_HTTP is not a Beacon setting",
      "environment variable BEACON_ is not a Beacon setting",
    ]);
  });

  test("the agent's variables, hook variables and the test runner's are not warned about", () => {
    const warnings: string[] = [];
    envOverrides(
      {
        BEACON_CONFIG: "",
        BEACON_AGENT_CONFIG: "/etc/agent.yaml",
        BEACON_AGENT_INTERVALL: "5m",
        BEACON_REQUIRE_PEERS: "1",
        BEACON_SCREENSHOTS: "1",
        BEACON_FQDN: "home.example.org",
        BEACON_STATUS: "updated",
        BEACON_LOCAL_ADDRESS: "192.0.2.1",
      },
      (m) => warnings.push(m),
    );
    expect(warnings).toEqual([]);
  });

  test("BEACON_CONFIG names the file; empty means none", () => {
    expect(configFileFromEnv({ BEACON_CONFIG: "/etc/beacon.yaml" })).toBe("/etc/beacon.yaml");
    expect(configFileFromEnv({ BEACON_CONFIG: "" })).toBeUndefined();
    expect(configFileFromEnv({})).toBeUndefined();
  });
});
