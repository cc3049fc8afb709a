// failureLog: one warning per run of failures, debug lines inside it, one info line when it ends;
// a success without failures before it, or twice in a row, logs nothing.

import { describe, expect, it } from "vitest";
import { failureLog } from "./failure-log.js";
import type { Log } from "./log.js";

function recording(): { log: Log; lines: [string, object, string | undefined][] } {
  const lines: [string, object, string | undefined][] = [];
  const at = (level: string) => (o: object, m?: string) => void lines.push([level, o, m]);
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

describe("failureLog", () => {
  it("warns once per outage, debugs the repeats, says once when it is over", () => {
    const { log, lines } = recording();
    const report = failureLog(log, "could not x", "x works again");
    const err = new Error("ECONNREFUSED");
    report.succeeded();
    report.failed(err);
    report.failed(err);
    report.succeeded();
    report.succeeded();
    report.failed(err);
    expect(lines).toEqual([
      ["warn", { err }, "could not x"],
      ["debug", { err, failures: 2 }, "could not x"],
      ["info", { failures: 2 }, "x works again"],
      ["warn", { err }, "could not x"],
    ]);
  });
});
