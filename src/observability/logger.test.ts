import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { createLogger, resolveFormat } from "./logger.js";
import { formatLine } from "./pretty.js";

/** The lines a logger writes to its destination. */
function capture(opts: { format?: "auto" | "json" | "pretty"; isTty: boolean }) {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString("utf8")));
  const log = createLogger({ level: "info", destination: out, ...opts });
  return { log, lines: () => text.split("\n").filter((l) => l !== "") };
}

describe("createLogger: the format of the lines", () => {
  test.each([
    ["auto", true, "pretty"],
    ["auto", false, "json"],
    ["json", true, "json"],
    ["pretty", false, "pretty"],
  ] as const)("%s with a terminal=%s writes %s", (format, isTty, expected) => {
    expect(resolveFormat(format, isTty)).toBe(expected);
    const { log, lines } = capture({ format, isTty });
    log.info({ http: "127.0.0.1:8245", token: "tk_secret" }, "beacon ready");
    const [line] = lines();
    if (expected === "json") {
      expect(JSON.parse(line ?? "")).toMatchObject({ level: 30, msg: "beacon ready", token: "[redacted]" });
    } else {
      expect(line).toMatch(/^\d\d:\d\d:\d\d INFO {2}beacon ready http=127\.0\.0\.1:8245 token=\[redacted\]$/);
    }
  });
});

describe("formatLine", () => {
  const time = Date.UTC(2026, 0, 2, 3, 4, 5);
  const hhmmss = new Date(time).toTimeString().slice(0, 8);

  test("level, message, then the fields; strings quoted only when they would be ambiguous", () => {
    const line = JSON.stringify({
      level: 40,
      time,
      app: "beacon",
      msg: "environment variable BEACON_DATADIR is not a Beacon setting",
      path: "/var/lib/beacon",
      note: "two words",
      empty: "",
      n: 3,
      list: [{ host: "::1", port: 53 }],
    });
    expect(formatLine(line)).toBe(
      `${hhmmss} WARN  environment variable BEACON_DATADIR is not a Beacon setting path=/var/lib/beacon note="two words" empty="" n=3 list=[{"host":"::1","port":53}]\n`,
    );
  });

  test("an error shows its message inline and its stack below, indented", () => {
    const line = JSON.stringify({
      level: 50,
      time,
      msg: "delivery failed",
      err: {
        type: "Error",
        message: "connect ECONNREFUSED",
        stack: "Error: connect ECONNREFUSED\n    at x (y.js:1:1)",
      },
    });
    expect(formatLine(line)).toBe(
      `${hhmmss} ERROR delivery failed err="connect ECONNREFUSED"\n    Error: connect ECONNREFUSED\n        at x (y.js:1:1)\n`,
    );
  });

  test.each(["not json\n", "[1,2]\n", "null\n", ""])(
    "a line that is not a JSON object passes through: %j",
    (line) => {
      expect(formatLine(line)).toBe(line);
    },
  );
});
