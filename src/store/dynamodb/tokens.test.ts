import { GetItemCommand, PutItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectCode, T0, tokenFixture } from "../testing/fixtures.js";
import { tokensContract } from "../testing/tokens-contract.js";
import { startLocalDynamo, type LocalDynamo } from "./testing/local-table.js";
import { dynamoTokens, type DynamoTokens } from "./tokens.js";

let local: LocalDynamo;
let table: string;
let tokens: DynamoTokens;

beforeAll(async () => {
  local = await startLocalDynamo();
});
afterAll(async () => {
  await local.close();
});
beforeEach(async () => {
  table = await local.table();
  tokens = dynamoTokens(local.client, table);
});

describe("DynamoDB tokens", () => {
  tokensContract(() => tokens);

  const put = (client: DynamoDBClient, item: Record<string, string | boolean>) =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: Object.fromEntries(
          Object.entries(item).map(([k, v]) => [k, typeof v === "boolean" ? { BOOL: v } : { S: v }]),
        ),
      }),
    );

  it("ignores the half a crash leaves after the hash item (step 1), and a later create reuses it", async () => {
    const t = tokenFixture("tk_new");
    await put(local.client, {
      pk: `TOKENHASH#${t.secretHash}`,
      sk: "TOKEN",
      id: "tk_crashed",
      d: "{}",
      live: false,
    });
    expect(await tokens.findTokenBySecretHash(t.secretHash)).toBeUndefined();
    expect(await tokens.getToken("tk_crashed")).toBeUndefined();
    expect(await tokens.listTokens()).toEqual([]);
    await tokens.createToken(t);
    expect(await tokens.findTokenBySecretHash(t.secretHash)).toEqual(t);
    expect(await tokens.listTokens()).toEqual([t]);
  });

  it("ignores the half a crash leaves after the id item (step 2); the id stays taken", async () => {
    const t = tokenFixture("tk_half");
    await put(local.client, { pk: `TOKENHASH#${t.secretHash}`, sk: "TOKEN", id: t.id, d: "{}", live: false });
    await put(local.client, { pk: "TOKENS", sk: t.id, h: t.secretHash });
    expect(await tokens.findTokenBySecretHash(t.secretHash)).toBeUndefined();
    expect(await tokens.getToken(t.id)).toBeUndefined();
    expect(await tokens.listTokens()).toEqual([]);
    expect(await tokens.revokeToken(t.id, T0)).toBe(false);
    await tokens.touchToken(t.id, T0);
    await expectCode(tokens.createToken(t), "token_exists");
    // The same secret under a new id is fine: the leftover hash item is taken over.
    const again = tokenFixture("tk_other", { secretHash: t.secretHash });
    await tokens.createToken(again);
    expect(await tokens.findTokenBySecretHash(t.secretHash)).toEqual(again);
    expect(await tokens.getToken(t.id)).toBeUndefined();
  });

  it("a leftover id item pointing at a live token's hash neither hides nor duplicates it", async () => {
    const t = tokenFixture("tk_b");
    await tokens.createToken(t);
    // Left by a create of tk_z that lost the hash item to tk_b between its steps 2 and 3.
    await put(local.client, { pk: "TOKENS", sk: "tk_z", h: t.secretHash });
    expect(await tokens.listTokens()).toEqual([t]);
    expect(await tokens.getToken("tk_z")).toBeUndefined();
    expect(await tokens.revokeToken("tk_z", T0)).toBe(false);
    expect((await tokens.getToken("tk_b"))?.revokedAt).toBeUndefined();
  });

  it("a duplicate id with a new secret leaves no trace of the new secret", async () => {
    await tokens.createToken(tokenFixture("tk_1"));
    const dup = tokenFixture("tk_1", { secretHash: "ab".repeat(32) });
    await expectCode(tokens.createToken(dup), "token_exists");
    expect(await tokens.findTokenBySecretHash(dup.secretHash)).toBeUndefined();
    const left = await local.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `TOKENHASH#${dup.secretHash}` }, sk: { S: "TOKEN" } },
      }),
    );
    expect(left.Item).toBeUndefined();
  });

  it("of two creates with one secret at once, exactly one succeeds", async () => {
    const a = tokenFixture("tk_a");
    const b = tokenFixture("tk_b", { secretHash: a.secretHash });
    const results = await Promise.allSettled([tokens.createToken(a), tokens.createToken(b)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const winner = await tokens.findTokenBySecretHash(a.secretHash);
    expect(winner === undefined ? [] : [winner.id]).toHaveLength(1);
    expect((await tokens.listTokens()).map((t) => t.id)).toEqual([winner?.id]);
  });

  it("keeps hostId and refuses ids and hashes DynamoDB cannot key (empty, over 1,024 bytes)", async () => {
    const t = tokenFixture("tk_host", { hostId: 7 });
    await tokens.createToken(t);
    expect(await tokens.getToken("tk_host")).toEqual(t);
    await expectCode(tokens.createToken(tokenFixture("")), "bad_request");
    await expectCode(
      tokens.createToken(tokenFixture("tk_long", { secretHash: "f".repeat(1025) })),
      "bad_request",
    );
    expect(await tokens.getToken("")).toBeUndefined();
    expect(await tokens.getToken("x".repeat(2000))).toBeUndefined();
    expect(await tokens.findTokenBySecretHash("f".repeat(1025))).toBeUndefined();
  });

  it("revokes the tokens made for a host, only those", async () => {
    await tokens.createToken(tokenFixture("tk_h1", { hostId: 1 }));
    await tokens.createToken(tokenFixture("tk_h2", { hostId: 2 }));
    await tokens.createToken(tokenFixture("tk_names"));
    await tokens.revokeHostTokens(1, T0 + 9);
    expect((await tokens.listTokens()).map((t) => [t.id, t.revokedAt])).toEqual([
      ["tk_h1", T0 + 9],
      ["tk_h2", undefined],
      ["tk_names", undefined],
    ]);
  });

  it("a DynamoDB failure is store_unavailable with the SDK error as cause", async () => {
    const gone = dynamoTokens(local.client, "no-such-table");
    const e = await gone.getToken("tk_1").catch((x: unknown) => x);
    expect(e).toMatchObject({ name: "BeaconError", code: "store_unavailable" });
    expect((e as Error).cause).toMatchObject({ name: "ResourceNotFoundException" });
  });
});
