// Bounded request-body reading. The declared Content-Length is checked first, then the stream is cut
// off as soon as it exceeds the cap, so a lying or chunked client cannot make us buffer more. A JSON
// body must say so: a body sent as text/plain, a form or anything else is refused before it is read
// (a browser sends those cross-site without asking; JSON it does not).

import { BeaconError } from "../core/errors.js";

export const MAX_JSON_BODY = 64 * 1024;

const read = new WeakMap<Request, Promise<Uint8Array>>();

/**
 * readBodyBytes, once per request: a second caller (a signed request's Content-Digest check,
 * signed-request.ts, after dyndns2 read its form) gets the same bytes, or the same rejection, whatever
 * `max` it gives. `leaveReadable` reads a clone, so a later reader of `req` itself still can.
 */
export function requestBodyBytes(req: Request, max: number, leaveReadable = false): Promise<Uint8Array> {
  let bytes = read.get(req);
  if (bytes === undefined) {
    bytes = readBodyBytes(leaveReadable ? req.clone() : req, max);
    read.set(req, bytes);
  }
  return bytes;
}

/** The body's bytes; throws parameter_too_large beyond `max`. */
export async function readBodyBytes(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw new BeaconError("parameter_too_large", `the body is larger than ${max} bytes`);
  if (req.body === null) return new Uint8Array();
  const reader: ReadableStreamDefaultReader<Uint8Array> = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: a clone's branch of a tee settles its cancel only once the other branch is
      // cancelled too (requestBodyBytes with leaveReadable), which may never happen.
      reader.cancel().catch(() => undefined);
      throw new BeaconError("parameter_too_large", `the body is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Throws unsupported_media_type unless the request declares `application/json`, with optional
 * parameters; a charset other than UTF-8 is refused too (JSON is UTF-8, RFC 8259).
 */
export function requireJsonContentType(req: Request): void {
  const declared = req.headers.get("content-type");
  const [type = "", ...params] = (declared ?? "").split(";");
  const charset = params
    .map((p) => p.split("="))
    .find(([name]) => name?.trim().toLowerCase() === "charset")?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, "$1")
    .toLowerCase();
  if (type.trim().toLowerCase() === "application/json" && (charset === undefined || /^utf-?8$/.test(charset)))
    return;
  const got =
    declared === null ? "no Content-Type" : `Content-Type ${JSON.stringify(declared.slice(0, 100))}`;
  throw new BeaconError(
    "unsupported_media_type",
    `expected a JSON body (Content-Type: application/json), got ${got}`,
  );
}

/** Parses a JSON body of at most `max` bytes; unsupported_media_type unless declared JSON, bad_request when not UTF-8 JSON. */
export async function readJsonBody(req: Request, max = MAX_JSON_BODY): Promise<unknown> {
  requireJsonContentType(req);
  const bytes = await readBodyBytes(req, max);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BeaconError("bad_request", "the body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BeaconError("bad_request", "the body is not valid JSON");
  }
}
