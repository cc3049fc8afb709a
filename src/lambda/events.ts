// What a Lambda invocation can carry, checked before anything reads it: an HTTP request from a
// Function URL or an API Gateway HTTP API (payload 2.0), or a REST API (payload 1.0); or an
// EventBridge schedule. Everything else, and an HTTP event whose fields have the wrong types, is
// `bad` with a message saying what is wrong (the handler answers 400).
//
// Promises:
// - an `http` event has a client address taken ONLY from the request context
//   (v2 requestContext.http.sourceIp, v1 requestContext.identity.sourceIp), never from a header;
//   ALB and VPC Lattice events (whose address would come from X-Forwarded-For) are refused;
// - its method is a token `new Request` takes (not CONNECT, TRACE, TRACK), its body a string, and a
//   base64 body is strict base64, so hono's adapter never throws on the shapes checked here;
// - an HTTP API v2 event on a named stage has the stage taken off its rawPath ("/prod/nic/update"
//   → "/nic/update"), as REST events already have it off `path`.
// The `http` event is the one hono's aws-lambda adapter reads (a copy when the stage was removed).

export type HttpEvent = V2Event | V1Event;

interface V2Event {
  readonly version: "2.0";
  readonly rawPath: string;
  readonly rawQueryString?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: {
    readonly http: { readonly method: string; readonly sourceIp: string };
    readonly stage?: string;
    readonly domainName?: string;
  };
}

interface V1Event {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Record<string, string> | null;
  readonly multiValueHeaders?: Record<string, string[]> | null;
  readonly queryStringParameters?: Record<string, string> | null;
  readonly multiValueQueryStringParameters?: Record<string, string[]> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly identity: { readonly sourceIp: string } };
}

export type ClassifiedEvent =
  | { readonly kind: "http"; readonly event: HttpEvent; readonly sourceIp: string }
  | { readonly kind: "schedule" }
  | { readonly kind: "bad"; readonly message: string };

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const absent = (v: unknown): boolean => v === undefined || v === null;

class Bad extends Error {}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Bad(message);
}

/** Never throws. */
export function classifyEvent(event: unknown): ClassifiedEvent {
  try {
    check(isObj(event), "the event is not an object");
    const e = event as Obj;
    if (e["source"] === "aws.events" && e["detail-type"] === "Scheduled Event") return { kind: "schedule" };
    const ctx = e["requestContext"];
    check(isObj(ctx), "the event has no requestContext: not a Function URL or API Gateway request");
    const rc = ctx as Obj;
    check(!("elb" in rc) && !("serviceArn" in rc), "load balancer and VPC Lattice events are not served");
    return isObj(rc["http"]) ? v2(e, rc) : v1(e, rc);
  } catch (err) {
    return { kind: "bad", message: err instanceof Bad ? err.message : "the event cannot be read" };
  }
}

function v2(e: Obj, rc: Obj): ClassifiedEvent {
  const http = rc["http"] as Obj;
  const sourceIp = http["sourceIp"];
  check(isStr(sourceIp), "requestContext.http.sourceIp is missing");
  checkMethod(http["method"], "requestContext.http.method");
  const rawPath = e["rawPath"];
  check(isStr(rawPath) && rawPath.startsWith("/"), "rawPath must be a string starting with /");
  check(absent(e["rawQueryString"]) || isStr(e["rawQueryString"]), "rawQueryString must be a string");
  check(
    absent(e["cookies"]) || (Array.isArray(e["cookies"]) && e["cookies"].every(isStr)),
    "cookies must be a list of strings",
  );
  checkStringMap(e["headers"], "headers");
  checkBody(e);
  const stage = rc["stage"];
  check(absent(stage) || isStr(stage), "requestContext.stage must be a string");
  check(absent(rc["domainName"]) || isStr(rc["domainName"]), "requestContext.domainName must be a string");
  const path = withoutStage(rawPath as string, stage as string | undefined);
  const event = { ...e, version: "2.0", rawPath: path } as unknown as V2Event;
  return { kind: "http", event, sourceIp: sourceIp as string };
}

function v1(e: Obj, rc: Obj): ClassifiedEvent {
  const identity = rc["identity"];
  check(isObj(identity) && isStr(identity["sourceIp"]), "requestContext.identity.sourceIp is missing");
  checkMethod(e["httpMethod"], "httpMethod");
  check(isStr(e["path"]) && e["path"].startsWith("/"), "path must be a string starting with /");
  checkStringMap(e["headers"], "headers");
  checkStringMap(e["queryStringParameters"], "queryStringParameters");
  checkListMap(e["multiValueHeaders"], "multiValueHeaders");
  checkListMap(e["multiValueQueryStringParameters"], "multiValueQueryStringParameters");
  checkBody(e);
  const sourceIp = (identity as Obj)["sourceIp"] as string;
  return { kind: "http", event: e as unknown as V1Event, sourceIp };
}

function checkMethod(m: unknown, name: string): void {
  check(isStr(m) && METHOD.test(m), `${name} is not an HTTP method`);
  check(!FORBIDDEN_METHODS.has((m as string).toUpperCase()), `${name} ${m as string} is not served`);
}

function checkStringMap(v: unknown, name: string): void {
  check(
    absent(v) || (isObj(v) && Object.values(v).every((x) => absent(x) || isStr(x))),
    `${name} must map names to strings`,
  );
}

function checkListMap(v: unknown, name: string): void {
  const list = (x: unknown) => absent(x) || (Array.isArray(x) && x.every(isStr));
  check(
    absent(v) || (isObj(v) && Object.values(v).every(list)),
    `${name} must map names to lists of strings`,
  );
}

function checkBody(e: Obj): void {
  const body = e["body"];
  check(absent(body) || isStr(body), "body must be a string");
  check(
    absent(e["isBase64Encoded"]) || typeof e["isBase64Encoded"] === "boolean",
    "isBase64Encoded must be true or false",
  );
  if (e["isBase64Encoded"] === true && isStr(body)) check(BASE64.test(body), "body is not valid base64");
}

function withoutStage(path: string, stage: string | undefined): string {
  if (stage === undefined || stage === "$default" || stage === "") return path;
  const prefix = `/${stage}`;
  if (path === prefix) return "/";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

/** The client address of a classified HTTP event: from its request context only. */
export function sourceIpOf(event: HttpEvent): string | undefined {
  const rc = event.requestContext as Partial<V2Event["requestContext"] & V1Event["requestContext"]>;
  return "rawPath" in event ? rc.http?.sourceIp : rc.identity?.sourceIp;
}
