import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import type { ServiceOptions } from "./options.js";
import { sysusersConf, systemdUnit } from "./systemd.js";
import { parseUnit, splitExecStart, unescapeSpecifiers } from "./testing/parse.js";

const base: ServiceOptions = {
  nodePath: "/usr/bin/node",
  entryPath: "/usr/lib/node_modules/beacon-ddns/dist/cli/main.js",
  configPath: "/etc/beacon/agent.yaml",
};

function service(opts: ServiceOptions): Map<string, string[]> {
  const s = parseUnit(systemdUnit(opts)).get("Service");
  if (s === undefined) throw new Error("no [Service] section");
  return s;
}

const one = (s: Map<string, string[]>, key: string) => {
  const v = s.get(key);
  expect(v, key).toHaveLength(1);
  return v?.[0];
};

describe("systemdUnit", () => {
  test("has exactly the three sections, ordered after the network being online", () => {
    const unit = parseUnit(systemdUnit(base));
    expect([...unit.keys()]).toEqual(["Unit", "Service", "Install"]);
    expect(unit.get("Unit")?.get("After")).toEqual(["network-online.target"]);
    expect(unit.get("Unit")?.get("Wants")).toEqual(["network-online.target"]);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
  });

  test.each([
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
    ["ProtectProc", "invisible"],
    ["RestrictNamespaces", "yes"],
    ["RestrictRealtime", "yes"],
    ["RestrictSUIDSGID", "yes"],
    ["LockPersonality", "yes"],
    ["RemoveIPC", "yes"],
    ["PrivateMounts", "yes"],
    ["MemoryDenyWriteExecute", "no"],
    ["SystemCallArchitectures", "native"],
    ["SystemCallErrorNumber", "EPERM"],
    ["CapabilityBoundingSet", ""],
    ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX AF_NETLINK"],
    ["Restart", "on-failure"],
    ["RestartPreventExitStatus", "78"],
    ["DynamicUser", "yes"],
    ["StateDirectory", "beacon"],
    ["StateDirectoryMode", "0700"],
    ["ConfigurationDirectory", "beacon"],
    ["WorkingDirectory", "/var/lib/beacon"],
    ["UMask", "0077"],
  ])("[Service] %s=%s", (key, value) => {
    expect(one(service(base), key)).toBe(value);
  });

  test("filters system calls to an ordinary service's set, minus privileged ones", () => {
    expect(service(base).get("SystemCallFilter")).toEqual(["@system-service", "~@privileged"]);
  });

  test("says in the file why MemoryDenyWriteExecute is off", () => {
    const lines = systemdUnit(base).split("\n");
    const at = lines.indexOf("MemoryDenyWriteExecute=no");
    const comment = lines.slice(at - 2, at).join(" ");
    expect(comment).toMatch(/^# .*V8 JIT/);
    expect(comment).toContain("MemoryDenyWriteExecute=yes");
  });

  test("runs node on the entry with absolute paths: agent --config <path>", () => {
    expect(splitExecStart(one(service(base), "ExecStart") ?? "")).toEqual([
      base.nodePath,
      base.entryPath,
      "agent",
      "--config",
      base.configPath,
    ]);
  });

  test("a config path with spaces and % is quoted and the % doubled", () => {
    const configPath = "/etc/beacon files/100% agent.yaml";
    const exec = one(service({ ...base, configPath }), "ExecStart") ?? "";
    expect(exec).toContain('"/etc/beacon files/100%% agent.yaml"');
    expect(splitExecStart(exec).at(-1)).toBe(configPath);
  });

  test.each([
    ["dollar", "/opt/be$HOME/main.js"],
    ["braced dollar", "/opt/${USER}/main.js"],
    ["double quote", '/opt/a"b/main.js'],
    ["backslash", "/opt/a\\b/main.js"],
    ["single quote", "/opt/it's/main.js"],
    ["semicolon word", "/opt/x ; y/main.js"],
    ["specifier-like", "/opt/%h/%i/main.js"],
    ["tab-free unicode", "/opt/bëacon ☃/main.js"],
  ])("an entry path with a %s survives systemd's parsing unchanged", (_why, entryPath) => {
    expect(splitExecStart(one(service({ ...base, entryPath }), "ExecStart") ?? "")[1]).toBe(entryPath);
  });

  test("a named user runs as User=/Group= instead of a dynamic user", () => {
    const s = service({ ...base, user: "beacon" });
    expect(one(s, "User")).toBe("beacon");
    expect(one(s, "Group")).toBe("beacon");
    expect(s.has("DynamicUser")).toBe(false);
    expect(one(service({ ...base, user: "beacon", group: "dns" }), "Group")).toBe("dns");
  });

  test("a status port below 1024 keeps only CAP_NET_BIND_SERVICE; 1024 and above keep nothing", () => {
    const low = service({ ...base, statusPort: 80 });
    expect(one(low, "CapabilityBoundingSet")).toBe("CAP_NET_BIND_SERVICE");
    expect(one(low, "AmbientCapabilities")).toBe("CAP_NET_BIND_SERVICE");
    const high = service({ ...base, statusPort: 1024 });
    expect(one(high, "CapabilityBoundingSet")).toBe("");
    expect(high.has("AmbientCapabilities")).toBe(false);
  });

  test("secret files become credentials with unique ids; % in their path doubled, spaces literal", () => {
    const s = service({
      ...base,
      secretFiles: ["/etc/beacon/token", "/srv/other/token", "/etc/beacon/50% api key"],
    });
    const creds = s.get("LoadCredential") ?? [];
    expect(creds).toEqual([
      "token:/etc/beacon/token",
      "token-2:/srv/other/token",
      "50__api_key:/etc/beacon/50%% api key",
    ]);
    const [, source] = (creds[2] ?? "").split(/:(.*)/);
    expect(unescapeSpecifiers(source ?? "")).toBe("/etc/beacon/50% api key");
  });

  test("no secret files, no LoadCredential", () => {
    expect(service(base).has("LoadCredential")).toBe(false);
  });

  test("a state directory under /var/lib uses StateDirectory=; elsewhere ReadWritePaths= with a user", () => {
    const under = service({ ...base, stateDir: "/var/lib/beacon agent" });
    expect(one(under, "StateDirectory")).toBe('"beacon agent"');
    expect(under.has("ReadWritePaths")).toBe(false);
    const elsewhere = service({ ...base, user: "beacon", stateDir: "/srv/beacon" });
    expect(one(elsewhere, "ReadWritePaths")).toBe("/srv/beacon");
    expect(one(elsewhere, "WorkingDirectory")).toBe("/srv/beacon");
    expect(elsewhere.has("StateDirectory")).toBe(false);
    expect(one(service({ ...base, stateDir: "/var/lib/be%acon" }), "WorkingDirectory")).toBe(
      "/var/lib/be%%acon",
    );
  });

  test("paths under a home directory relax ProtectHome to read-only instead of hiding them", () => {
    expect(one(service({ ...base, configPath: "/home/pi/beacon.yaml" }), "ProtectHome")).toBe("read-only");
    expect(one(service({ ...base, nodePath: "/root/.nvm/node" }), "ProtectHome")).toBe("read-only");
    expect(one(service({ ...base, configPath: "/homestead/beacon.yaml" }), "ProtectHome")).toBe("yes");
  });

  test.each<[string, Partial<ServiceOptions>, RegExp]>([
    ["relative node", { nodePath: "node" }, /--node: .* not an absolute/],
    ["relative config", { configPath: "agent.yaml" }, /--config: .* not an absolute/],
    ["newline in config", { configPath: "/etc/a\nExecStartPre=/bin/sh" }, /--config: .*control character/],
    ["un-normalized entry", { entryPath: "/opt/../main.js" }, /--entry: .*normalized/],
    ["double slash", { entryPath: "/opt//main.js" }, /--entry: .*normalized/],
    ["trailing space", { configPath: "/etc/beacon.yaml " }, /--config: .*whitespace/],
    ["relative secret", { secretFiles: ["token"] }, /--secret-file: .*absolute/],
    ["root user", { user: "root" }, /--user: the agent must not run as root/],
    ["user with a space", { user: "bea con" }, /--user: .*not a valid account name/],
    ["group without user", { group: "dns" }, /--group needs --user/],
    ["port 0", { statusPort: 0 }, /--status-port: 0/],
    ["port 70000", { statusPort: 70000 }, /--status-port: 70000/],
    ["state outside /var/lib, dynamic user", { stateDir: "/srv/beacon" }, /--state-dir: .*give --user/],
  ])("rejects %s", (_why, bad, message) => {
    const run = () => systemdUnit({ ...base, ...bad });
    expect(run).toThrow(BeaconError);
    expect(run).toThrow(message);
  });
});

describe("sysusersConf", () => {
  test("creates the user with the state directory as home", () => {
    expect(
      sysusersConf({ ...base, user: "beacon" })
        .split("\n")
        .filter((l) => !l.startsWith("#")),
    ).toEqual(['u beacon - "Beacon dynamic DNS agent" /var/lib/beacon', ""]);
  });

  test("a separate group is created and the user added to it", () => {
    const lines = sysusersConf({ ...base, user: "beacon", group: "dns" }).split("\n");
    expect(lines).toContain("g dns -");
    expect(lines).toContain("m beacon dns");
  });
});

// systemd-analyze is optional: where it exists, systemd itself checks the generated units.
const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" }).status === 0;
if (!analyze)
  console.warn(
    "\n*** systemd-analyze not found: SKIPPING `systemd-analyze verify` of the generated units ***\n",
  );

describe.skipIf(!analyze)("systemd-analyze verify", () => {
  const dir = mkdtempSync(join(tmpdir(), "beacon-unit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const entryPath = join(realpathSync(dir), "dist dir", "main.js");
  const node = realpathSync(process.execPath);

  test.each<[string, Partial<ServiceOptions>]>([
    ["defaults (dynamic user)", {}],
    ["named user, low port, secrets", { user: "beacon", statusPort: 80, secretFiles: ["/etc/beacon/t 1"] }],
    ["% and spaces in the config path", { configPath: "/etc/beacon dir/100%Z agent.yaml" }],
    ["state outside /var/lib", { user: "beacon", stateDir: "/srv/beacon state" }],
  ])("%s: no warnings", (_name, extra) => {
    execFileSync("mkdir", ["-p", join(realpathSync(dir), "dist dir")]);
    writeFileSync(entryPath, "");
    const file = join(dir, "beacon-agent.service");
    writeFileSync(file, systemdUnit({ ...base, nodePath: node, entryPath, ...extra }));
    const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("systemd-analyze rates the sandbox OK (exposure below 2.5)", () => {
    const file = join(dir, "beacon-agent.service");
    writeFileSync(file, systemdUnit({ ...base, nodePath: node, entryPath }));
    const r = spawnSync("systemd-analyze", ["security", "--offline=yes", "--threshold=25", file], {
      encoding: "utf8",
    });
    const level = /exposure level for beacon-agent\.service: ([\d.]+)/.exec(r.stdout + r.stderr);
    expect(Number(level?.[1])).toBeLessThan(2.5);
    expect(r.status).toBe(0);
  });
});
