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
  it("parses JSON and refuses garbage with bad_request", async () => {
    expect(await readJsonBody(req('{"a":[1]}'))).toEqual({ a: [1] });
    await expect(readJsonBody(req("{"))).rejects.toMatchObject({ code: "bad_request" });
    await expect(readJsonBody(req(""))).rejects.toMatchObject({ code: "bad_request" });
  });
});
