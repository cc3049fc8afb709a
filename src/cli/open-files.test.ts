import { describe, expect, it } from "vitest";
import { isOutOfFiles, outOfFilesError, readOpenFileLimit } from "./open-files.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            64                   64                   files
`;

describe("open-file limit", () => {
  it("reads the soft limit from /proc/self/limits, and nothing where it cannot", () => {
    expect(readOpenFileLimit(() => LIMITS)).toBe(64);
    expect(readOpenFileLimit(() => LIMITS.replace(/64 +64/, "unlimited unlimited"))).toBeUndefined();
    expect(
      readOpenFileLimit(() => {
        throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      }),
    ).toBeUndefined();
  });

  it("tells running out of descriptors, including Node's misleading 'Cannot find package' for a file that is there", () => {
    const emfile = Object.assign(new Error("EMFILE: too many open files, open '/x.js'"), { code: "EMFILE" });
    expect(isOutOfFiles(emfile)).toBe(true);
    expect(isOutOfFiles(new Error("load failed", { cause: emfile }))).toBe(true);
    const lookup = Object.assign(
      new Error(
        "Cannot find package '/app/node_modules/better-sqlite3/index.js' imported from /app/dist/x.js",
      ),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    expect(isOutOfFiles(lookup, () => true)).toBe(true);
    expect(isOutOfFiles(lookup, () => false)).toBe(false);
    expect(isOutOfFiles(new Error("boom"))).toBe(false);
    expect(isOutOfFiles("EMFILE")).toBe(false);
  });

  it("says what the limit is and how to raise it", () => {
    const e = outOfFilesError("start", 64);
    expect(e.code).toBe("too_many_open_files");
    expect(e.message).toBe(
      "too many open files to start (the open-file limit is 64): raise the limit, e.g. `ulimit -n 4096` in the shell or LimitNOFILE=4096 in the systemd unit",
    );
  });
});
