import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { AGENT_REGISTRIES, loadAgentConfigWith } from "../config/index.js";
import { assembleAgent, type AssembleDeps } from "../loop/assemble.js";
import { failed } from "../detect/observe.js";
import type { SourceDefinition } from "../detect/types.js";
import { createRunCommand } from "../system/run-command.js";
import type { RunCommand } from "../system/types.js";
import { fakeDns, fakeInterfaces } from "../testing/fakes.js";
import { assembleForCheck } from "./check-assembly.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A future source type that spawns through its deps but forgot `runsProgram`. */
const unmarked: SourceDefinition<{ argv: string[] }> = {
  type: "spawner",
  description: "test",
  settings: z.strictObject({ argv: z.array(z.string()) }),
  create: (id, s, deps) => ({
    id,
    operator: id,
    families: [4],
    observe: async () => {
      try {
        const r = await deps.runCommand(s.argv, { env: {}, signal: AbortSignal.timeout(5_000) });
        return failed("command_failed", `exit ${r.code}`);
      } catch (e) {
        return failed("command_failed", e instanceof Error ? e.message : String(e));
      }
    },
  }),
};

function setup(spawns: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "beacon-check-"));
  dirs.push(dir);
  const marker = join(dir, "ran");
  const sh = `["/bin/sh", "-c", "echo ran > ${marker}; echo 81.2.69.160"]`;
  const yaml = [
    "sources:",
    `  cmd: { type: command, argv: ${sh} }`,
    `  future: { type: spawner, argv: ${sh} }`,
    "targets:",
    "  t: { type: beacon, url: http://beacon.test, token: tk_abc.defghijklmnopqrstuvwxyz012345 }",
    "records:",
    "  - { name: home.example.com, type: A, target: t, sources: [cmd, future], quorum: 1 }",
  ].join("\n");
  const file = join(dir, "agent.yaml");
  const config = loadAgentConfigWith(
    { file, env: {}, flags: {}, cwd: dir, readFile: () => yaml },
    { ...AGENT_REGISTRIES, sources: new Map([...AGENT_REGISTRIES.sources, ["spawner", unmarked]]) },
  );
  const real = createRunCommand();
  const runCommand: RunCommand = (argv, o) => {
    spawns.push(argv.join(" "));
    return real(argv, o);
  };
  const deps: AssembleDeps = {
    httpRequest: () => Promise.reject(new Error("no network")),
    dnsQuery: fakeDns().query,
    readInterfaces: fakeInterfaces().read,
    runCommand,
    clock: () => 0,
    userAgent: "test",
  };
  return { config, deps, marker };
}

describe("assembleForCheck", () => {
  test("a marked source is a 'not run in a check' stand-in; an unmarked one that spawns through its deps fails closed", async () => {
    const spawns: string[] = [];
    const { config, deps, marker } = setup(spawns);
    const [record] = assembleForCheck(config, deps).records;
    const ctx = { family: 4 as const, signal: AbortSignal.timeout(5_000), localAddress: undefined };
    const [cmd, future] = await Promise.all((record?.sources ?? []).map((s) => s.observe(ctx)));
    expect(cmd).toEqual({ ok: false, reason: "not_run", detail: "not run in a check: it runs a program" });
    expect(future).toMatchObject({ ok: false, reason: "command_failed" });
    expect(future?.ok === false && future.detail).toContain("not run in a check");
    expect(record?.sources.map((s) => [s.id, s.operator, s.families])).toEqual([
      ["cmd", "command", [4, 6]],
      ["future", "future", [4]],
    ]);
    expect(spawns).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  test("the running agent's assembly of the same configuration still runs its command source", async () => {
    const spawns: string[] = [];
    const { config, deps, marker } = setup(spawns);
    const [record] = assembleAgent(config, deps).records;
    const cmd = record?.sources.find((s) => s.id === "cmd");
    const obs = await cmd?.observe({
      family: 4,
      signal: AbortSignal.timeout(5_000),
      localAddress: undefined,
    });
    expect(obs).toMatchObject({ ok: true, ip: { text: "81.2.69.160" } });
    expect(spawns).toHaveLength(1);
    expect(existsSync(marker)).toBe(true);
  });
});
