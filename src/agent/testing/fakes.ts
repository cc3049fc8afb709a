// Fakes for the agent loop's tests: sources whose answer the test sets, a target that records every
// publish and answers from a script, a notifier that records events, an interface table the test
// edits, and a record builder with sensible defaults.

import { parseIp } from "../../core/ip.js";
import type { RecordConfig } from "../config/agent-config.js";
import type { AgentRecord, InterfaceWatch } from "../loop/agent-record.js";
import type { IpSource } from "../detect/types.js";
import type { InterfaceAddress, ReadInterfaces } from "../system/types.js";
import type { DnsQuery, DnsQueryOptions } from "../../dns/client/ports.js";
import type { AgentEvent, Notifier } from "../notify/types.js";
import type { PublishRequest, PublishResult, Target } from "../targets/types.js";
import { stateKey } from "../state-file.js";

export interface FakeSource extends IpSource {
  /** What the next observations report: an address, or undefined for a failure. */
  answer: string | undefined;
  calls: number;
}

export function fakeSource(id: string, answer: string | undefined, operator = id): FakeSource {
  const source: FakeSource = {
    id,
    operator,
    families: [4, 6],
    answer,
    calls: 0,
    observe() {
      source.calls++;
      const ip = source.answer === undefined ? undefined : parseIp(source.answer);
      return Promise.resolve(
        ip === undefined ? { ok: false, reason: "network", detail: "fake source down" } : { ok: true, ip },
      );
    },
  };
  return source;
}

export interface FakeTarget extends Target {
  readonly calls: PublishRequest[];
  /** Results to return, in order; when empty, `updated`. */
  readonly script: PublishResult[];
  /** When set, current() reports these values (undefined: no current() at all). */
  live: readonly string[] | undefined;
  /** When set, publish waits until the request's signal aborts. */
  hang: boolean;
}

export function fakeTarget(id = "home", withCurrent = false): FakeTarget {
  const t: FakeTarget = {
    id,
    calls: [],
    script: [],
    live: undefined,
    hang: false,
    publish(req) {
      t.calls.push(req);
      if (t.hang)
        return new Promise((resolve) =>
          req.signal.addEventListener(
            "abort",
            () => resolve({ status: "retry", code: "aborted", detail: "aborted" }),
            {
              once: true,
            },
          ),
        );
      return Promise.resolve(
        t.script.shift() ?? { status: "updated", detail: `set ${req.values.join(",")}` },
      );
    },
  };
  if (withCurrent) {
    (t as { current?: Target["current"] }).current = () => Promise.resolve(t.live);
  }
  return t;
}

export interface FakeNotifier extends Notifier {
  readonly events: AgentEvent[];
}

export function fakeNotifier(): FakeNotifier {
  const events: AgentEvent[] = [];
  return {
    id: "recorder",
    kinds: ["change", "failure", "recovered"],
    events,
    notify(event) {
      events.push(event);
      return Promise.resolve({ ok: true });
    },
  };
}

export interface FakeInterfaces {
  table: InterfaceAddress[];
  reads: number;
  readonly read: ReadInterfaces;
}

export function fakeInterfaces(table: InterfaceAddress[] = []): FakeInterfaces {
  const f: FakeInterfaces = {
    table,
    reads: 0,
    read: () => {
      f.reads++;
      return Promise.resolve([...f.table]);
    },
  };
  return f;
}

export function ifaceAddress(
  name: string,
  address: string,
  over: Partial<InterfaceAddress> = {},
): InterfaceAddress {
  return {
    interface: name,
    address,
    family: address.includes(":") ? 6 : 4,
    prefixLength: address.includes(":") ? 64 : 24,
    temporary: false,
    deprecated: false,
    tentative: false,
    mac: undefined,
    ...over,
  };
}

export interface FakeDns {
  readonly query: DnsQuery;
  readonly asked: DnsQueryOptions[];
  /** Answers for every query (rcode NOERROR), or a whole reply. */
  answers: readonly string[];
  rcode: string;
}

export function fakeDns(answers: readonly string[] = []): FakeDns {
  const f: FakeDns = {
    asked: [],
    answers,
    rcode: "NOERROR",
    query: (opts) => {
      f.asked.push(opts);
      return Promise.resolve({ rcode: f.rcode, answers: f.answers });
    },
  };
  return f;
}

export function recordConfig(over: Partial<RecordConfig> = {}): RecordConfig {
  return {
    fqdn: "home.example.com",
    type: "A",
    target: "home",
    sources: ["a", "b"],
    builtin: false,
    quorum: 2,
    timeoutMs: 5_000,
    allowNonGlobal: false,
    bind: undefined,
    ipv6Host: undefined,
    ttl: 60,
    heartbeat: undefined,
    fingerprint: "fp-1",
    origin: "agent.yaml:1",
    ...over,
  };
}

export function agentRecord(
  sources: readonly IpSource[],
  target: Target,
  over: Partial<RecordConfig> = {},
  watch: InterfaceWatch = "none",
): AgentRecord {
  const config = recordConfig({ target: target.id, ...over });
  return {
    config,
    key: stateKey(config.fqdn, config.type, config.target),
    sources,
    ownRanges: new Map(),
    target,
    watch,
  };
}
