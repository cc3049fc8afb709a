import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatConfigHelp } from "./help.js";
import { SETTINGS, settingAt } from "./settings.js";

describe("SETTINGS (derived from the schema)", () => {
  test("lists every leaf with derived env and flag names", () => {
    expect(SETTINGS.map((s) => [s.key, s.env, s.flag])).toEqual([
      ["data_dir", "BEACON_DATA_DIR", "--data-dir"],
      ["store.sqlite_path", "BEACON_STORE_SQLITE_PATH", "--store-sqlite-path"],
      ["store.postgres_url", "BEACON_STORE_POSTGRES_URL", "--store-postgres-url"],
      ["store.postgres_url_file", "BEACON_STORE_POSTGRES_URL_FILE", "--store-postgres-url-file"],
      ["store.dynamodb_table", "BEACON_STORE_DYNAMODB_TABLE", "--store-dynamodb-table"],
      ["store.dynamodb_region", "BEACON_STORE_DYNAMODB_REGION", "--store-dynamodb-region"],
      ["store.dynamodb_endpoint", "BEACON_STORE_DYNAMODB_ENDPOINT", "--store-dynamodb-endpoint"],
      ["http.listen", "BEACON_HTTP_LISTEN", "--http-listen"],
      ["http.trusted_proxies", "BEACON_HTTP_TRUSTED_PROXIES", "--http-trusted-proxies"],
      ["http.max_body_bytes", "BEACON_HTTP_MAX_BODY_BYTES", "--http-max-body-bytes"],
      ["http.public_url", "BEACON_HTTP_PUBLIC_URL", "--http-public-url"],
      ["http.max_connections", "BEACON_HTTP_MAX_CONNECTIONS", "--http-max-connections"],
      [
        "http.max_connections_per_client",
        "BEACON_HTTP_MAX_CONNECTIONS_PER_CLIENT",
        "--http-max-connections-per-client",
      ],
      ["http.idle_timeout", "BEACON_HTTP_IDLE_TIMEOUT", "--http-idle-timeout"],
      ["http.headers_timeout", "BEACON_HTTP_HEADERS_TIMEOUT", "--http-headers-timeout"],
      ["http.plain", "BEACON_HTTP_PLAIN", "--http-plain"],
      ["http.tls.listen", "BEACON_HTTP_TLS_LISTEN", "--http-tls-listen"],
      ["http.tls.cert_file", "BEACON_HTTP_TLS_CERT_FILE", "--http-tls-cert-file"],
      ["http.tls.key_file", "BEACON_HTTP_TLS_KEY_FILE", "--http-tls-key-file"],
      ["http.tls.min_version", "BEACON_HTTP_TLS_MIN_VERSION", "--http-tls-min-version"],
      ["http.tls.hsts", "BEACON_HTTP_TLS_HSTS", "--http-tls-hsts"],
      ["http.signature_window", "BEACON_HTTP_SIGNATURE_WINDOW", "--http-signature-window"],
      ["dns.listen", "BEACON_DNS_LISTEN", "--dns-listen"],
      ["dns.tcp_idle_timeout_ms", "BEACON_DNS_TCP_IDLE_TIMEOUT_MS", "--dns-tcp-idle-timeout-ms"],
      ["dns.max_tcp_connections", "BEACON_DNS_MAX_TCP_CONNECTIONS", "--dns-max-tcp-connections"],
      ["dns.workers", "BEACON_DNS_WORKERS", "--dns-workers"],
      [
        "dns.limits.rrl_responses_per_second",
        "BEACON_DNS_LIMITS_RRL_RESPONSES_PER_SECOND",
        "--dns-limits-rrl-responses-per-second",
      ],
      [
        "dns.limits.rrl_window_seconds",
        "BEACON_DNS_LIMITS_RRL_WINDOW_SECONDS",
        "--dns-limits-rrl-window-seconds",
      ],
      ["dns.limits.rrl_slip", "BEACON_DNS_LIMITS_RRL_SLIP", "--dns-limits-rrl-slip"],
      [
        "dns.limits.rrl_ipv4_prefix_length",
        "BEACON_DNS_LIMITS_RRL_IPV4_PREFIX_LENGTH",
        "--dns-limits-rrl-ipv4-prefix-length",
      ],
      [
        "dns.limits.rrl_ipv6_prefix_length",
        "BEACON_DNS_LIMITS_RRL_IPV6_PREFIX_LENGTH",
        "--dns-limits-rrl-ipv6-prefix-length",
      ],
      ["dns.limits.rrl_table_size", "BEACON_DNS_LIMITS_RRL_TABLE_SIZE", "--dns-limits-rrl-table-size"],
      ["dns.limits.rrl_exempt", "BEACON_DNS_LIMITS_RRL_EXEMPT", "--dns-limits-rrl-exempt"],
      [
        "dns.limits.max_tcp_connections_per_client",
        "BEACON_DNS_LIMITS_MAX_TCP_CONNECTIONS_PER_CLIENT",
        "--dns-limits-max-tcp-connections-per-client",
      ],
      [
        "dns.limits.tcp_ipv4_prefix_length",
        "BEACON_DNS_LIMITS_TCP_IPV4_PREFIX_LENGTH",
        "--dns-limits-tcp-ipv4-prefix-length",
      ],
      [
        "dns.limits.tcp_ipv6_prefix_length",
        "BEACON_DNS_LIMITS_TCP_IPV6_PREFIX_LENGTH",
        "--dns-limits-tcp-ipv6-prefix-length",
      ],
      [
        "dns.limits.tcp_transfer_connections",
        "BEACON_DNS_LIMITS_TCP_TRANSFER_CONNECTIONS",
        "--dns-limits-tcp-transfer-connections",
      ],
      ["dns.limits.tcp_lifetime_ms", "BEACON_DNS_LIMITS_TCP_LIFETIME_MS", "--dns-limits-tcp-lifetime-ms"],
      [
        "dns.limits.max_tcp_queued_replies",
        "BEACON_DNS_LIMITS_MAX_TCP_QUEUED_REPLIES",
        "--dns-limits-max-tcp-queued-replies",
      ],
      [
        "dns.limits.max_message_bytes",
        "BEACON_DNS_LIMITS_MAX_MESSAGE_BYTES",
        "--dns-limits-max-message-bytes",
      ],
      ["dns.transfer.allow", "BEACON_DNS_TRANSFER_ALLOW", "--dns-transfer-allow"],
      ["dns.transfer.keys", "BEACON_DNS_TRANSFER_KEYS", "--dns-transfer-keys"],
      ["dns.transfer.notify", "BEACON_DNS_TRANSFER_NOTIFY", "--dns-transfer-notify"],
      ["dns.transfer.notify_key", "BEACON_DNS_TRANSFER_NOTIFY_KEY", "--dns-transfer-notify-key"],
      ["dns.transfer.notify_retries", "BEACON_DNS_TRANSFER_NOTIFY_RETRIES", "--dns-transfer-notify-retries"],
      ["dns.transfer.catalog", "BEACON_DNS_TRANSFER_CATALOG", "--dns-transfer-catalog"],
      ["dns.update.allow_md5", "BEACON_DNS_UPDATE_ALLOW_MD5", "--dns-update-allow-md5"],
      ["dns.update.max_fudge", "BEACON_DNS_UPDATE_MAX_FUDGE", "--dns-update-max-fudge"],
      ["admin.session_idle", "BEACON_ADMIN_SESSION_IDLE", "--admin-session-idle"],
      ["admin.session_lifetime", "BEACON_ADMIN_SESSION_LIFETIME", "--admin-session-lifetime"],
      ["admin.setup", "BEACON_ADMIN_SETUP", "--admin-setup"],
      ["updates.allow_non_global", "BEACON_UPDATES_ALLOW_NON_GLOBAL", "--updates-allow-non-global"],
      ["limits.client", "BEACON_LIMITS_CLIENT", "--limits-client"],
      ["limits.client_ip", "BEACON_LIMITS_CLIENT_IP", "--limits-client-ip"],
      ["limits.client_heartbeat", "BEACON_LIMITS_CLIENT_HEARTBEAT", "--limits-client-heartbeat"],
      ["limits.credential", "BEACON_LIMITS_CREDENTIAL", "--limits-credential"],
      ["limits.host_dyndns2", "BEACON_LIMITS_HOST_DYNDNS2", "--limits-host-dyndns2"],
      ["limits.host_api", "BEACON_LIMITS_HOST_API", "--limits-host-api"],
      ["limits.nochg_flag", "BEACON_LIMITS_NOCHG_FLAG", "--limits-nochg-flag"],
      ["limits.exempt", "BEACON_LIMITS_EXEMPT", "--limits-exempt"],
      [
        "history.max_entries_per_host",
        "BEACON_HISTORY_MAX_ENTRIES_PER_HOST",
        "--history-max-entries-per-host",
      ],
      ["history.max_age", "BEACON_HISTORY_MAX_AGE", "--history-max-age"],
      ["serverless.route53_zones", "BEACON_SERVERLESS_ROUTE53_ZONES", "--serverless-route53-zones"],
      ["serverless.route53_endpoint", "BEACON_SERVERLESS_ROUTE53_ENDPOINT", "--serverless-route53-endpoint"],
      ["serverless.delivery_timeout", "BEACON_SERVERLESS_DELIVERY_TIMEOUT", "--serverless-delivery-timeout"],
      ["pools.node_name", "BEACON_POOLS_NODE_NAME", "--pools-node-name"],
      ["pools.transitions_max_age", "BEACON_POOLS_TRANSITIONS_MAX_AGE", "--pools-transitions-max-age"],
      ["pools.rollups_max_age", "BEACON_POOLS_ROLLUPS_MAX_AGE", "--pools-rollups-max-age"],
      ["acme.enabled", "BEACON_ACME_ENABLED", "--acme-enabled"],
      ["acme.directory_url", "BEACON_ACME_DIRECTORY_URL", "--acme-directory-url"],
      ["acme.email", "BEACON_ACME_EMAIL", "--acme-email"],
      ["acme.names", "BEACON_ACME_NAMES", "--acme-names"],
      ["acme.challenge", "BEACON_ACME_CHALLENGE", "--acme-challenge"],
      ["acme.ca_file", "BEACON_ACME_CA_FILE", "--acme-ca-file"],
      ["acme.renew_before", "BEACON_ACME_RENEW_BEFORE", "--acme-renew-before"],
      ["acme.key_type", "BEACON_ACME_KEY_TYPE", "--acme-key-type"],
      ["compat.aws_sample", "BEACON_COMPAT_AWS_SAMPLE", "--compat-aws-sample"],
      ["demo.enabled", "BEACON_DEMO_ENABLED", "--demo-enabled"],
      ["demo.zone", "BEACON_DEMO_ZONE", "--demo-zone"],
      ["log.level", "BEACON_LOG_LEVEL", "--log-level"],
      ["log.format", "BEACON_LOG_FORMAT", "--log-format"],
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
    expect(lines.find((l) => l.startsWith("store.dynamodb_region "))).toMatch(
      /\(AWS_REGION from the environment\)$/,
    );
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
