// Turning argv arrays into command lines a person can paste: POSIX sh for Linux/macOS, cmd.exe for
// Windows. Only used for display and for values that are themselves command lines (sc.exe binPath=,
// schtasks /TR); the installer runs argv arrays directly, never through a shell.

import { BeaconError } from "../../core/errors.js";

/** POSIX sh: plain words stay bare, anything else goes in single quotes ('\'' for a quote). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function shellCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/**
 * One argument as the Microsoft C runtime (CommandLineToArgvW) splits it back: quoted when it has
 * whitespace or is empty; inside quotes, backslashes are literal except before a `"`, where they
 * are doubled and the quote is escaped as `\"` (so a trailing backslash is doubled too).
 */
export function quoteWindowsArg(arg: string): string {
  if (arg.length > 0 && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      slashes++;
      continue;
    }
    if (ch === '"') out += "\\".repeat(slashes * 2 + 1) + '"';
    else out += "\\".repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out + "\\".repeat(slashes * 2)}"`;
}

/** Joins arguments with C-runtime quoting: the string a Windows program receives as its command line. */
export function windowsCommandLine(argv: readonly string[]): string {
  return argv.map(quoteWindowsArg).join(" ");
}

/**
 * Makes a command line safe to type into cmd.exe. cmd toggles its own quote state at every `"`
 * (backslashes mean nothing to it), and outside that state `& | < > ^` are operators, so those get a
 * `^`. `%` expands variables even inside quotes and has no escape on the interactive command line,
 * so values containing it are refused.
 */
export function cmdEscape(commandLine: string): string {
  if (commandLine.includes("%"))
    throw new BeaconError(
      "bad_request",
      "a Windows path contains %, which cmd.exe would expand as a variable; choose a path without it",
    );
  let quoted = false;
  let out = "";
  for (const ch of commandLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && "&|<>^".includes(ch)) out += "^";
    out += ch;
  }
  return out;
}
