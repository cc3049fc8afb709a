import { describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import {
  applyInstall,
  planInstall,
  SYSTEMD_UNIT_PATH,
  SYSUSERS_PATH,
  type InstallDeps,
  type InstallPlan,
} from "./install.js";
import { parsePlist, parseUnit } from "./testing/parse.js";

const posix = {
  nodePath: "/usr/bin/node",
  entryPath: "/usr/lib/node_modules/beacon-ddns/dist/cli/main.js",
  configPath: "/etc/beacon/agent.yaml",
};
const win = {
  nodePath: "C:\\Program Files\\nodejs\\node.exe",
  entryPath: "C:\\Program Files\\Beacon\\dist\\cli\\main.js",
  configPath: "C:\\ProgramData\\Beacon\\agent.yaml",
};

describe("planInstall: linux", () => {
  test("dynamic user: the unit file, then reload, enable and (re)start", () => {
    const plan = planInstall({ ...posix, platform: "linux", dryRun: false });
    expect(plan.platform).toBe("linux");
    expect(plan.files.map((f) => [f.path, f.mode])).toEqual([[SYSTEMD_UNIT_PATH, 0o644]]);
    expect(
      parseUnit(plan.files[0]?.content ?? "")
        .get("Service")
        ?.get("DynamicUser"),
    ).toEqual(["yes"]);
    expect(plan.commands).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "beacon-agent.service"],
      ["systemctl", "restart", "beacon-agent.service"],
    ]);
    expect(plan.notes.join("\n")).toMatch(/dynamic user.*readable by any user/);
    expect(plan.notes.join("\n")).not.toMatch(/Dry run/);
  });

  test("a named user: sysusers entry created before the service starts", () => {
    const plan = planInstall({ ...posix, user: "beacon", platform: "linux", dryRun: false });
    expect(plan.files.map((f) => [f.path, f.mode])).toEqual([
      [SYSTEMD_UNIT_PATH, 0o644],
      [SYSUSERS_PATH, 0o644],
    ]);
    expect(plan.files[1]?.content).toContain("u beacon -");
    expect(plan.commands[0]).toEqual(["systemd-sysusers", SYSUSERS_PATH]);
    expect(plan.notes.join("\n")).toContain("chgrp beacon /etc/beacon/agent.yaml && chmod 0640");
  });

  test("a state directory outside /var/lib is created for the user before systemctl runs", () => {
    const plan = planInstall({
      ...posix,
      user: "beacon",
      stateDir: "/srv/beacon",
      platform: "linux",
      dryRun: false,
    });
    expect(plan.commands.slice(0, 2)).toEqual([
      ["systemd-sysusers", SYSUSERS_PATH],
      ["install", "-d", "-o", "beacon", "-g", "beacon", "-m", "0700", "/srv/beacon"],
    ]);
  });

  test("secret files: the note says where each one appears", () => {
    const plan = planInstall({
      ...posix,
      secretFiles: ["/etc/beacon/token"],
      platform: "linux",
      dryRun: true,
    });
    expect(plan.notes).toContain(
      "Secret /etc/beacon/token reaches the agent as /run/credentials/beacon-agent.service/token: point its *_FILE setting there.",
    );
    expect(plan.notes.at(-1)).toMatch(/^Dry run: nothing was written/);
  });
});

describe("planInstall: darwin", () => {
  test("the plist in /Library/LaunchDaemons, log folder, unload-then-bootstrap", () => {
    const plan = planInstall({ ...posix, user: "_beacon", platform: "darwin", dryRun: false });
    expect(plan.files.map((f) => [f.path, f.mode])).toEqual([
      ["/Library/LaunchDaemons/dev.beacon.agent.plist", 0o644],
    ]);
    expect((parsePlist(plan.files[0]?.content ?? "") as Record<string, unknown>)["UserName"]).toBe("_beacon");
    expect(plan.commands).toEqual([
      ["mkdir", "-p", "/Library/Logs/Beacon"],
      ["chown", "_beacon", "/Library/Logs/Beacon"],
      ["mkdir", "-p", "/Library/Application Support/Beacon"],
      ["chown", "_beacon", "/Library/Application Support/Beacon"],
      ["/bin/sh", "-c", "launchctl bootout system/dev.beacon.agent 2>/dev/null || true"],
      ["launchctl", "enable", "system/dev.beacon.agent"],
      ["launchctl", "bootstrap", "system", "/Library/LaunchDaemons/dev.beacon.agent.plist"],
    ]);
  });

  test("without a user it warns that the agent runs as root", () => {
    const plan = planInstall({ ...posix, platform: "darwin", dryRun: false });
    expect(plan.commands.some((c) => c[0] === "chown")).toBe(false);
    expect(plan.notes[0]).toMatch(/runs as root/);
  });
});

describe("planInstall: win32", () => {
  test("no files; the scheduled task commands; the sc.exe form in the notes", () => {
    const plan = planInstall({ ...win, platform: "win32", dryRun: false });
    expect(plan.files).toEqual([]);
    expect(plan.commands.map((c) => c.slice(0, 2))).toEqual([
      ["schtasks.exe", "/Create"],
      ["powershell.exe", "-NoProfile"],
      ["schtasks.exe", "/Run"],
    ]);
    expect(plan.notes.some((n) => n.startsWith("sc.exe create BeaconAgent binPath= "))).toBe(true);
  });
});

describe("planInstall: refusals", () => {
  test.each([["freebsd"], ["aix"], ["android"]] as const)("%s is not a service platform", (platform) => {
    const run = () => planInstall({ ...posix, platform, dryRun: true });
    expect(run).toThrow(BeaconError);
    expect(run).toThrow(`not ${platform}`);
  });

  test("a Windows path for linux, and a POSIX path for win32, are refused", () => {
    expect(() => planInstall({ ...win, platform: "linux", dryRun: true })).toThrow(/--node: /);
    expect(() => planInstall({ ...posix, platform: "win32", dryRun: true })).toThrow(/--node: /);
  });
});

function fakes(failOn?: string) {
  const events: string[] = [];
  const modes = new Map<string, number>();
  const deps: InstallDeps = {
    writeFile(path, _content, mode) {
      events.push(`write ${path}`);
      modes.set(path, mode);
      return Promise.resolve();
    },
    run(argv) {
      events.push(`run ${argv.join(" ")}`);
      return Promise.resolve(argv.join(" ") === failOn ? 3 : 0);
    },
  };
  return { deps, events, modes };
}

const plan: InstallPlan = {
  platform: "linux",
  files: [
    { path: "/etc/a.service", content: "a", mode: 0o644 },
    { path: "/etc/beacon/secret", content: "s", mode: 0o600 },
  ],
  commands: [["first"], ["second", "x"], ["third"]],
  notes: [],
};

describe("applyInstall", () => {
  test("writes every file with its mode, then runs the commands in order", async () => {
    const f = fakes();
    const result = await applyInstall(plan, f.deps);
    expect(f.events).toEqual([
      "write /etc/a.service",
      "write /etc/beacon/secret",
      "run first",
      "run second x",
      "run third",
    ]);
    expect(f.modes.get("/etc/a.service")).toBe(0o644);
    expect(f.modes.get("/etc/beacon/secret")).toBe(0o600);
    expect(result).toEqual({
      written: ["/etc/a.service", "/etc/beacon/secret"],
      ran: [["first"], ["second", "x"], ["third"]],
    });
  });

  test("stops at the first failing command and names it with its status", async () => {
    const f = fakes("second x");
    await expect(applyInstall(plan, f.deps)).rejects.toThrow("`second x` exited with status 3");
    expect(f.events.at(-1)).toBe("run second x");
    expect(f.events).not.toContain("run third");
  });

  test("a real linux plan runs systemctl after writing the unit", async () => {
    const f = fakes();
    await applyInstall(planInstall({ ...posix, platform: "linux", dryRun: false }), f.deps);
    expect(f.events).toEqual([
      `write ${SYSTEMD_UNIT_PATH}`,
      "run systemctl daemon-reload",
      "run systemctl enable beacon-agent.service",
      "run systemctl restart beacon-agent.service",
    ]);
  });
});
