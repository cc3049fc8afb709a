// Every `beacon …` command the deployment guides show (the ```sh blocks of docs/deploy/*.md) is one
// this CLI has: each word before the arguments names a subcommand, each option is declared by that
// command or an ancestor (setting flags included), and the positional arguments fit its declaration.
// The commands are checked against createProgram()'s tree, never run.

import { readdirSync, readFileSync } from "node:fs";

import type { Command, Option } from "commander";
import { describe, expect, test } from "vitest";

import { createProgram } from "./program.js";

const DOCS = new URL("../../docs/deploy/", import.meta.url);

/** `beacon` in command position: at the start, after `$(`, `&&`, `;`, `|`, or `sudo [-u user]`. */
const INVOCATION = /(?:^|\$\(|&&|;|\||\bsudo(?:\s+-u\s+\S+)?)\s*beacon\s+([^|;&)\n]*)/g;

/** `beacon …` lines of the sh code blocks of one page, with continuation lines joined. */
function invocations(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? "");
  return blocks.flatMap((block) =>
    block
      .replace(/\s*\\\n\s*/g, " ")
      .split("\n")
      .flatMap((line) => [...line.matchAll(INVOCATION)].map((m) => (m[1] ?? "").trim())),
  );
}

/** Shell words, quotes removed, up to an unquoted `#` comment or redirection. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    const bare = m[3];
    if (bare !== undefined && (bare.startsWith("#") || /^[0-9]*>/.test(bare))) break;
    out.push(m[1] ?? m[2] ?? bare ?? "");
  }
  return out;
}

function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c !== null; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What is wrong with `beacon <args>`, or undefined when this CLI accepts it. */
function problem(program: Command, args: readonly string[]): string | undefined {
  let cmd = program;
  const path: string[] = [];
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg.startsWith("-") && arg !== "-") {
      const flag = arg.split("=")[0] ?? arg;
      if (flag === "--help" || flag === "-h" || (cmd === program && flag === "--version")) continue;
      const option = findOption(cmd, flag);
      if (option === undefined) return `${["beacon", ...path].join(" ")} has no option ${flag}`;
      if ((option.required || option.optional) && !arg.includes("=")) i++;
      continue;
    }
    const sub = positional === 0 ? cmd.commands.find((c) => c.name() === arg) : undefined;
    if (sub !== undefined) {
      cmd = sub;
      path.push(arg);
    } else if (positional === 0 && cmd.commands.length > 0 && cmd.registeredArguments.length === 0) {
      return `beacon ${path.join(" ")} has no subcommand ${arg}`.replace("  ", " ");
    } else positional++;
  }
  const declared = cmd.registeredArguments;
  const needed = declared.filter((a) => a.required).length;
  const variadic = declared.some((a) => a.variadic);
  if (positional < needed || (!variadic && positional > declared.length))
    return `beacon ${path.join(" ")} takes ${declared.length} argument(s), given ${positional}`;
  return undefined;
}

describe("the beacon commands in docs/deploy/*.md", () => {
  const program = createProgram();
  const pages = readdirSync(DOCS).filter((f) => f.endsWith(".md"));

  test.each(pages.map((p) => [p]))("%s shows only commands this CLI accepts", (page) => {
    const shown = invocations(readFileSync(new URL(page, DOCS), "utf8"));
    const wrong = shown
      .map((line) => [line, problem(program, words(line))])
      .filter(([, p]) => p !== undefined);
    expect(wrong).toEqual([]);
  });

  test("the guides show the commands they are about", () => {
    const all = pages.flatMap((p) => invocations(readFileSync(new URL(p, DOCS), "utf8")));
    for (const needed of ["backup /var", "restore /var", "zone add", "host add", "user add"])
      expect(
        all.some((line) => line.includes(needed)),
        needed,
      ).toBe(true);
  });

  test.each([
    ["an unknown subcommand", ["zone", "create", "x"], "has no subcommand create"],
    ["an unknown option", ["backup", "x.db", "--overwrite"], "has no option --overwrite"],
    ["a missing argument", ["restore"], "takes 1 argument(s), given 0"],
    ["an extra argument", ["backup", "a.db", "b.db"], "given 2"],
  ])("catches %s", (_what, args, message) => {
    expect(problem(program, args)).toContain(message);
  });

  test("accepts global options, setting flags and option values", () => {
    const ok = (line: string) => problem(program, words(line));
    expect(
      ok("--config /etc/beacon/beacon.yaml backup '/var/backups/beacon/x.db' --force --json"),
    ).toBeUndefined();
    expect(ok("--data-dir /d host add a.example.com --ttl 60 # a comment --nonsense")).toBeUndefined();
    expect(ok("serve --http-listen 127.0.0.1:0 --log-level=debug")).toBeUndefined();
    expect(invocations("```sh\nsudo -u beacon beacon --config c \\\n  backup x.db && echo\n```\n")).toEqual([
      "--config c backup x.db",
    ]);
    expect(invocations("```sh\nsudo install -d -o beacon -g beacon /x\n```\n")).toEqual([]);
  });
});
