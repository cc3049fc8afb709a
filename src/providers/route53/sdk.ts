// The official AWS SDK's Route 53 client, loaded on first use (the agent and the server pay nothing for
// it unless a route53 provider is configured) and configured so that Beacon stays in charge:
// - static credentials from the settings only, never the SDK's default chain (env, files, IMDS);
// - maxAttempts 1: the agent loop and the mirror worker own retries and backoff;
// - every request goes through deps.httpRequest (the SDK signs, we send): one HTTP client for the whole
//   program, so multi-WAN local addresses, abort, reply size limits and our User-Agent apply, and tests
//   need no patching. The SDK's own User-Agent is replaced (SigV4 never signs that header); its
//   x-amz-user-agent stays.

import { Buffer } from "node:buffer";
import type * as Route53Sdk from "@aws-sdk/client-route-53";
import type {
  ChangeResourceRecordSetsCommandInput,
  ListHostedZonesByNameCommandInput,
  ListHostedZonesByNameCommandOutput,
  ListResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommandOutput,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { BeaconError } from "../../core/errors.js";
import type { HttpRequestOptions } from "../../net/http.js";
import { sendVendor } from "../kit/http.js";
import { rfc3986 } from "../kit/signing/rfc3986.js";
import type { CallContext, ProviderDeps } from "../types.js";

type Sdk = typeof Route53Sdk;
/** The parts of the SDK's HttpHandler contract (@smithy/types) the bridge implements. */
interface SdkRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number | undefined;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null> | undefined;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}
interface Handler {
  handle(
    request: SdkRequest,
    options?: { abortSignal?: unknown },
  ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Uint8Array } }>;
  updateHttpClientConfig(): void;
  httpHandlerConfigs(): Record<string, never>;
}

export interface Route53Access {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly region: string;
  readonly endpoint?: string | undefined;
}

/** The three calls the provider makes; each rejects with the SDK's error or a BeaconError of ours. */
export interface Route53Api {
  listRecordSets(
    input: ListResourceRecordSetsCommandInput,
    ctx: CallContext,
  ): Promise<ListResourceRecordSetsCommandOutput>;
  listZonesByName(
    input: ListHostedZonesByNameCommandInput,
    ctx: CallContext,
  ): Promise<ListHostedZonesByNameCommandOutput>;
  changeRecordSets(input: ChangeResourceRecordSetsCommandInput, ctx: CallContext): Promise<void>;
}

let sdkLoad: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  sdkLoad ??= import("@aws-sdk/client-route-53");
  return sdkLoad;
}

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** The SDK's HTTP handler, backed by deps.httpRequest and bound to one local address. */
function bridge(deps: ProviderDeps, vendor: string, localAddress: string | undefined): Handler {
  return {
    async handle(request, options) {
      const signal =
        options?.abortSignal instanceof AbortSignal ? options.abortSignal : AbortSignal.timeout(60_000);
      const method = request.method.toUpperCase();
      const body: unknown = request.body;
      if (!METHODS.has(method) || (body !== undefined && typeof body !== "string"))
        throw new BeaconError("internal", `${vendor}: the SDK built a request this bridge cannot send`);
      const port = request.port === undefined ? "" : `:${request.port}`;
      const query = Object.entries(request.query ?? {})
        .flatMap(([k, v]) =>
          v === null ? [rfc3986(k)] : [v].flat().map((x) => `${rfc3986(k)}=${rfc3986(x)}`),
        )
        .join("&");
      const url = `${request.protocol}//${request.hostname}${port}${request.path}${query === "" ? "" : `?${query}`}`;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) {
        const name = k.toLowerCase();
        // Our client sets content-length from the body; the Host header comes from the URL.
        if (name !== "user-agent" && name !== "content-length" && name !== "host") headers[name] = v;
      }
      const reply = await sendVendor(
        deps,
        vendor,
        {
          method: method as NonNullable<HttpRequestOptions["method"]>,
          url,
          headers,
          ...(typeof body === "string" ? { body } : {}),
        },
        { signal, localAddress },
      );
      return {
        response: {
          statusCode: reply.status,
          headers: { ...reply.headers },
          body: Buffer.from(reply.body, "utf8"),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
}

export function route53Api(access: Route53Access, deps: ProviderDeps, vendor: string): Route53Api {
  // One client per local address (multi-WAN sends each line's updates from that line).
  const clients = new Map<string, Promise<{ sdk: Sdk; client: Route53Client }>>();

  function clientFor(ctx: CallContext) {
    const key = ctx.localAddress ?? "";
    let made = clients.get(key);
    if (made === undefined) {
      made = loadSdk().then((sdk) => ({
        sdk,
        client: new sdk.Route53Client({
          region: access.region,
          credentials: {
            accessKeyId: access.accessKeyId,
            secretAccessKey: access.secretAccessKey,
            ...(access.sessionToken === undefined ? {} : { sessionToken: access.sessionToken }),
          },
          ...(access.endpoint === undefined ? {} : { endpoint: access.endpoint }),
          maxAttempts: 1,
          retryMode: "standard",
          defaultsMode: "standard",
          useFipsEndpoint: false,
          useDualstackEndpoint: false,
          requestHandler: bridge(deps, vendor, ctx.localAddress),
        }),
      }));
      void made.catch(() => clients.delete(key));
      clients.set(key, made);
    }
    return made;
  }

  const opts = (ctx: CallContext) => ({ abortSignal: ctx.signal });
  return {
    async listRecordSets(input, ctx) {
      const { sdk, client } = await clientFor(ctx);
      return client.send(new sdk.ListResourceRecordSetsCommand(input), opts(ctx));
    },
    async listZonesByName(input, ctx) {
      const { sdk, client } = await clientFor(ctx);
      return client.send(new sdk.ListHostedZonesByNameCommand(input), opts(ctx));
    },
    async changeRecordSets(input, ctx) {
      const { sdk, client } = await clientFor(ctx);
      await client.send(new sdk.ChangeResourceRecordSetsCommand(input), opts(ctx));
    },
  };
}
