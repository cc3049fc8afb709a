import { describe, expect, test } from "vitest";
import type { Log } from "../../core/log.js";
import { createWorkerChannel } from "./channel.js";
import type { PrimaryMessage } from "./protocol.js";

const reply = (id: number): PrimaryMessage => ({ kind: "reply", id, bytes: null });

function setup() {
  const sent: PrimaryMessage[] = [];
  const debug: string[] = [];
  const proc = {
    connected: true,
    throws: false,
    send(m: PrimaryMessage) {
      if (this.throws) throw new Error("channel closed");
      sent.push(m);
    },
    isConnected() {
      return this.connected;
    },
  };
  const log: Log = { debug: (_o, m) => debug.push(m ?? ""), info() {}, warn() {}, error() {} };
  return { proc, sent, debug, channel: createWorkerChannel(proc, log) };
}

describe("the worker channel", () => {
  test("holds what is sent before hello and sends it then, in order; sends at once afterwards", () => {
    const { channel, sent } = setup();
    channel.send(reply(1));
    channel.send(reply(2));
    expect(sent).toEqual([]);
    channel.opened();
    expect(sent).toEqual([reply(1), reply(2)]);
    channel.send(reply(3));
    expect(sent).toEqual([reply(1), reply(2), reply(3)]);
  });

  test("drops what is sent once the channel is closed, held or not", () => {
    const { channel, proc, sent } = setup();
    proc.connected = false;
    channel.send(reply(1));
    proc.connected = true;
    channel.send(reply(2));
    proc.connected = false;
    channel.opened();
    channel.send(reply(3));
    expect(sent).toEqual([]);
  });

  test("a send that throws is logged and dropped, never thrown", () => {
    const { channel, proc, sent, debug } = setup();
    channel.opened();
    proc.throws = true;
    expect(() => channel.send(reply(1))).not.toThrow();
    proc.throws = false;
    channel.send(reply(2));
    expect(sent).toEqual([reply(2)]);
    expect(debug).toEqual(["dns worker: send failed"]);
  });
});
