import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { silentLog } from "../../core/log.js";
import { createDnsExchange } from "../client/exchange.js";
import { decode, EXAMPLE_ZONE, SNAPSHOT } from "../testing/fixtures.js";
import { signTsig, verifyTsig, type TsigKey } from "../tsig/tsig.js";
import { ZoneIndex } from "../answer/zone-index.js";
import { ZoneJournal } from "./journal.js";
import { createNotifier, type Notifier } from "./notifier.js";

const KEY: TsigKey = { name: "notify-key", algorithm: "hmac-sha256", secret: new Uint8Array(32).fill(7) };

/** A fake secondary on 127.0.0.1:0 that ignores the first `ignore` NOTIFYs and answers the rest. */
async function secondary(ignore: number, sign?: TsigKey) {
  const socket = dgram.createSocket("udp4");
  const received: Uint8Array[] = [];
  socket.on("message", (msg, rinfo) => {
    received.push(new Uint8Array(msg));
    if (received.length <= ignore) return;
    const reply = new Uint8Array(msg.subarray(0, 12 + EXAMPLE_ZONE.name.length + 2 + 4));
    reply[2] = reply[2]! | 0x80;
    reply.fill(0, 6, 12); // question only
    const mac = sign && verifyTsig(msg, { findKey: () => sign, now: Math.floor(Date.now() / 1000) });
    const out =
      sign && mac?.status === "ok"
        ? signTsig(reply, { key: sign, timeSigned: Math.floor(Date.now() / 1000), requestMac: mac.mac })
            .message
        : reply;
    socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return { port: socket.address().port, received, close: () => socket.close() };
}

let notifier: Notifier | undefined;
afterEach(async () => {
  await notifier?.stop();
  notifier = undefined;
});

function start(port: number, tries: number, key?: TsigKey) {
  const journal = new ZoneJournal(new ZoneIndex());
  journal.load(SNAPSHOT);
  notifier = createNotifier({
    targets: [{ host: "127.0.0.1", port }],
    source: journal,
    exchange: createDnsExchange({ maxSends: 1 }),
    ...(key === undefined ? {} : { key: () => key }),
    clock: () => Date.now(),
    randomId: () => Math.floor(Math.random() * 65536),
    log: silentLog,
    tries,
    baseDelayMs: 30,
  });
  notifier.load(SNAPSHOT);
  const change = (serial: number) => {
    journal.serialChanged(EXAMPLE_ZONE.name, serial);
    notifier!.serialChanged(EXAMPLE_ZONE.name, serial);
  };
  return { change };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("NOTIFY sender", () => {
  it("sends NOTIFY (opcode 4, AA, SOA question, new SOA in answer) and retries until answered", async () => {
    const peer = await secondary(2);
    const { change } = start(peer.port, 5);
    change(EXAMPLE_ZONE.serial + 1);
    await until(() => peer.received.length >= 3);
    await new Promise((r) => setTimeout(r, 300)); // long enough for more retries, were any sent
    peer.close();
    expect(peer.received).toHaveLength(3);
    for (const m of peer.received) {
      const d = decode(m);
      expect([d.opcode, d.aa, d.qdcount]).toEqual([4, true, 1]);
      expect(d.msg.questions).toEqual([{ name: EXAMPLE_ZONE.name, type: "SOA", class: "IN" }]);
      expect((d.msg.answers?.[0]?.data as { serial: number }).serial).toBe(EXAMPLE_ZONE.serial + 1);
    }
  });

  it("gives up after the configured number of tries", async () => {
    const peer = await secondary(1000);
    const { change } = start(peer.port, 3);
    change(EXAMPLE_ZONE.serial + 1);
    await until(() => peer.received.length >= 3);
    await new Promise((r) => setTimeout(r, 400));
    peer.close();
    expect(peer.received).toHaveLength(3);
  });

  it("signs with the configured key", async () => {
    const peer = await secondary(0, KEY);
    const { change } = start(peer.port, 2, KEY);
    change(EXAMPLE_ZONE.serial + 7);
    await until(() => peer.received.length >= 1);
    peer.close();
    const v = verifyTsig(peer.received[0]!, { findKey: () => KEY, now: Math.floor(Date.now() / 1000) });
    expect(v.status).toBe("ok");
  });

  it("sends nothing when the serial did not change", async () => {
    const peer = await secondary(0);
    start(peer.port, 2);
    notifier!.load(SNAPSHOT);
    notifier!.zoneChanged(EXAMPLE_ZONE);
    await new Promise((r) => setTimeout(r, 100));
    peer.close();
    expect(peer.received).toHaveLength(0);
  });
});
