import { execFile } from "node:child_process";

export interface DigAnswer {
  readonly status: string;
  readonly flags: readonly string[];
  readonly answers: readonly string[];
  readonly authority: readonly string[];
  readonly raw: string;
}

/** Runs dig against 127.0.0.1:<port> and parses the parts tests assert on. */
export function dig(
  port: number,
  args: readonly string[],
  wrapper: readonly string[] = [],
): Promise<DigAnswer> {
  const [cmd, ...pre] = [...wrapper, "dig"];
  return new Promise((resolve, reject) => {
    execFile(
      cmd ?? "dig",
      [...pre, "@127.0.0.1", "-p", String(port), "+norec", "+time=2", "+tries=1", ...args],
      { timeout: 10_000 },
      (error, stdout) => {
        if (error !== null && stdout === "") return reject(new Error(`dig failed: ${error.message}`));
        resolve(parseDig(stdout));
      },
    );
  });
}

function parseDig(raw: string): DigAnswer {
  const status = /status: ([A-Z]+)/.exec(raw)?.[1] ?? "NONE";
  const flags = (/flags: ([a-z ]+);/.exec(raw)?.[1] ?? "").trim().split(/\s+/);
  const section = (name: string) => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(raw);
    return m?.[1] === undefined ? [] : m[1].split("\n").filter((l) => l.trim() !== "");
  };
  return { status, flags, answers: section("ANSWER"), authority: section("AUTHORITY"), raw };
}
