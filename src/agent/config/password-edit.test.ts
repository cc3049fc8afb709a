import { describe, expect, test } from "vitest";
import { setPasswordHash } from "./password-edit.js";

const H = "scrypt$32768$8$1$c2FsdHNhbHQ=$a2V5K2tleS9rZXk=";
const E = `password_hash: "${H}"`;

describe("setPasswordHash", () => {
  test.each([
    [
      "a block status: after its last entry and that entry's comment, every other byte kept",
      'interval: 10m   # poll\nstatus:\n  # the page\n  listen: "127.0.0.1:9876" # here\n\n# tail\nrecords:\n  - { name: a.example, type: A, target: home, sources: [one, two], quorum: 2 }\n',
      `interval: 10m   # poll\nstatus:\n  # the page\n  listen: "127.0.0.1:9876" # here\n  ${E}\n\n# tail\nrecords:\n  - { name: a.example, type: A, target: home, sources: [one, two], quorum: 2 }\n`,
    ],
    [
      "a flow status",
      'status: { listen: "127.0.0.1:0" }\nrecords: []\n',
      `status: { listen: "127.0.0.1:0", ${E} }\nrecords: []\n`,
    ],
    ["an empty flow status", "status: {}\n", `status: {${E}}\n`],
    ["an empty status", "status:\nrecords: []\n", `status: { ${E} }\nrecords: []\n`],
    ["a null status", "status: ~ # x\nrecords: []\n", `status: { ${E} } # x\nrecords: []\n`],
    ["no status: appended", "records: []", `records: []\nstatus:\n  ${E}\n`],
    ["an empty file", "", `status:\n  ${E}\n`],
    ["comments only", "# nothing yet\n", `# nothing yet\nstatus:\n  ${E}\n`],
    [
      "a block scalar as the last entry",
      "status:\n  listen: |\n    127.0.0.1:1\n\nb: 1\n",
      `status:\n  listen: |\n    127.0.0.1:1\n  ${E}\n\nb: 1\n`,
    ],
    [
      "four-space indentation",
      "status:\n    listen: 127.0.0.1:1\nb: 1\n",
      `status:\n    listen: 127.0.0.1:1\n    ${E}\nb: 1\n`,
    ],
  ])("%s", (_name, before, after) => {
    expect(setPasswordHash(before, H)).toEqual({ ok: true, text: after });
  });

  test("a hash already in the file is never replaced", () => {
    expect(setPasswordHash('status:\n  password_hash: "scrypt$old"\n', H)).toMatchObject({
      ok: false,
      reason: "exists",
    });
  });

  test.each([
    ["invalid YAML", "status: [unclosed\n"],
    ["a list", "- a\n- b\n"],
    ["a flow document", "{ status: { listen: x } }\n"],
    ["status a string", "status: loud\n"],
    ["status a list", "status: [a]\n"],
    ["two documents", "a: 1\n---\nb: 2\n"],
    ["an end marker before the append", "a: 1\n...\n"],
  ])("refused, nothing guessed: %s", (_name, text) => {
    expect(setPasswordHash(text, H)).toMatchObject({ ok: false, reason: "unplaceable" });
  });

  test("refuses a value that is not a hash (it would need quoting)", () => {
    expect(() => setPasswordHash("", 'x" injected: "y')).toThrow();
  });
});
