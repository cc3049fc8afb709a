import { describe, expect, it } from "vitest";
import { createSessionService } from "../../services/auth/sessions.js";
import { createMemoryStore } from "../../store/memory/memory-store.js";
import type { Io } from "../output.js";
import type { PasswordInput } from "../password-input.js";
import { userCommands, type UserCommandDeps } from "./user.js";

const PW = "a long enough password";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  return { sink, out, err };
}

function input(opts: {
  interactive?: boolean;
  stdin?: string;
  answers?: string[];
}): PasswordInput & { asked: string[] } {
  const answers = [...(opts.answers ?? [])];
  const asked: string[] = [];
  return {
    asked,
    interactive: opts.interactive ?? false,
    readStdin: () => Promise.resolve(opts.stdin ?? ""),
    prompt: (q) => {
      asked.push(q);
      return Promise.resolve(answers.shift() ?? "");
    },
  };
}

function setup(deps: Partial<UserCommandDeps> = {}) {
  const store = createMemoryStore();
  const files: Record<string, string> = { "/run/secrets/pw": `${PW}\nignored second line\n` };
  const full: UserCommandDeps = {
    input: input({ stdin: `${PW}\n` }),
    readFile: (p) => {
      const t = files[p];
      return t === undefined ? Promise.reject(new Error("ENOENT")) : Promise.resolve(t);
    },
    ...deps,
  };
  return { store, cmds: userCommands(store, full) };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe("beacon user", () => {
  it("adds a user with the password from stdin (first line) and never prints it", async () => {
    const { store, cmds } = setup({ input: input({ stdin: `${PW}\r\nsecond\n` }) });
    const o = io();
    await cmds.add(o.sink, "Admin", undefined);
    expect(o.out).toEqual(["user admin added"]);
    expect((await store.getUser("admin"))?.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify([o.out, o.err])).not.toContain(PW);
  });

  it("reads --password-file", async () => {
    const { store, cmds } = setup({ input: input({ stdin: "not used at all" }) });
    await cmds.add(io().sink, "ops", "/run/secrets/pw");
    expect(await store.countUsers()).toBe(1);
    await expect(cmds.add(io().sink, "ops2", "/missing")).rejects.toThrow();
    expect(await store.countUsers()).toBe(1);
  });

  it("prompts twice on a terminal and refuses different answers", async () => {
    const same = input({ interactive: true, answers: [PW, PW] });
    const { store, cmds } = setup({ input: same });
    await cmds.add(io().sink, "alice", undefined);
    expect(same.asked).toHaveLength(2);
    expect(await store.countUsers()).toBe(1);
    const differ = setup({ input: input({ interactive: true, answers: [PW, `${PW}!`] }) });
    expect(await code(differ.cmds.add(io().sink, "bob", undefined))).toBe("bad_request");
    expect(await differ.store.countUsers()).toBe(0);
  });

  it.each([
    ["a weak password", "short\n", "alice", "weak_password"],
    ["empty stdin", "", "alice", "weak_password"],
    ["a huge stdin", "x".repeat(100_000), "alice", "bad_request"],
    ["a bad name", `${PW}\n`, "no spaces", "bad_request"],
  ])("refuses %s", async (_n, stdin, name, expected) => {
    const { store, cmds } = setup({ input: input({ stdin }) });
    expect(await code(cmds.add(io().sink, name, undefined))).toBe(expected);
    expect(await store.countUsers()).toBe(0);
  });

  it("refuses a taken name with user_exists", async () => {
    const { cmds } = setup();
    await cmds.add(io().sink, "alice", undefined);
    expect(await code(cmds.add(io().sink, "alice", undefined))).toBe("user_exists");
  });

  it("lists users as a table or JSON, without hashes", async () => {
    const { cmds } = setup();
    const empty = io();
    await cmds.list(empty.sink, false);
    expect(empty.out.join("")).toMatch(/no users/);
    await cmds.add(io().sink, "bob", undefined);
    await cmds.add(io().sink, "alice", undefined);
    const table = io();
    await cmds.list(table.sink, false);
    expect(table.out.join("\n")).toMatch(/^NAME\s+ROLE[\s\S]*\nalice\s+admin[\s\S]*\nbob\s+admin/);
    const json = io();
    await cmds.list(json.sink, true);
    const parsed = JSON.parse(json.out.join("")) as { name: string }[];
    expect(parsed.map((u) => u.name)).toEqual(["alice", "bob"]);
    expect(json.out.join("")).not.toMatch(/scrypt|passwordHash/);
  });

  it("passwd changes the password and signs out the user's sessions", async () => {
    const { store, cmds } = setup({ input: input({ stdin: `${PW}\n` }) });
    await cmds.add(io().sink, "alice", undefined);
    const sessions = createSessionService({ store, clock: Date.now, idleMs: 60_000, lifetimeMs: 60_000 });
    const { cookieValue } = await sessions.start("alice");
    const cmds2 = userCommands(store, {
      input: input({ stdin: "another long password\n" }),
      readFile: () => Promise.reject(new Error("unused")),
    });
    const o = io();
    await cmds2.passwd(o.sink, "Alice", undefined);
    expect(o.out).toEqual(["password of alice changed; 1 session(s) signed out"]);
    expect((await sessions.resume(cookieValue)).ok).toBe(false);
    expect(await code(cmds2.passwd(io().sink, "nobody", undefined))).toBe("user_not_found");
  });

  it("rm removes a user, user_not_found the second time", async () => {
    const { store, cmds } = setup();
    await cmds.add(io().sink, "alice", undefined);
    await cmds.rm(io().sink, "alice");
    expect(await store.countUsers()).toBe(0);
    expect(await code(cmds.rm(io().sink, "alice"))).toBe("user_not_found");
  });
});
