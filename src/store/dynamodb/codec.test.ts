import { describe, expect, it } from "vitest";

import { expectCode } from "../testing/fixtures.js";
import {
  data,
  decodePending,
  delOp,
  encodePending,
  isLive,
  MAX_PENDING_BYTES,
  opItem,
  putOp,
  TOMBSTONE_SECONDS,
} from "./codec.js";

const key = { pk: "HOST#a.example.com", sk: "HOST" };

describe("DynamoDB item codec", () => {
  it("writes a put as a live item with its version, data and id", () => {
    const item = opItem(putOp(key, { fqdn: "a.example.com", ttl: undefined }, 7), 3, 1_700_000_000_000);
    expect(item).toEqual({
      pk: { S: key.pk },
      sk: { S: key.sk },
      cv: { N: "3" },
      d: { S: '{"fqdn":"a.example.com"}' },
      id: { N: "7" },
    });
    expect(isLive(item)).toBe(true);
    expect(data(item)).toEqual({ fqdn: "a.example.com" });
  });

  it("writes a delete as a tombstone that expires a day after the commit", () => {
    const item = opItem(delOp(key), 4, 1_700_000_000_999);
    expect(item).toEqual({
      pk: { S: key.pk },
      sk: { S: key.sk },
      cv: { N: "4" },
      ttl: { N: String(1_700_000_000 + TOMBSTONE_SECONDS) },
    });
    expect(isLive(item)).toBe(false);
    expect(isLive(undefined)).toBe(false);
  });

  it("round-trips a pending batch, unicode and quotes included", () => {
    const ops = [putOp(key, { v: ['"quoted" ünïcödé', "{}"] }, 1), delOp({ pk: "ZONES", sk: "example.com" })];
    expect(decodePending(encodePending(ops))).toEqual(ops);
  });

  it("refuses a pending batch past the size bound with parameter_too_large", async () => {
    const big = putOp(key, { v: "x".repeat(MAX_PENDING_BYTES) });
    await expectCode(
      Promise.resolve().then(() => encodePending([big])),
      "parameter_too_large",
    );
    // Multi-byte characters count as bytes, not as characters.
    const wide = putOp(key, { v: "é".repeat(MAX_PENDING_BYTES / 2) });
    await expectCode(
      Promise.resolve().then(() => encodePending([wide])),
      "parameter_too_large",
    );
  });

  it("refuses a corrupt pending batch with store_unavailable", async () => {
    for (const text of [
      "not json",
      "{}",
      "null",
      '[{"pk":1,"sk":"x"}]',
      '[{"pk":"a","sk":"b","d":5}]',
      "[1]",
    ]) {
      await expectCode(
        Promise.resolve().then(() => decodePending(text)),
        "store_unavailable",
      );
    }
  });
});
