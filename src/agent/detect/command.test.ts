import { describe, expect, it } from "vitest";
import { createRunCommand } from "../system/run-command.js";
import { commandSource } from "./command.js";
import { fakeDeps } from "./testing/deps.js";

const deps = fakeDeps({ runCommand: createRunCommand() });
const node = process.execPath;

async function observe(script: string, family: 4 | 6 = 4, localAddress?: string) {
  const s = commandSource.settings.parse({ argv: [node, "-e", script], env: { EXTRA: "x" } });
  return commandSource
    .create("cmd", s, deps)
    .observe({ family, signal: AbortSignal.timeout(10_000), localAddress });
}

describe("command source", () => {
  it("takes the single address the program prints", async () => {
    expect(await observe("console.log('81.2.69.142')")).toEqual({
      ok: true,
      ip: { text: "81.2.69.142", family: 4 },
    });
  });

  it("passes BEACON_FAMILY, BEACON_LOCAL_ADDRESS and the configured env", async () => {
    const obs = await observe(
      "console.log(process.env.BEACON_FAMILY === '6' && process.env.BEACON_LOCAL_ADDRESS === '2a02:8070::9' && process.env.EXTRA === 'x' ? '2a02:8070::1' : 'bad')",
      6,
      "2a02:8070::9",
    );
    expect(obs).toEqual({ ok: true, ip: { text: "2a02:8070::1", family: 6 } });
  });

  it.each([
    [
      "a non-zero exit even with an address printed",
      "console.log('81.2.69.142'); process.exit(2)",
      "command_failed",
    ],
    ["no output", "void 0", "empty"],
    ["an error message on stdout", "console.log('error: no route to host')", "unparsable"],
    ["two addresses", "console.log('81.2.69.142 81.2.69.160')", "ambiguous"],
  ])("fails on %s", async (_t, script, reason) => {
    expect(await observe(script)).toMatchObject({ ok: false, reason });
  });

  it("fails with command_failed when the program does not exist", async () => {
    const s = commandSource.settings.parse({ argv: ["/nonexistent/beacon-ip-helper"] });
    const obs = await commandSource
      .create("cmd", s, deps)
      .observe({ family: 4, signal: AbortSignal.timeout(5000), localAddress: undefined });
    expect(obs).toMatchObject({ ok: false, reason: "command_failed" });
  });

  it("fails with timeout when the program outlives the signal", async () => {
    const s = commandSource.settings.parse({ argv: [node, "-e", "setTimeout(() => {}, 60000)"] });
    const obs = await commandSource
      .create("cmd", s, deps)
      .observe({ family: 4, signal: AbortSignal.timeout(100), localAddress: undefined });
    expect(obs).toMatchObject({ ok: false, reason: "timeout" });
  });

  it.each([
    ["an empty argv", { argv: [] }],
    ["an argv given as one shell string", { argv: "curl -s https://e.example" }],
    ["an env name with a space", { argv: ["x"], env: { "A B": "1" } }],
  ])("rejects settings with %s", (_t, input) => {
    expect(commandSource.settings.safeParse(input).success).toBe(false);
  });
});
