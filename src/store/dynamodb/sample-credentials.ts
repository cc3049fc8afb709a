// SampleCredentialStore on the DynamoDB table: `pk = "SAMPLE"`, `sk` = fqdn, `secret`, `hid` (hostId),
// `at` (createdAt), `used` (lastUsedAt). Each method is one request on one item (a listing, one Query),
// so each is atomic; put replaces the whole item, touch only sets `used` on an item that exists.

import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { Dynamo } from "./table.js";
import { BeaconError } from "../../core/errors.js";
import type { SampleCredentialStore } from "../ports.js";
import type { SampleCredential } from "../types.js";
import {
  attempt,
  attemptConditional,
  byString,
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

const PK = "SAMPLE";

function decode(item: Item | undefined): SampleCredential | undefined {
  const fqdn = str(item, "sk");
  const secret = str(item, "secret");
  const hostId = num(item, "hid");
  const createdAt = num(item, "at");
  if (fqdn === undefined || secret === undefined || hostId === undefined || createdAt === undefined)
    return undefined;
  return { fqdn, secret, hostId, createdAt, lastUsedAt: num(item, "used") };
}

export function dynamoSampleCredentials(client: Dynamo, table: string): SampleCredentialStore {
  return {
    async putSampleCredential(c) {
      if (!keyable(c.fqdn)) throw new BeaconError("bad_request", "a host name is 1 to 1,024 bytes");
      const item: Item = {
        ...key(PK, c.fqdn),
        secret: S(c.secret),
        hid: N(c.hostId),
        at: N(c.createdAt),
        ...(c.lastUsedAt === undefined ? {} : { used: N(c.lastUsedAt) }),
      };
      await attempt("putSampleCredential", () =>
        client.send(new PutItemCommand({ TableName: table, Item: item })),
      );
    },

    async getSampleCredential(fqdn) {
      if (!keyable(fqdn)) return undefined;
      return decode(await getOne(client, table, "getSampleCredential", key(PK, fqdn)));
    },

    async listSampleCredentials() {
      const items = await queryAll(client, table, "listSampleCredentials", PK);
      return items.flatMap((i) => decode(i) ?? []).sort((a, b) => byString(a.fqdn, b.fqdn));
    },

    async deleteSampleCredential(fqdn) {
      if (!keyable(fqdn)) return false;
      const r = await attempt("deleteSampleCredential", () =>
        client.send(new DeleteItemCommand({ TableName: table, Key: key(PK, fqdn), ReturnValues: "ALL_OLD" })),
      );
      return r.Attributes !== undefined;
    },

    async touchSampleCredential(fqdn, at) {
      if (!keyable(fqdn)) return;
      await attemptConditional("touchSampleCredential", () =>
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key(PK, fqdn),
            UpdateExpression: "SET used = :at",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":at": N(at) },
          }),
        ),
      );
    },
  };
}
