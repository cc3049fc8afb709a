import { describe, expect, it } from "vitest";
import { isBeaconError } from "../../core/errors.js";
import { createRunCommand } from "./run-command.js";

const run = createRunCommand();
const node = process.execPath;
const signal = () => AbortSignal.timeout(10_000);

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isBeaconError(e)) return e.code;
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("createRunCommand", () => {
  it("returns stdout, stderr and the exit code", async () => {
    const r = await run(
      [node, "-e", "process.stdout.write('out'); process.stderr.write('err'); process.exit(3)"],
      {
        signal: signal(),
      },
    );
    expect(r).toEqual({ code: 3, stdout: "out", stderr: "err" });
  });

  it("passes argv without a shell: $(…) and ; stay literal", async () => {
    const r = await run([node, "-e", "console.log(process.argv[1])", "$(echo pwned); echo x"], {
      signal: signal(),
    });
    expect(r.stdout.trim()).toBe("$(echo pwned); echo x");
  });

  it("merges env over the agent's environment", async () => {
    const r = await run(
      [node, "-e", "console.log(process.env.BEACON_X + ':' + (process.env.PATH ? 'path' : 'nopath'))"],
      {
        env: { BEACON_X: "42" },
        signal: signal(),
      },
    );
    expect(r.stdout.trim()).toBe("42:path");
  });

  it("feeds stdin", async () => {
    const r = await run([node, "-e", "process.stdin.pipe(process.stdout)"], {
      stdin: "piped",
      signal: signal(),
    });
    expect(r.stdout).toBe("piped");
  });

  it("caps output and still collects the exit code", async () => {
    const small = createRunCommand({ maxOutputBytes: 10 });
    const r = await small([node, "-e", "process.stdout.write('z'.repeat(100000))"], { signal: signal() });
    expect(r.stdout).toBe("z".repeat(10));
    expect(r.code).toBe(0);
  });

  it("rejects with aborted and kills a program that runs too long", async () => {
    const ctrl = new AbortController();
    const pending = run([node, "-e", "setTimeout(() => {}, 60000)"], { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 50);
    expect(await rejection(pending)).toBe("aborted");
  });

  it("rejects an already-aborted signal", async () => {
    expect(await rejection(run([node, "-e", ""], { signal: AbortSignal.abort() }))).toBe("aborted");
  });

  it("rejects a program that does not exist with command_failed", async () => {
    expect(await rejection(run(["/nonexistent/beacon-no-such-program"], { signal: signal() }))).toBe(
      "command_failed",
    );
  });

  it("rejects an empty argv", async () => {
    expect(await rejection(run([], { signal: signal() }))).toBe("bad_request");
  });
});
