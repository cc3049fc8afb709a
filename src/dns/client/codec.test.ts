import packet from "dns-packet";
import { describe, expect, it } from "vitest";
import { clientReplyMismatch, decodeClientReply, encodeClientQuery, type ClientQuestion } from "./codec.js";

const Q: ClientQuestion = { name: "myip.opendns.com", type: "A", qclass: "IN" };

function response(
  answers: packet.Answer[],
  o: {
    id?: number;
    name?: string;
    type?: packet.RecordType;
    class?: packet.RecordClass;
    qr?: boolean;
    tc?: boolean;
  } = {},
): Uint8Array {
  return new Uint8Array(
    packet.encode({
      id: o.id ?? 7,
      type: o.qr === false ? "query" : "response",
      flags: o.tc ? packet.TRUNCATED_RESPONSE : 0,
      questions: [{ name: o.name ?? "myip.opendns.com", type: o.type ?? "A", class: o.class ?? "IN" }],
      answers,
    }),
  );
}

describe("encodeClientQuery", () => {
  it("encodes one question with RD and an EDNS0 OPT of 1232 bytes", () => {
    const msg = packet.decode(Buffer.from(encodeClientQuery(0xbeef, Q)));
    expect(msg.id).toBe(0xbeef);
    expect(msg.questions).toEqual([{ name: "myip.opendns.com", type: "A", class: "IN" }]);
    expect((msg.flags ?? 0) & packet.RECURSION_DESIRED).not.toBe(0);
    expect(msg.additionals?.[0]).toMatchObject({ type: "OPT", udpPayloadSize: 1232 });
  });
});

describe("decodeClientReply", () => {
  it("follows a CNAME chain and keeps only the asked type and class", () => {
    const r = decodeClientReply(
      response([
        { name: "myip.opendns.com", type: "CNAME", class: "IN", data: "alias.opendns.com" },
        { name: "alias.opendns.com", type: "A", class: "IN", data: "81.2.69.142" },
        { name: "unrelated.example", type: "A", class: "IN", data: "6.6.6.6" },
        { name: "myip.opendns.com", type: "A", class: "CH", data: "6.6.6.7" },
      ]),
      7,
      Q,
    );
    expect(r).toEqual({ kind: "reply", rcode: "NOERROR", answers: ["81.2.69.142"] });
  });

  it.each([
    ["another ID", response([], { id: 8 })],
    ["a query instead of a response", response([], { qr: false })],
    ["another name", response([], { name: "evil.example" })],
  ])("calls %s a mismatch", (_t, msg) => {
    expect(decodeClientReply(msg, 7, Q).kind).toBe("mismatch");
  });

  it.each([
    ["11 bytes", new Uint8Array(11)],
    [
      "a header claiming a question that is missing",
      Uint8Array.from([0, 7, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ],
    [
      "an answer cut in the middle",
      response([{ name: "myip.opendns.com", type: "A", data: "81.2.69.142" }]).slice(0, 40),
    ],
  ])("calls %s malformed", (_t, msg) => {
    expect(decodeClientReply(msg, 7, Q).kind).toBe("malformed");
  });
});

describe("clientReplyMismatch (the accept rule the exchange applies for the stub resolver)", () => {
  it.each([
    ["another ID", response([], { id: 8 }), "reply ID 8 is not ours"],
    ["a query instead of a response", response([], { qr: false }), "message is not a response"],
    ["another name", response([], { name: "evil.example" }), "reply is for another question"],
    ["another type", response([], { type: "AAAA" }), "reply is for another question"],
    ["another class", response([], { class: "CH" }), "reply is for another question"],
    ["our reply", response([]), undefined],
    ["our reply, truncated", response([], { tc: true }), undefined],
    // Too broken to tell whose it is: taken, so decodeClientReply rejects it as malformed.
    ["11 bytes", new Uint8Array(11), undefined],
    [
      "a header claiming a question that is missing",
      Uint8Array.from([0, 7, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      undefined,
    ],
  ])("%s → %s", (_t, msg, reason) => {
    expect(clientReplyMismatch(msg, 7, Q)).toBe(reason);
  });

  it("refuses exactly what decodeClientReply calls a mismatch", () => {
    for (const msg of [
      response([], { id: 8 }),
      response([], { name: "evil.example" }),
      response([]),
      new Uint8Array(3),
    ])
      expect(clientReplyMismatch(msg, 7, Q) !== undefined).toBe(
        decodeClientReply(msg, 7, Q).kind === "mismatch",
      );
  });
});
