// Reads the AWS sample's DynamoDB table (awslabs/route53-dynamic-dns-with-lambda: partition key
// `hostname`, a JSON string in `data`) for `beacon aws-sample import`. A Scan, page by page, with the
// SDK's default credential chain (environment, shared files, SSO, instance roles) since this runs on
// an admin's machine against their own account; the SDK is loaded only when the command runs.
//
// Contract:
// - Resolves with every item's `hostname` and `data` values (and `record_type`, which only the
//   sample's 2018 version has) as plain values (S → string, N → number,
//   BOOL, NULL, L → a list, M → a map; the contents of lists and maps are not kept), sorted by
//   hostname (a Scan's order is the table's hash order); the import service judges them.
// - `onPage(itemsSoFar)` is called after each page that has a next one (big tables only).
// - Rejects with a BeaconError naming the table and region: not_found (no such table),
//   provider_auth (no or refused credentials), bad_request (no region), parameter_too_large (more than
//   MAX_SAMPLE_ITEMS items), network_error / provider_unavailable otherwise.

import type { AttributeValue, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { BeaconError } from "../core/errors.js";
import type { SampleItem } from "../services/sample-import.js";

export interface SampleTableSource {
  readonly table: string;
  readonly region?: string | undefined;
  /** e.g. http://127.0.0.1:8000 for DynamoDB Local; AWS's endpoint otherwise. */
  readonly endpoint?: string | undefined;
  /** Tests only: static credentials instead of the default chain. */
  readonly credentials?: DynamoDBClientConfig["credentials"];
  /** Tests only: items per Scan page (DynamoDB's 1 MB page otherwise). */
  readonly pageSize?: number | undefined;
}

/** A sample deployment holds a few hosts; more than this is not the sample's table. */
export const MAX_SAMPLE_ITEMS = 100_000;

export async function readSampleTable(
  source: SampleTableSource,
  onPage: (itemsSoFar: number) => void = () => {},
): Promise<SampleItem[]> {
  const { DynamoDBClient, ScanCommand } = await import("@aws-sdk/client-dynamodb");
  const client = new DynamoDBClient({
    ...(source.region === undefined ? {} : { region: source.region }),
    ...(source.endpoint === undefined ? {} : { endpoint: source.endpoint }),
    ...(source.credentials === undefined ? {} : { credentials: source.credentials }),
  });
  const where = () => `table ${source.table} (region ${source.region ?? "from the AWS configuration"})`;
  const items: SampleItem[] = [];
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: source.table,
          ProjectionExpression: "#h, #d, #r",
          ExpressionAttributeNames: { "#h": "hostname", "#d": "data", "#r": "record_type" },
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          ...(source.pageSize === undefined ? {} : { Limit: source.pageSize }),
        }),
      );
      for (const item of page.Items ?? [])
        items.push({
          hostname: plain(item["hostname"]),
          data: plain(item["data"]),
          ...(item["record_type"] === undefined ? {} : { recordType: plain(item["record_type"]) }),
        });
      if (items.length > MAX_SAMPLE_ITEMS)
        throw new BeaconError(
          "parameter_too_large",
          `${where()} has more than ${MAX_SAMPLE_ITEMS} items: is it the sample's table?`,
        );
      start = page.LastEvaluatedKey;
      if (start !== undefined) onPage(items.length);
    } while (start !== undefined);
    return items.sort((a, b) => (String(a.hostname) < String(b.hostname) ? -1 : 1));
  } catch (e) {
    throw sdkError(e, where());
  } finally {
    client.destroy();
  }
}

function plain(v: AttributeValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.L !== undefined) return [];
  return {};
}

function sdkError(e: unknown, where: string): BeaconError {
  if (e instanceof BeaconError) return e;
  const name = e instanceof Error ? e.name : "";
  const said = e instanceof Error ? e.message.slice(0, 300) : String(e);
  if (name === "ResourceNotFoundException")
    return new BeaconError("not_found", `no ${where}: check --table and --region`, { cause: e });
  if (/Credential|UnrecognizedClient|AccessDenied|InvalidSignature|ExpiredToken/.test(name))
    return new BeaconError("provider_auth", `cannot read ${where}: ${said}`, { cause: e });
  if (/region is missing/i.test(said))
    return new BeaconError("bad_request", `no AWS region: pass --region or set AWS_REGION`, { cause: e });
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|TimeoutError/.test(`${name} ${said}`))
    return new BeaconError("network_error", `cannot reach DynamoDB for ${where}: ${said}`, { cause: e });
  return new BeaconError("provider_unavailable", `cannot read ${where}: ${name} ${said}`.trim(), {
    cause: e,
  });
}
