import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatConfigHelp } from "./help.js";
import { SETTINGS, settingAt } from "./settings.js";

describe("SETTINGS (derived from the schema)", () => {
  test("lists every leaf with derived env and flag names", () => {
    expect(SETTINGS.map((s) => [s.key, s.env, s.flag])).toEqual([
      ["data_dir", "BEACON_DATA_DIR", "--data-dir"],
      ["store.sqlite_path", "BEACON_STORE_SQLITE_PATH", "--store-sqlite-path"],
      ["http.listen", "BEACON_HTTP_LISTEN", "--http-listen"],
      ["http.trusted_proxies", "BEACON_HTTP_TRUSTED_PROXIES", "--http-trusted-proxies"],
      ["http.max_body_bytes", "BEACON_HTTP_MAX_BODY_BYTES", "--http-max-body-bytes"],
      ["dns.listen", "BEACON_DNS_LISTEN", "--dns-listen"],
      ["dns.tcp_idle_timeout_ms", "BEACON_DNS_TCP_IDLE_TIMEOUT_MS", "--dns-tcp-idle-timeout-ms"],
      ["dns.max_tcp_connections", "BEACON_DNS_MAX_TCP_CONNECTIONS", "--dns-max-tcp-connections"],
      ["updates.allow_non_global", "BEACON_UPDATES_ALLOW_NON_GLOBAL", "--updates-allow-non-global"],
      ["demo.enabled", "BEACON_DEMO_ENABLED", "--demo-enabled"],
      ["demo.zone", "BEACON_DEMO_ZONE", "--demo-zone"],
      ["log.level", "BEACON_LOG_LEVEL", "--log-level"],
      ["shutdown_grace_ms", "BEACON_SHUTDOWN_GRACE_MS", "--shutdown-grace-ms"],
    ]);
  });

  test("settingAt finds the leaf an issue path lies in, not a section", () => {
    expect(settingAt(["http", "listen", 3])?.key).toBe("http.listen");
    expect(settingAt(["data_dir"])?.key).toBe("data_dir");
    expect(settingAt(["http"])).toBeUndefined();
    expect(settingAt(["htpp", "listen"])).toBeUndefined();
  });
});

describe("formatConfigHelp", () => {
  test("one row per setting with its env var and default", () => {
    const lines = formatConfigHelp().split("\n");
    for (const s of SETTINGS) {
      const row = lines.find((l) => l.startsWith(`${s.key} `));
      expect(row, s.key).toBeDefined();
      expect(row).toContain(s.env);
    }
    expect(lines.find((l) => l.startsWith("http.listen "))).toMatch(
      /BEACON_HTTP_LISTEN\s+127\.0\.0\.1:8245$/,
    );
    expect(lines.find((l) => l.startsWith("store.sqlite_path "))).toMatch(/<data_dir>\/beacon\.db$/);
    expect(lines.find((l) => l.startsWith("http.trusted_proxies "))).toMatch(/\(empty\)$/);
  });
});

describe("docs/configuration.md", () => {
  test("documents every setting with its environment variable and flag", () => {
    const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    for (const s of SETTINGS) {
      expect(doc, s.key).toContain(`### \`${s.key}\``);
      expect(doc, s.env).toContain(`\`${s.env}\``);
      expect(doc, s.flag).toContain(`\`${s.flag}\``);
    }
  });
});
