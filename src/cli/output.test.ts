import { EventEmitter } from "node:events";
import { describe, expect, test } from "vitest";
import { EXIT, exitOnBrokenPipe } from "./output.js";

describe("exitOnBrokenPipe", () => {
  const error = (code: string) => Object.assign(new Error(`write ${code}`), { code });

  test("EPIPE on either stream exits with 141; any other stream error still throws", () => {
    const [stdout, stderr] = [new EventEmitter(), new EventEmitter()];
    const exits: number[] = [];
    exitOnBrokenPipe([stdout, stderr], (code) => exits.push(code));
    stdout.emit("error", error("EPIPE"));
    stderr.emit("error", error("EPIPE"));
    expect(exits).toEqual([EXIT.brokenPipe, EXIT.brokenPipe]);
    expect(EXIT.brokenPipe).toBe(141);
    expect(() => stdout.emit("error", error("EIO"))).toThrow("write EIO");
    expect(exits).toHaveLength(2);
  });
});
