import { resolve } from "node:path";
import type { Command } from "commander";
import { formatConfigHelp, type ServerConfig } from "../../config/index.js";
import { createLogger, type Logger } from "../../observability/logger.js";
import { action } from "../action.js";
import { describeStore, readConfig } from "../context.js";
import type { Io } from "../output.js";
import type { Endpoint, Reloaded, RunningServer } from "../serve.js";
import { httpBaseUrl, httpsBaseUrl } from "../urls.js";
import { registerServeInstallService } from "./serve-service.js";

export function registerServe(program: Command): void {
  const serve = program
    .command("serve")
    .description("run the server: HTTP updates (dyndns2, JSON API) and authoritative DNS")
    .option("--help-config", "list every setting with its environment variable and default, then exit")
    .action(
      action(async (io, opts) => {
        if (opts["helpConfig"] === true) return io.out(formatConfigHelp());
        const warnings: string[] = [];
        const config = readConfig(opts, (m) => warnings.push(m));
        const log = createLogger(config.log);
        for (const w of warnings) log.warn(w);
        // Warnings were logged at start; a re-read on SIGHUP only needs the level.
        const running: { server?: RunningServer } = {};
        const stopReloading = reloadOnHangup(
          () => readConfig(opts, () => undefined).log.level,
          () => running.server?.reload(),
          log,
        );
        // Loaded on demand: admin commands should not pay for the HTTP and DNS stacks.
        const { startServer } = await import("../serve.js");
        const server = await startServer(config, log);
        running.server = server;
        log.info(
          {
            http: server.http,
            ...(server.https.length > 0 ? { https: server.https } : {}),
            dns: server.dns,
            store: describeStore(config),
            config: config.source.file,
          },
          "beacon ready",
        );
        const base = config.http.publicUrl ?? httpBaseUrl(config, server.http[0]?.port);
        // With HTTPS the console is there (plain HTTP redirects to it).
        const admin = config.http.publicUrl ?? httpsBaseUrl(config, server.https[0]?.port) ?? base;
        const setupCode = server.setupCode();
        if (setupCode !== undefined) log.info({ setupCode, url: `${admin}/admin/` }, "first-run setup");
        printBanner(
          io,
          server,
          { base, admin, plain: config.http.plain },
          setupCode,
          adminOptions(config, process.cwd()),
        );
        await untilSignal(server, log).finally(stopReloading);
      }),
    );
  registerServeInstallService(serve);
}

/**
 * The global options an admin command run from another terminal needs to find this server's data:
 * `--config` when a file was read, `--data-dir` when it is not the default `./data` here (SQLite only:
 * on PostgreSQL the data is where the URL points, which is never printed). "" when the defaults do.
 * (Paths are absolute, quoted for a POSIX shell when they need it.)
 */
export function adminOptions(config: ServerConfig, cwd: string): string {
  const options: string[] = [];
  if (config.source.file !== undefined) options.push(`--config ${shellWord(config.source.file)}`);
  if (config.store.postgres === undefined && config.dataDir !== resolve(cwd, "data"))
    options.push(`--data-dir ${shellWord(config.dataDir)}`);
  return options.map((o) => ` ${o}`).join("");
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

function printBanner(
  io: Io,
  server: RunningServer,
  urls: { readonly base: string; readonly admin: string; readonly plain: ServerConfig["http"]["plain"] },
  setupCode: string | undefined,
  options: string,
): void {
  const { base, admin, plain } = urls;
  const dns = server.dns[0];
  const at = (list: readonly Endpoint[]) => list.map((e) => `${e.host}:${e.port}`).join(", ");
  const plainServes =
    server.https.length > 0 && plain === "updates"
      ? "dyndns2 /nic/update, your address /ip; the rest redirects to HTTPS"
      : "dyndns2 /nic/update, JSON /api/v1, your address /ip";
  const lines = [
    "Beacon is running.",
    `  HTTP  ${at(server.http)}   (${plainServes})`,
    ...(server.https.length > 0
      ? [`  HTTPS ${at(server.https)}   (dyndns2, JSON /api/v1, the admin console)`]
      : []),
    `  DNS   ${at(server.dns)}   (UDP and TCP, authoritative)`,
    `  Admin ${admin}/admin/`,
  ];
  if (setupCode !== undefined)
    lines.push(
      "",
      "No admin exists yet. Open the admin console and enter this one-time setup code",
      `(or create one with \`npx beacon${options} user add <name>\`):`,
      `  ${setupCode}`,
    );
  if (server.demoZoneCreated !== undefined && dns !== undefined) {
    const host = `home.${server.demoZoneCreated}`;
    lines.push(
      "",
      `Created the demo zone ${server.demoZoneCreated}. Try it from another terminal:`,
      `  npx beacon${options} host add ${host}        # prints a token, once`,
      `  curl -u '${host}:<token>' -A 'demo/1.0' '${base}/nic/update?hostname=${host}&myip=1.2.3.4'`,
      `  dig @${dns.host} -p ${dns.port} ${host} A +norec`,
    );
  }
  lines.push(
    "",
    "Stop with Ctrl-C (SIGINT) or SIGTERM; in-flight requests are drained first. SIGHUP re-reads log.level, the TLS certificate files, TSIG keys and host flags.",
  );
  io.out(lines.join("\n"));
}

/**
 * SIGHUP (a reload request, or the terminal going away) never stops the server: the configuration is
 * read again and its log.level applied; every other setting applies at the next start (docs/cli.md).
 * Once the server runs, what it keeps outside the configuration is read again too (RunningServer
 * reload: the TLS certificate files, the TSIG keyring, the host flags); one line says what.
 */
function reloadOnHangup(
  readLevel: () => string,
  reload: () => Promise<Reloaded> | undefined,
  log: Logger,
): () => void {
  const onHangup = () => {
    let level: string | undefined;
    try {
      level = readLevel();
    } catch (e) {
      log.warn(
        { signal: "SIGHUP", err: e instanceof Error ? e.message : String(e) },
        "SIGHUP: the configuration cannot be read; log.level unchanged",
      );
    }
    const said = (reloaded: Reloaded | undefined) => {
      const what = [
        ...(level === undefined ? [] : ["log.level"]),
        ...(reloaded?.certificate === undefined ? [] : ["the TLS certificate files"]),
        ...(reloaded === undefined ? [] : ["TSIG keys", "host flags"]),
      ];
      // Said before the level changes, so it shows whichever way it goes.
      log.info(
        { signal: "SIGHUP", ...(level === undefined ? {} : { logLevel: level }), ...reloaded },
        `SIGHUP: reloaded ${what.join(", ") || "nothing"}; other settings apply at the next start`,
      );
      if (level !== undefined) log.level = level;
    };
    const running = reload();
    if (running === undefined) said(undefined);
    else void running.then(said);
  };
  process.on("SIGHUP", onHangup);
  return () => process.off("SIGHUP", onHangup);
}

function untilSignal(server: RunningServer, log: { info(o: object, m: string): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info({ signal }, "shutting down: draining requests");
      server.close().then(() => {
        log.info({}, "stopped cleanly");
        resolve();
      }, reject);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
