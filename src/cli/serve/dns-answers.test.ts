import { describe, expect, test } from "vitest";
import type { Log } from "../../core/log.js";
import type { Keyring } from "../../dns/tsig/keyring.js";
import { checkTransferKeys } from "./dns-answers.js";

const key = (name: string) => ({
  name,
  algorithm: "hmac-sha256" as const,
  secret: new Uint8Array(32),
  policy: { names: [], types: [], allowedCidrs: [] },
});

describe("checkTransferKeys", () => {
  const keyring: Keyring = (name) => (name === "xfr." ? key(name) : undefined);

  test.each([
    ["no notify key, no transfer keys", undefined, [], undefined, []],
    ["a notify key the keyring holds", "xfr.", ["xfr."], "xfr.", []],
    [
      "a notify key the keyring lacks",
      "gone.",
      [],
      undefined,
      ["dns.transfer.notify_key names no TSIG key; NOTIFY goes unsigned"],
    ],
    [
      "transfer keys the keyring lacks, one warning each",
      undefined,
      ["xfr.", "a.", "b."],
      undefined,
      [
        "dns.transfer.keys names no TSIG key; transfers signed with it are refused",
        "dns.transfer.keys names no TSIG key; transfers signed with it are refused",
      ],
    ],
  ])("%s", (_name, notifyKey, keys, signedWith, warnings) => {
    const said: string[] = [];
    const log: Log = { debug() {}, info() {}, error() {}, warn: (_o, m) => said.push(m ?? "") };
    const transfer = { allow: [], keys, notify: [], notifyKey, notifyRetries: 5 };
    const notify = checkTransferKeys(transfer, keyring, log);
    expect(notify()?.name).toBe(signedWith);
    expect(said).toEqual(warnings);
  });

  test("the notify key is looked up at each use (a key added later signs the next NOTIFY)", () => {
    let present = false;
    const later: Keyring = (name) => (present ? key(name) : undefined);
    const transfer = { allow: [], keys: [], notify: [], notifyKey: "late.", notifyRetries: 5 };
    const notify = checkTransferKeys(transfer, later, { debug() {}, info() {}, warn() {}, error() {} });
    expect(notify()).toBeUndefined();
    present = true;
    expect(notify()?.name).toBe("late.");
  });
});
