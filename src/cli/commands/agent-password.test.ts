import { describe, expect, test } from "vitest";
import { BeaconError } from "../../core/errors.js";
import { verifyPassword } from "../../services/auth/passwords.js";
import type { Io } from "../output.js";
import type { PasswordInput } from "../password-input.js";
import { runPassword } from "./agent-password.js";

function capture(): Io & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (t) => out_.push(t), err: (t) => err_.push(t) };
}

function piped(text: string): PasswordInput {
  return {
    interactive: false,
    readStdin: () => Promise.resolve(text),
    prompt: () => Promise.reject(new Error("no prompt when piped")),
  };
}

function typed(...answers: string[]): PasswordInput & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    interactive: true,
    readStdin: () => Promise.reject(new Error("no stdin when interactive")),
    prompt: (q) => {
      asked.push(q);
      return Promise.resolve(answers.shift() ?? "");
    },
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BeaconError);
    return (e as BeaconError).code;
  }
  throw new Error("expected an error");
}

describe("beacon agent password", () => {
  test("piped: the first line is the password; prints a YAML line with a hash that verifies", async () => {
    const io = capture();
    await runPassword(io, {}, piped("correct horse battery\nignored second line\n"));
    const line = io.out_.join("\n");
    const m = /^ {2}password_hash: "(scrypt\$[^"]+)"$/.exec(line);
    expect(m).not.toBeNull();
    expect(await verifyPassword("correct horse battery", m?.[1] ?? "")).toBe(true);
    expect(await verifyPassword("ignored second line", m?.[1] ?? "")).toBe(false);
    expect(line).not.toContain("correct horse");
    expect(io.err_.join("\n")).toContain("status:");
  });

  test("--json; a CRLF line ending is not part of the password", async () => {
    const io = capture();
    await runPassword(io, { json: true }, piped("windows-pass-123\r\n"));
    const out = JSON.parse(io.out_.join("")) as { passwordHash: string };
    expect(await verifyPassword("windows-pass-123", out.passwordHash)).toBe(true);
  });

  test("interactive: asked twice; different answers make nothing", async () => {
    const ok = typed("long enough pw", "long enough pw");
    const io = capture();
    await runPassword(io, { json: true }, ok, (pw) => Promise.resolve(`hash-of-${pw.length}`));
    expect(ok.asked).toHaveLength(2);
    expect(io.out_.join("")).toContain("hash-of-14");
    const differ = capture();
    expect(await codeOf(runPassword(differ, {}, typed("long enough pw", "long enough px")))).toBe(
      "bad_request",
    );
    expect(differ.out_).toEqual([]);
  });

  test("too short (9 chars), empty and over 1024 characters are refused", async () => {
    const never = () => Promise.reject(new Error("must not hash"));
    expect(await codeOf(runPassword(capture(), {}, piped("123456789\n"), never))).toBe("weak_password");
    expect(await codeOf(runPassword(capture(), {}, piped(""), never))).toBe("weak_password");
    expect(await codeOf(runPassword(capture(), {}, piped("x".repeat(1025)), never))).toBe("weak_password");
    expect(await codeOf(runPassword(capture(), {}, piped("y".repeat(70_000)), never))).toBe("bad_request");
  });
});
