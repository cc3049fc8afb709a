import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { parseUnit, splitExecStart } from "../../agent/service/testing/parse.js";
import {
  PACKAGED_PATHS,
  planServerInstall,
  serverSysusers,
  serverUnit,
  type ServerServiceOptions,
} from "./service-unit.js";

const base: ServerServiceOptions = PACKAGED_PATHS;

function service(opts: ServerServiceOptions = base): Map<string, string[]> {
  const s = parseUnit(serverUnit(opts)).get("Service");
  if (s === undefined) throw new Error("no [Service] section");
  return s;
}

const one = (s: Map<string, string[]>, key: string) => {
  const v = s.get(key);
  expect(v, key).toHaveLength(1);
  return v?.[0];
};

describe("serverUnit", () => {
  test("has the three sections and starts after the network is online", () => {
    const unit = parseUnit(serverUnit(base));
    expect([...unit.keys()]).toEqual(["Unit", "Service", "Install"]);
    expect(unit.get("Unit")?.get("After")).toEqual(["network-online.target"]);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
  });

  test.each([
    ["Type", "exec"],
    ["ExecReload", "/bin/kill -HUP $MAINPID"],
    ["Restart", "on-failure"],
    ["RestartPreventExitStatus", "78"],
    ["User", "beacon"],
    ["Group", "beacon"],
    ["StateDirectory", "beacon"],
    ["StateDirectoryMode", "0700"],
    ["Environment", "BEACON_DATA_DIR=/var/lib/beacon"],
    ["WorkingDirectory", "/var/lib/beacon"],
    ["ConfigurationDirectory", "beacon"],
    ["UMask", "0077"],
    ["LimitNOFILE", "65536"],
    ["AmbientCapabilities", "CAP_NET_BIND_SERVICE"],
    ["CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"],
    ["NoNewPrivileges", "yes"],
    ["ProtectSystem", "strict"],
    ["ProtectHome", "yes"],
    ["PrivateTmp", "yes"],
    ["PrivateDevices", "yes"],
    ["ProtectKernelTunables", "yes"],
    ["ProtectKernelModules", "yes"],
    ["ProtectKernelLogs", "yes"],
    ["ProtectControlGroups", "yes"],
    ["ProtectClock", "yes"],
    ["ProtectHostname", "yes"],
    ["RestrictNamespaces", "yes"],
    ["RestrictRealtime", "yes"],
    ["RestrictSUIDSGID", "yes"],
    ["LockPersonality", "yes"],
    ["MemoryDenyWriteExecute", "no"],
    ["SystemCallArchitectures", "native"],
    ["SystemCallErrorNumber", "EPERM"],
    ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"],
  ])("[Service] %s=%s", (key, value) => {
    expect(one(service(), key)).toBe(value);
  });

  test("filters system calls to an ordinary service's, minus privileged and resource ones", () => {
    expect(service().get("SystemCallFilter")).toEqual(["@system-service", "~@privileged @resources"]);
  });

  test("the data_dir the server uses is the state directory", () => {
    const s = service();
    expect(one(s, "Environment")).toBe(`BEACON_DATA_DIR=/var/lib/${one(s, "StateDirectory")}`);
  });

  test("runs `<node> <entry> --config <file> serve`", () => {
    expect(splitExecStart(one(service(), "ExecStart") ?? "")).toEqual([
      base.nodePath,
      base.entryPath,
      "--config",
      base.configPath,
      "serve",
    ]);
  });

  test.each([
    ["spaces and %", "/etc/beacon files/100% beacon.yaml"],
    ["a dollar", "/etc/be$HOME/beacon.yaml"],
    ["quotes and a backslash", `/etc/a"b'c\\d.yaml`],
  ])("a config path with %s survives systemd's parsing", (_why, configPath) => {
    expect(splitExecStart(one(service({ ...base, configPath }), "ExecStart") ?? "")[3]).toBe(configPath);
  });

  test("node under a home directory relaxes ProtectHome to read-only instead of hiding it", () => {
    expect(one(service({ ...base, nodePath: "/home/op/.nvm/node" }), "ProtectHome")).toBe("read-only");
  });

  test.each<[string, Partial<ServerServiceOptions>, RegExp]>([
    ["root", { user: "root" }, /--user: the server must not run as root/],
    ["uid 0", { user: "0" }, /must not run as root/],
    ["a user with a space", { user: "bea con" }, /--user: .* not a valid account name/],
    ["a user with a newline", { user: "beacon\nUser=root" }, /--user/],
    ["a relative config", { configPath: "beacon.yaml" }, /--config: .* not an absolute path/],
    ["a config with a newline", { configPath: "/etc/b\n[Service]" }, /--config: .* control character/],
    ["an entry with ..", { entryPath: "/opt/../main.js" }, /--entry: .* not normalized/],
    ["an empty node", { nodePath: "" }, /--node: the path is empty/],
  ])("refuses %s", (_why, extra, message) => {
    const render = () => serverUnit({ ...base, ...extra });
    expect(render).toThrow(BeaconError);
    expect(render).toThrow(message);
    expect(() => planServerInstall({ ...base, ...extra })).toThrow(message);
  });
});

describe("planServerInstall", () => {
  test("writes the unit and the account, creates the account, then enables and restarts", () => {
    const plan = planServerInstall({ ...base, user: "dns" });
    expect(plan.files.map((f) => [f.path, f.mode])).toEqual([
      ["/etc/systemd/system/beacon.service", 0o644],
      ["/etc/sysusers.d/beacon.conf", 0o644],
    ]);
    expect(plan.files[1]?.content).toBe(serverSysusers("dns"));
    expect(serverSysusers("dns")).toContain('u dns - "Beacon dynamic DNS server" /var/lib/beacon\n');
    expect(plan.commands).toEqual([
      ["systemd-sysusers", "/etc/sysusers.d/beacon.conf"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "beacon.service"],
      ["systemctl", "restart", "beacon.service"],
    ]);
  });

  test("tells how to run admin commands as the service's account, on its database", () => {
    const notes = planServerInstall(base).notes.join("\n");
    expect(notes).toContain(
      `sudo -u beacon ${base.nodePath} ${base.entryPath} --config /etc/beacon/beacon.yaml --data-dir /var/lib/beacon user add`,
    );
    expect(notes).toContain("chgrp beacon /etc/beacon/beacon.yaml && chmod 0640 /etc/beacon/beacon.yaml");
  });
});

test("deploy/systemd/beacon.service is the unit install-service writes with the packaged paths", () => {
  const packaged = readFileSync(new URL("../../../deploy/systemd/beacon.service", import.meta.url), "utf8");
  // On a mismatch, regenerate it after `npm run build`:
  // node --input-type=module -e 'import {serverUnit,PACKAGED_PATHS} from "./dist/cli/serve/service-unit.js";
  //   process.stdout.write(serverUnit(PACKAGED_PATHS))' > deploy/systemd/beacon.service
  expect(packaged).toBe(serverUnit(PACKAGED_PATHS));
});

// systemd-analyze checks the unit as systemd itself reads it. There is no systemd as PID 1 here, so
// the unit is never started: these prove it parses and how much its sandbox exposes, not that it runs.
const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" }).status === 0;
if (!analyze) {
  const why = '"systemd-analyze" not found: install Debian package systemd';
  if (process.env["BEACON_REQUIRE_PEERS"] === "1") throw new Error(`BEACON_REQUIRE_PEERS=1 but ${why}`);
  console.warn(`\n!!! SKIPPING systemd-analyze checks of beacon.service: ${why}\n`);
}

describe.skipIf(!analyze)("systemd-analyze", () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "beacon-serve-unit-")));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // verify checks that ExecStart's binary exists: point it at this node and a stand-in entry.
  const entryPath = join(dir, "dist dir", "main.js");
  mkdirSync(join(dir, "dist dir"));
  writeFileSync(entryPath, "");
  const file = join(dir, "beacon.service");
  writeFileSync(file, serverUnit({ ...base, nodePath: realpathSync(process.execPath), entryPath }));

  test("verify: no warnings", () => {
    const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("security --offline: overall exposure 1.5 or less (1.4 OK when written)", () => {
    const r = spawnSync("systemd-analyze", ["security", "--offline=true", file], { encoding: "utf8" });
    const level = /Overall exposure level for beacon\.service: ([\d.]+)/.exec(r.stdout + r.stderr)?.[1];
    expect(level, r.stdout + r.stderr).toBeDefined();
    expect(Number(level)).toBeLessThanOrEqual(1.5);
  });
});
