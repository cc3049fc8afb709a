import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { createHttpRequest } from "../../net/http-request.js";
import { createRunCommand } from "../system/run-command.js";
import type { RunCommand } from "../system/types.js";
import { execNotifier } from "./exec.js";
import type { AgentEvent, NotifierDeps } from "./types.js";

function deps(runCommand: RunCommand = createRunCommand()): NotifierDeps {
  return { httpRequest: createHttpRequest(), runCommand, clock: () => 0, userAgent: "test" };
}

const event: AgentEvent = {
  kind: "change",
  fqdn: "home.example.com",
  type: "AAAA",
  old: undefined,
  new: ["2a02:8070:a1b2::1"],
  status: "updated",
  detail: "quotes \" ' and\nnewline",
  target: "dyn",
  at: 1_700_000_000_000,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "beacon-exec-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const hook = (command: string[], d = deps()) =>
  execNotifier.create("hook", execNotifier.settings.parse({ command }), d);
const signal = () => AbortSignal.timeout(10_000);

describe("exec notifier", () => {
  it("passes every value in BEACON_* environment variables, exactly", async () => {
    const out = join(dir, "env.json");
    const dump = "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))";
    expect(await hook([process.execPath, "-e", dump, out]).notify(event, signal())).toEqual({ ok: true });
    const env = JSON.parse(await readFile(out, "utf8")) as Record<string, string>;
    expect(env).toMatchObject({
      BEACON_EVENT: "change",
      BEACON_FQDN: "home.example.com",
      BEACON_TYPE: "AAAA",
      BEACON_OLD: "",
      BEACON_NEW: "2a02:8070:a1b2::1",
      BEACON_STATUS: "updated",
      BEACON_DETAIL: "quotes \" ' and\nnewline",
      BEACON_TARGET: "dyn",
      BEACON_AT: "2023-11-14T22:13:20.000Z",
    });
    // The agent's own environment is still there (PATH is needed by most hooks).
    expect(env.PATH).toBe(process.env.PATH);
  });

  it("shell syntax in a value is data, not code: `; touch`, $(…) and backticks run nothing", async () => {
    const out = join(dir, "detail.txt");
    const pwned = (n: number) => join(dir, `pwned${n}`);
    const detail = `x; touch ${pwned(1)}; rm -rf ${join(dir, "*")} $(touch ${pwned(2)}) \`touch ${pwned(3)}\` && touch ${pwned(4)}`;
    const r = await hook(["sh", "-c", 'printf %s "$BEACON_DETAIL" > "$0"', out]).notify(
      { ...event, detail, fqdn: `home.example.com;touch ${pwned(5)}` },
      signal(),
    );
    expect(r).toEqual({ ok: true });
    expect(await readFile(out, "utf8")).toBe(detail);
    expect((await readdir(dir)).sort()).toEqual(["detail.txt"]);
  });

  it("never puts a value in argv: the command runs exactly as configured", async () => {
    const calls: (readonly string[])[] = [];
    const recording: RunCommand = (argv) => {
      calls.push(argv);
      return Promise.resolve({ code: 0, stdout: "", stderr: "" });
    };
    await hook(["/usr/local/bin/hook", "--quiet"], deps(recording)).notify(event, signal());
    expect(calls).toEqual([["/usr/local/bin/hook", "--quiet"]]);
  });

  it("a non-zero exit is ok:false with the code and the first stderr line", async () => {
    const r = await hook(["sh", "-c", "echo 'no route' >&2; echo more >&2; exit 3"]).notify(event, signal());
    expect(r).toEqual({ ok: false, detail: "sh exited with code 3: no route" });
  });

  it("a program that cannot start, a throwing runner or an aborted signal is ok:false, never a throw", async () => {
    expect((await hook([join(dir, "does-not-exist")]).notify(event, signal())).ok).toBe(false);
    const throwing: RunCommand = () => {
      throw new BeaconError("internal", "boom");
    };
    expect((await hook(["x"], deps(throwing)).notify(event, signal())).ok).toBe(false);
    const ac = new AbortController();
    const pending = hook(["sleep", "30"]).notify(event, ac.signal);
    ac.abort();
    expect(await pending).toMatchObject({ ok: false, detail: "sleep: timed out" });
  });

  it("kinds: all by default, or the `on` list", () => {
    expect(hook(["x"]).kinds).toEqual(["change", "failure", "recovered"]);
    const only = execNotifier.create(
      "h",
      execNotifier.settings.parse({ command: ["x"], on: ["recovered"] }),
      deps(),
    );
    expect(only.kinds).toEqual(["recovered"]);
  });

  it.each([
    ["a string instead of a list", { command: "hook --quiet" }, /expected a list/],
    ["an empty list", { command: [] }, /name the program/],
    ["an empty argument", { command: ["hook", ""] }, /cannot be empty/],
    ["an unknown key", { command: ["x"], shell: true }, /shell/],
  ])("rejects %s", (_name, input, message) => {
    const r = execNotifier.settings.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });
});
