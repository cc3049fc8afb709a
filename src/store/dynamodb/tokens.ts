// TokenStore on the DynamoDB table (single-table design, docs/serverless.md), without transactions.
//
// Items:
// - `pk = "TOKENHASH#<secretHash>"`, `sk = "TOKEN"`: the token itself, every field: `id`, `d` (JSON of
//   the fields that never change), `rev` / `used` (revokedAt / lastUsedAt, set by updates), `live`.
//   findTokenBySecretHash, the authentication path, is this one GetItem.
// - `pk = "TOKENS"`, `sk = <id>`: the index of ids, `h` = the secret hash; get and list go through it.
//
// createToken, in this order, each step a conditional write on one item:
//   1. put the hash item with live = false: only where no hash item is, or a leftover not live;
//   2. put the id item: only where none is (else token_exists, and step 1 is undone if still ours);
//   3. set live = true on the hash item, only while it is not live and still names this id.
// A token is visible only once live: by hash that is all there is to check (step 3 follows a step 2
// that wrote this id's item, and id items are never rewritten), by id or in a list the id item must
// also point at it. A half left by a crash between the steps is invisible. So two tokens never share a
// hash (one hash item, live at most once, never overwritten once live) or an id (the id item is
// written once; a create racing with a reuse of a leftover hash item fails step 3 and says
// token_exists). A leftover hash item is reused by a later create with the same hash; a leftover id
// item (a crash between 2 and 3) keeps its id taken: ids are random, so that costs nothing.
//
// revokeToken and touchToken update the hash item under the condition that it is live and names the
// id, so they never change a leftover. revokeHostTokens is for the composite's deleteHost.

import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { Dynamo } from "./table.js";
import { BeaconError } from "../../core/errors.js";
import type { TokenStore } from "../ports.js";
import type { TokenRecord } from "../types.js";
import {
  attemptConditional,
  byString,
  conditionFailed,
  getMany,
  getOne,
  key,
  keyable,
  N,
  num,
  queryAll,
  S,
  str,
  type Item,
} from "./dynamo-call.js";

const INDEX = "TOKENS";
const hashKey = (secretHash: string) => key(`TOKENHASH#${secretHash}`, "TOKEN");

/** The fields kept in `d`. */
type Fixed = Omit<TokenRecord, "id" | "secretHash" | "revokedAt" | "lastUsedAt">;

/** Request-signing keys are not stored here: setTokenSigning is not_supported (dynamodb-store.ts). */
export interface DynamoTokens extends Omit<TokenStore, "setTokenSigning"> {
  /** A host was deleted at `at`: the tokens made for it (hostId) are revoked then. */
  revokeHostTokens(hostId: number, at: number): Promise<void>;
}

export function dynamoTokens(client: Dynamo, table: string): DynamoTokens {
  const getItem = (op: string, k: Item) => getOne(client, table, op, k);

  /** The live token of this hash item, if it belongs to `id` (when given). */
  const decode = (item: Item | undefined, secretHash: string, id?: string): TokenRecord | undefined => {
    const tokenId = str(item, "id");
    const d = str(item, "d");
    if (item?.["live"]?.BOOL !== true || tokenId === undefined || d === undefined) return undefined;
    if (id !== undefined && tokenId !== id) return undefined;
    const fixed = parseFixed(d);
    return {
      id: tokenId,
      secretHash,
      label: fixed.label,
      names: fixed.names,
      types: fixed.types,
      allowedCidrs: fixed.allowedCidrs,
      createdAt: fixed.createdAt,
      expiresAt: fixed.expiresAt ?? undefined,
      lastUsedAt: num(item, "used"),
      revokedAt: num(item, "rev"),
      ...(fixed.hostId === undefined ? {} : { hostId: fixed.hostId }),
    };
  };

  /** The secret hash the id item of `id` points at. */
  const hashOf = async (op: string, id: string) =>
    keyable(id) ? str(await getItem(op, key(INDEX, id)), "h") : undefined;

  const getToken = async (id: string): Promise<TokenRecord | undefined> => {
    const h = await hashOf("getToken", id);
    return h === undefined ? undefined : decode(await getItem("getToken", hashKey(h)), h, id);
  };

  const listTokens = async (): Promise<TokenRecord[]> => {
    // "<id> <hash>" of every id item: a token is listed when its own id item points at it. (A leftover
    // id item may point at the same hash as the token's.)
    const pointers = new Set<string>();
    for (const item of await queryAll(client, table, "listTokens", INDEX))
      pointers.add(`${str(item, "sk")} ${str(item, "h")}`);
    const hashes = new Set([...pointers].map((p) => p.slice(p.indexOf(" ") + 1)));
    const tokens: TokenRecord[] = [];
    for (const item of await getMany(client, table, "listTokens", [...hashes].map(hashKey))) {
      const h = str(item, "pk")?.slice("TOKENHASH#".length);
      const t = h === undefined ? undefined : decode(item, h);
      if (t !== undefined && pointers.has(`${t.id} ${h}`)) tokens.push(t);
    }
    return tokens.sort((a, b) => a.createdAt - b.createdAt || byString(a.id, b.id));
  };

  /** Sets `attr` on the live hash item of `id`; false if there is none (or `extra` failed). */
  const setOnLive = async (
    op: string,
    id: string,
    attr: string,
    at: number,
    extra = "",
  ): Promise<boolean> => {
    const h = await hashOf(op, id);
    if (h === undefined) return false;
    const r = await attemptConditional(op, () =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: hashKey(h),
          UpdateExpression: `SET #a = :at`,
          ConditionExpression: `live = :true AND id = :id${extra}`,
          ExpressionAttributeNames: { "#a": attr },
          ExpressionAttributeValues: { ":at": N(at), ":true": { BOOL: true }, ":id": S(id) },
        }),
      ),
    );
    return r !== conditionFailed;
  };

  return {
    async createToken(token) {
      const exists = () => new BeaconError("token_exists", `token ${token.id} or its secret already exists`);
      if (!keyable(token.id) || !keyable(token.secretHash))
        throw new BeaconError("bad_request", "a token id and secret hash are 1 to 1,024 bytes");
      const fixed: Fixed = {
        label: token.label,
        names: token.names,
        types: token.types,
        allowedCidrs: token.allowedCidrs,
        createdAt: token.createdAt,
        expiresAt: token.expiresAt,
        ...(token.hostId === undefined ? {} : { hostId: token.hostId }),
      };
      const item: Item = {
        ...hashKey(token.secretHash),
        id: S(token.id),
        d: S(JSON.stringify(fixed)),
        live: { BOOL: false },
        ...(token.revokedAt === undefined ? {} : { rev: N(token.revokedAt) }),
        ...(token.lastUsedAt === undefined ? {} : { used: N(token.lastUsedAt) }),
      };
      const pending = { ":false": { BOOL: false }, ":id": S(token.id) };
      const claimed = await attemptConditional("createToken", () =>
        client.send(
          new PutItemCommand({
            TableName: table,
            Item: item,
            ConditionExpression: "attribute_not_exists(pk) OR live = :false",
            ExpressionAttributeValues: { ":false": pending[":false"] },
          }),
        ),
      );
      if (claimed === conditionFailed) throw exists();
      const indexed = await attemptConditional("createToken", () =>
        client.send(
          new PutItemCommand({
            TableName: table,
            Item: { ...key(INDEX, token.id), h: S(token.secretHash) },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
      );
      if (indexed === conditionFailed) {
        // Undo step 1 if nobody took the hash item over since; a leftover would be harmless anyway.
        await attemptConditional("createToken", () =>
          client.send(
            new DeleteItemCommand({
              TableName: table,
              Key: hashKey(token.secretHash),
              ConditionExpression: "live = :false AND id = :id",
              ExpressionAttributeValues: pending,
            }),
          ),
        );
        throw exists();
      }
      const live = await attemptConditional("createToken", () =>
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: hashKey(token.secretHash),
            UpdateExpression: "SET live = :true",
            ConditionExpression: "live = :false AND id = :id",
            ExpressionAttributeValues: { ...pending, ":true": { BOOL: true } },
          }),
        ),
      );
      if (live === conditionFailed) throw exists();
    },

    getToken,

    async findTokenBySecretHash(secretHash) {
      // DynamoDB refuses an empty key and keys over 2,048 bytes; no token has such a hash.
      if (!keyable(secretHash)) return undefined;
      return decode(await getItem("findTokenBySecretHash", hashKey(secretHash)), secretHash);
    },

    listTokens,

    revokeToken: (id, at) => setOnLive("revokeToken", id, "rev", at, " AND attribute_not_exists(rev)"),

    async touchToken(id, at) {
      await setOnLive("touchToken", id, "used", at);
    },

    async revokeHostTokens(hostId, at) {
      for (const t of await listTokens())
        if (t.hostId === hostId && t.revokedAt === undefined)
          await setOnLive("revokeHostTokens", t.id, "rev", at, " AND attribute_not_exists(rev)");
    },
  };
}

function parseFixed(d: string): Fixed {
  try {
    return JSON.parse(d) as Fixed;
  } catch (e) {
    throw new BeaconError("store_unavailable", "a token item in DynamoDB is malformed (its d attribute)", {
      cause: e,
    });
  }
}
