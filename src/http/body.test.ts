import { describe, expect, it } from "vitest";
import { readBodyBytes, readJsonBody } from "./body.js";

function streamOf(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ >= chunks) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
}

const req = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request("http://h/", { method: "POST", body, headers, duplex: "half" } satisfies RequestInit & {
    duplex: "half";
  });

describe("readBodyBytes", () => {
  it("reads a body within the cap", async () => {
    expect(await readBodyBytes(req(streamOf(3, 10)), 30)).toHaveLength(30);
  });

  it("cuts off a chunked body without Content-Length beyond the cap", async () => {
    await expect(readBodyBytes(req(streamOf(100, 1000)), 4096)).rejects.toMatchObject({
      code: "parameter_too_large",
    });
  });

  it("refuses a declared Content-Length beyond the cap before reading", async () => {
    await expect(readBodyBytes(req("x", { "content-length": "999999" }), 10)).rejects.toMatchObject({
      code: "parameter_too_large",
    });
  });

  it("reads an absent body as empty", async () => {
    expect(await readBodyBytes(new Request("http://h/"), 10)).toHaveLength(0);
  });
});

describe("readJsonBody", () => {
  const json = (body: string, type = "application/json") => req(body, { "content-type": type });

  it("parses JSON and refuses garbage with bad_request", async () => {
    expect(await readJsonBody(json('{"a":[1]}'))).toEqual({ a: [1] });
    await expect(readJsonBody(json("{"))).rejects.toMatchObject({ code: "bad_request" });
    await expect(readJsonBody(json(""))).rejects.toMatchObject({ code: "bad_request" });
  });

  it.each(["application/json", "application/json; charset=utf-8", 'Application/JSON;Charset="UTF-8"'])(
    "takes a body declared %s",
    async (type) => {
      expect(await readJsonBody(json('{"a":1}', type))).toEqual({ a: 1 });
    },
  );

  it.each([
    ["text/plain (a browser's cross-site default)", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["a JSON-like type", "application/json-patch+json"],
    ["a JSON suffix type", "application/merge-patch+json"],
    ["JSON in another charset", "application/json; charset=latin1"],
    ["a type with JSON as a prefix", "application/jsonx"],
  ])("refuses %s with 415 unsupported_media_type, before reading the body", async (_what, type) => {
    // Reading this body fails: a refusal with 415 proves it was refused before being read.
    const body = new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("body was read")) });
    await expect(readJsonBody(req(body, { "content-type": type }))).rejects.toMatchObject({
      code: "unsupported_media_type",
      status: 415,
    });
  });

  it("refuses a body with no Content-Type", async () => {
    const bare = new Request("http://h/", { method: "POST", body: new Blob(['{"a":1}']) });
    expect(bare.headers.get("content-type")).toBeNull();
    await expect(readJsonBody(bare)).rejects.toMatchObject({ code: "unsupported_media_type" });
  });
});
