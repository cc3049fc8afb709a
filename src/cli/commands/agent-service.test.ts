import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, test, vi } from "vitest";
import { parseUnit } from "../../agent/service/testing/parse.js";
import { installWorld as world } from "../testing/install-world.js";
import {
  installService,
  processInstallDeps,
  registerInstallService,
  type InstallServiceDeps,
} from "./agent-service.js";

describe("installService", () => {
  test("--dry-run prints the unit with the config resolved from the working directory, writes nothing", async () => {
    const w = world();
    await installService(w.io, { platform: "linux", config: "cfg/agent.yaml", dryRun: true }, w.deps);
    expect(w.events).toEqual([]);
    const text = w.out.join("\n");
    expect(text).toContain("# /etc/systemd/system/beacon-agent.service (mode 0644)");
    expect(text).toContain(
      "ExecStart=/usr/bin/node /opt/beacon/dist/cli/main.js agent --config /home/op/cfg/agent.yaml",
    );
    expect(text).toContain("$ systemctl daemon-reload");
    expect(text).toMatch(/# notes\n- /);
  });

  test("--dry-run --json prints the plan as JSON with octal modes", async () => {
    const w = world();
    await installService(
      w.io,
      { platform: "linux", config: "/etc/beacon/agent.yaml", dryRun: true, json: true, user: "beacon" },
      w.deps,
    );
    const doc = JSON.parse(w.out.join("")) as {
      dryRun: boolean;
      files: { path: string; mode: string; content: string }[];
      commands: string[][];
    };
    expect(doc.dryRun).toBe(true);
    expect(doc.files.map((f) => f.mode)).toEqual(["0644", "0644"]);
    expect(
      parseUnit(doc.files[0]?.content ?? "")
        .get("Service")
        ?.get("User"),
    ).toEqual(["beacon"]);
    expect(doc.commands[0]).toEqual(["systemd-sysusers", "/etc/sysusers.d/beacon-agent.conf"]);
  });

  test("without --dry-run on Linux, a non-root user is told to use sudo and nothing happens", async () => {
    const w = world();
    await expect(
      installService(w.io, { platform: "linux", config: "/etc/beacon/agent.yaml" }, w.deps),
    ).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/needs root.*sudo/) as string,
    });
    expect(w.events).toEqual([]);
  });

  test("as root it writes the unit and runs systemctl, then reports both", async () => {
    const w = world({ isRoot: () => true });
    await installService(w.io, { platform: "linux", config: "/etc/beacon/agent.yaml" }, w.deps);
    expect(w.events).toEqual([
      "write /etc/systemd/system/beacon-agent.service 644",
      "run systemctl daemon-reload",
      "run systemctl enable beacon-agent.service",
      "run systemctl restart beacon-agent.service",
    ]);
    expect(w.out.join("\n")).toMatch(
      /^wrote \/etc\/systemd\/system\/beacon-agent\.service\nran {3}systemctl daemon-reload/,
    );
  });

  test("another platform can only be printed, with example paths flagged", async () => {
    const w = world({ isRoot: () => true });
    await expect(
      installService(w.io, { platform: "win32", config: "C:\\ProgramData\\Beacon\\agent.yaml" }, w.deps),
    ).rejects.toThrow(/this machine runs linux; add --dry-run/);
    await installService(
      w.io,
      { platform: "win32", config: "C:\\ProgramData\\Beacon\\agent.yaml", dryRun: true },
      w.deps,
    );
    const text = w.out.join("\n");
    expect(text).toContain("> schtasks.exe /Create /TN BeaconAgent");
    expect(text).toContain("paths are examples for win32");
    expect(w.events).toEqual([]);
  });

  test("a missing entry stops a real install; a dry run and a missing config only get a note", async () => {
    const w = world({ isRoot: () => true });
    await expect(
      installService(
        w.io,
        { platform: "linux", config: "/etc/beacon/agent.yaml", entry: "/missing/main.js" },
        w.deps,
      ),
    ).rejects.toThrow("--entry: /missing/main.js does not exist");
    expect(w.events).toEqual([]);
    await installService(
      w.io,
      { platform: "linux", config: "/etc/beacon/none.yaml", entry: "/missing/main.js", dryRun: true },
      w.deps,
    );
    const text = w.out.join("\n");
    expect(text).toContain("- --entry: /missing/main.js does not exist");
    expect(text).toContain("- /etc/beacon/none.yaml does not exist yet");
  });

  test.each([
    [{ platform: "linux", dryRun: true }, /--config <path> is required/],
    [{ platform: "plan9", config: "/a", dryRun: true }, /--platform: "plan9"/],
    [{ platform: "linux", config: "/a", user: "root", dryRun: true }, /must not run as root/],
  ])("refuses %j", async (opts, message) => {
    const w = world();
    await expect(installService(w.io, opts, w.deps)).rejects.toThrow(message);
  });
});

describe("registerInstallService", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  function program(deps: InstallServiceDeps) {
    // Mirrors src/cli/main.ts: the program owns -c/--config, another module owns `agent`.
    const p = new Command("beacon").option("-c, --config <file>").exitOverride();
    registerInstallService(p.command("agent"), deps);
    return p;
  }

  test("--config after the subcommand reaches it (through the program-wide option)", async () => {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const w = world();
    await program(w.deps).parseAsync(
      [
        "agent",
        "install-service",
        "--config",
        "/etc/beacon/agent.yaml",
        "--dry-run",
        "--secret-file",
        "/etc/beacon/a,b",
      ],
      { from: "user" },
    );
    const text = stdout.mock.calls.map((c) => String(c[0])).join("");
    expect(text).toContain("--config /etc/beacon/agent.yaml");
    expect(text).toContain("LoadCredential=a_b:/etc/beacon/a,b");
    expect(process.exitCode ?? 0).toBe(0);
  });

  test("not root without --dry-run: message on stderr and exit status 1", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const w = world();
    await program(w.deps).parseAsync(["agent", "install-service", "-c", "/etc/beacon/agent.yaml"], {
      from: "user",
    });
    expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(/needs root.*\[forbidden\]/);
    expect(process.exitCode).toBe(1);
    expect(w.events).toEqual([]);
  });
});

describe("processInstallDeps", () => {
  test("writeFile creates parent folders and leaves exactly the mode asked for, also on rewrite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "beacon-install-"));
    try {
      const file = join(dir, "etc", "beacon", "unit");
      await processInstallDeps.writeFile(file, "one", 0o600);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      await processInstallDeps.writeFile(file, "two", 0o644);
      expect(statSync(file).mode & 0o777).toBe(0o644);
      expect(readFileSync(file, "utf8")).toBe("two");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("run resolves with the exit status and rejects when the program is missing", async () => {
    expect(await processInstallDeps.run(["sh", "-c", "exit 0"])).toBe(0);
    expect(await processInstallDeps.run(["sh", "-c", "exit 3"])).toBe(3);
    await expect(processInstallDeps.run(["/nonexistent/beacon-test-cmd"])).rejects.toThrow(/cannot run/);
  });
});
