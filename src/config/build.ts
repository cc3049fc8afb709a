// Validated raw config → ServerConfig: camelCase, relative paths made absolute, derived defaults filled.

import { join } from "node:path";
import type { RawConfig } from "./schema.js";
import type { ServerConfig } from "./server-config.js";
import type { StoreChoice } from "./store-choice.js";

/** Resolves a path-valued setting against the directory its source implies (file dir or cwd). */
export type ResolvePath = (settingKey: string, value: string) => string;

export function buildServerConfig(
  raw: RawConfig,
  resolvePath: ResolvePath,
  file: string | undefined,
  { postgres, dynamodb }: Pick<StoreChoice, "postgres" | "dynamodb">,
): ServerConfig {
  const dataDir = resolvePath("data_dir", raw.data_dir);
  const optionalPath = (key: string, value: string | undefined) =>
    value === undefined ? undefined : resolvePath(key, value);
  const config: ServerConfig = {
    dataDir,
    store: {
      sqlitePath:
        raw.store.sqlite_path === undefined
          ? join(dataDir, "beacon.db")
          : resolvePath("store.sqlite_path", raw.store.sqlite_path),
      postgres,
      dynamodb,
    },
    http: {
      listen: raw.http.listen,
      trustedProxies: raw.http.trusted_proxies,
      maxBodyBytes: raw.http.max_body_bytes,
      publicUrl: raw.http.public_url,
      maxConnections: raw.http.max_connections,
      maxConnectionsPerClient: raw.http.max_connections_per_client,
      idleTimeoutMs: raw.http.idle_timeout,
      headersTimeoutMs: raw.http.headers_timeout,
      plain: raw.http.plain,
      tls: {
        listen: raw.http.tls.listen,
        certFile: optionalPath("http.tls.cert_file", raw.http.tls.cert_file),
        keyFile: optionalPath("http.tls.key_file", raw.http.tls.key_file),
        minVersion: raw.http.tls.min_version,
        hsts: raw.http.tls.hsts,
      },
      signatureWindowSeconds: Math.floor(raw.http.signature_window / 1000),
    },
    dns: {
      listen: raw.dns.listen,
      tcpIdleTimeoutMs: raw.dns.tcp_idle_timeout_ms,
      maxTcpConnections: raw.dns.max_tcp_connections,
      workers: raw.dns.workers,
      limits: {
        rrlResponsesPerSecond: raw.dns.limits.rrl_responses_per_second,
        rrlWindowSeconds: raw.dns.limits.rrl_window_seconds,
        rrlSlip: raw.dns.limits.rrl_slip,
        rrlIpv4PrefixLength: raw.dns.limits.rrl_ipv4_prefix_length,
        rrlIpv6PrefixLength: raw.dns.limits.rrl_ipv6_prefix_length,
        rrlTableSize: raw.dns.limits.rrl_table_size,
        rrlExempt: raw.dns.limits.rrl_exempt,
        maxTcpConnectionsPerClient: raw.dns.limits.max_tcp_connections_per_client,
        tcpIpv4PrefixLength: raw.dns.limits.tcp_ipv4_prefix_length,
        tcpIpv6PrefixLength: raw.dns.limits.tcp_ipv6_prefix_length,
        tcpTransferConnections: raw.dns.limits.tcp_transfer_connections,
        tcpLifetimeMs: raw.dns.limits.tcp_lifetime_ms,
        maxTcpQueuedReplies: raw.dns.limits.max_tcp_queued_replies,
        maxMessageBytes: raw.dns.limits.max_message_bytes,
      },
      transfer: {
        allow: raw.dns.transfer.allow,
        keys: raw.dns.transfer.keys,
        notify: raw.dns.transfer.notify,
        notifyKey: raw.dns.transfer.notify_key,
        catalog: raw.dns.transfer.catalog,
        notifyRetries: raw.dns.transfer.notify_retries,
      },
      update: { allowMd5: raw.dns.update.allow_md5, maxFudge: raw.dns.update.max_fudge },
    },
    admin: {
      sessionIdleMs: raw.admin.session_idle,
      sessionLifetimeMs: raw.admin.session_lifetime,
      setup: raw.admin.setup,
    },
    updates: { allowNonGlobal: raw.updates.allow_non_global },
    limits: {
      client: raw.limits.client,
      clientIp: raw.limits.client_ip,
      clientHeartbeat: raw.limits.client_heartbeat,
      credential: raw.limits.credential,
      hostDyndns2: raw.limits.host_dyndns2,
      hostApi: raw.limits.host_api,
      nochgFlag: raw.limits.nochg_flag,
      exempt: raw.limits.exempt,
    },
    history: { maxEntriesPerHost: raw.history.max_entries_per_host, maxAgeMs: raw.history.max_age },
    serverless: {
      route53Zones: raw.serverless.route53_zones,
      route53Endpoint: raw.serverless.route53_endpoint,
      deliveryTimeoutMs: raw.serverless.delivery_timeout,
    },
    pools: {
      nodeName: raw.pools.node_name,
      transitionsMaxAgeMs: raw.pools.transitions_max_age,
      rollupsMaxAgeMs: raw.pools.rollups_max_age,
    },
    acme: {
      enabled: raw.acme.enabled,
      directoryUrl: raw.acme.directory_url,
      email: raw.acme.email,
      names: [...new Set(raw.acme.names)],
      challenge: raw.acme.challenge,
      caFile: raw.acme.ca_file === undefined ? undefined : resolvePath("acme.ca_file", raw.acme.ca_file),
      renewBeforeMs: raw.acme.renew_before,
      keyType: raw.acme.key_type,
    },
    compat: { awsSample: raw.compat.aws_sample },
    demo: { enabled: raw.demo.enabled, zone: raw.demo.zone },
    log: { level: raw.log.level, format: raw.log.format },
    shutdownGraceMs: raw.shutdown_grace_ms,
    source: file === undefined ? {} : { file },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
