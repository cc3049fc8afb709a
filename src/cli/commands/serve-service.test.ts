import { Command } from "commander";
import { afterEach, describe, expect, test, vi } from "vitest";
import { parseUnit, splitExecStart } from "../../agent/service/testing/parse.js";
import { installWorld as world } from "../testing/install-world.js";
import { installServerService, registerServeInstallService } from "./serve-service.js";

describe("installServerService", () => {
  test("--dry-run prints the unit with this node and entry and the default config, writes nothing", async () => {
    const w = world();
    await installServerService(w.io, { dryRun: true }, w.deps);
    expect(w.events).toEqual([]);
    const text = w.out.join("\n");
    expect(text).toContain("# /etc/systemd/system/beacon.service (mode 0644)");
    expect(text).toContain(
      "ExecStart=/usr/bin/node /opt/beacon/dist/cli/main.js --config /etc/beacon/beacon.yaml serve",
    );
    expect(text).toContain("$ systemctl restart beacon.service");
    expect(text).toContain("- Dry run: nothing was written");
  });

  test("--dry-run --json: the plan as JSON, paths resolved from the working directory", async () => {
    const w = world();
    await installServerService(
      w.io,
      { dryRun: true, json: true, config: "etc/b.yaml", entry: "dist/cli/main.js", user: "dns" },
      w.deps,
    );
    const doc = JSON.parse(w.out.join("")) as {
      dryRun: boolean;
      files: { path: string; mode: string; content: string }[];
      commands: string[][];
    };
    expect(doc.dryRun).toBe(true);
    expect(doc.files.map((f) => [f.path, f.mode])).toEqual([
      ["/etc/systemd/system/beacon.service", "0644"],
      ["/etc/sysusers.d/beacon.conf", "0644"],
    ]);
    const service = parseUnit(doc.files[0]?.content ?? "").get("Service");
    expect(service?.get("User")).toEqual(["dns"]);
    expect(splitExecStart(service?.get("ExecStart")?.[0] ?? "")).toEqual([
      "/usr/bin/node",
      "/home/op/dist/cli/main.js",
      "--config",
      "/home/op/etc/b.yaml",
      "serve",
    ]);
    expect(doc.commands[0]).toEqual(["systemd-sysusers", "/etc/sysusers.d/beacon.conf"]);
  });

  test("without --dry-run, a non-root user is told to use sudo and nothing happens", async () => {
    const w = world();
    await expect(installServerService(w.io, {}, w.deps)).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/needs root.*sudo/) as string,
    });
    expect(w.events).toEqual([]);
  });

  test("as root: writes both files, creates the account, enables and restarts, in that order", async () => {
    const w = world({ isRoot: () => true });
    await installServerService(w.io, {}, w.deps);
    expect(w.events).toEqual([
      "write /etc/systemd/system/beacon.service 644",
      "write /etc/sysusers.d/beacon.conf 644",
      "run systemd-sysusers /etc/sysusers.d/beacon.conf",
      "run systemctl daemon-reload",
      "run systemctl enable beacon.service",
      "run systemctl restart beacon.service",
    ]);
    expect(w.out.join("\n")).toMatch(/^wrote \/etc\/systemd\/system\/beacon\.service\n/);
    expect(w.out.join("\n")).toContain("note: Its database is in /var/lib/beacon");
  });

  test("a failing command stops the install there and names it", async () => {
    const w = world({ isRoot: () => true }, "systemd-sysusers /etc/sysusers.d/beacon.conf");
    await expect(installServerService(w.io, {}, w.deps)).rejects.toThrow(
      "`systemd-sysusers /etc/sysusers.d/beacon.conf` exited with status 1",
    );
    expect(w.events.at(-1)).toBe("run systemd-sysusers /etc/sysusers.d/beacon.conf");
  });

  test("a missing entry stops a real install; a dry run and a missing config only get a note", async () => {
    const w = world({ isRoot: () => true });
    await expect(installServerService(w.io, { entry: "/missing/main.js" }, w.deps)).rejects.toThrow(
      "--entry: /missing/main.js does not exist",
    );
    expect(w.events).toEqual([]);
    await installServerService(
      w.io,
      { config: "/etc/beacon/none.yaml", entry: "/missing/main.js", dryRun: true },
      w.deps,
    );
    const text = w.out.join("\n");
    expect(text).toContain("- --entry: /missing/main.js does not exist");
    expect(text).toContain("- /etc/beacon/none.yaml does not exist yet");
  });

  test("on macOS it only prints, with the packaged paths flagged as examples", async () => {
    const w = world({ platform: "darwin", isRoot: () => true });
    await expect(installServerService(w.io, {}, w.deps)).rejects.toThrow(
      /systemd unit and this machine runs darwin; add --dry-run/,
    );
    await installServerService(w.io, { dryRun: true }, w.deps);
    const text = w.out.join("\n");
    expect(text).toContain("ExecStart=/usr/bin/node /usr/lib/node_modules/beacon-ddns/dist/cli/main.js");
    expect(text).toContain("- node and Beacon paths are examples");
    expect(w.events).toEqual([]);
  });

  test.each([
    [{ user: "root", dryRun: true }, /--user: the server must not run as root/],
    [{ user: "x;y", dryRun: true }, /--user: "x;y" is not a valid account name/],
    [{ node: "/usr/bin/node ", dryRun: true }, /--node: the path ends with whitespace/],
    [{ config: "/etc/beacon/a\nb.yaml", dryRun: true }, /--config: .* control character/],
  ])("refuses %j", async (opts, message) => {
    const w = world();
    await expect(installServerService(w.io, opts, w.deps)).rejects.toThrow(message);
    expect(w.out).toEqual([]);
  });
});

describe("registerServeInstallService", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  test("`serve install-service --config <file>` reaches the subcommand through the program-wide option", async () => {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const w = world();
    // Mirrors src/cli/program.ts: the program owns -c/--config, serve.ts owns `serve`.
    const p = new Command("beacon").option("-c, --config <file>").exitOverride();
    registerServeInstallService(p.command("serve"), w.deps);
    await p.parseAsync(["serve", "install-service", "--config", "/srv/b.yaml", "--dry-run"], {
      from: "user",
    });
    expect(stdout.mock.calls.map((c) => String(c[0])).join("")).toContain("--config /srv/b.yaml serve");
    expect(process.exitCode ?? 0).toBe(0);
  });
});
