// Target "dyndns2": any dyndns2 update URL (No-IP, Dynu, DynV6, a Beacon server, …).
// GET {url}?hostname=…&myip=… with Basic auth and our User-Agent. The settings, the request and the
// reading of the reply are shared with the dyndns2 provider (providers/dyndns2/);
// this file only turns a reading into a PublishResult. The password never goes into the URL.

import type { HttpReply } from "../../net/http.js";
import { describeUnreadable, readDyndns2Reply } from "../../providers/dyndns2/reply.js";
import { dyndns2Request, dyndns2Settings, type Dyndns2Settings } from "../../providers/dyndns2/dyndns2.js";
import { invalidRequest, neverThrows, transportFailure } from "./failures.js";
import type { PublishResult, Target, TargetDefinition, TargetDeps } from "./types.js";

export type Dyndns2TargetSettings = Dyndns2Settings;

export const dyndns2Target: TargetDefinition<Dyndns2TargetSettings> = {
  type: "dyndns2",
  description: "Any dyndns2 update URL (No-IP, Dynu, DynV6, Beacon's /nic/update, …) with Basic auth",
  settings: dyndns2Settings,
  create: (id, s, deps) => createDyndns2Target(id, s, deps),
};

function createDyndns2Target(id: string, s: Dyndns2TargetSettings, deps: TargetDeps): Target {
  return {
    id,
    publish: (req) =>
      neverThrows(req.signal, `dyndns2 ${id}`, async () => {
        const invalid = invalidRequest(req);
        if (invalid !== undefined) return invalid;
        const { url, headers } = dyndns2Request(s, req.fqdn, req.type, req.values);
        let reply: HttpReply;
        try {
          reply = await deps.httpRequest(url, {
            method: "GET",
            headers: { ...headers, "user-agent": deps.userAgent },
            signal: req.signal,
            ...(req.localAddress === undefined ? {} : { localAddress: req.localAddress }),
          });
        } catch (e) {
          return transportFailure(e, req.signal, `dyndns2 ${id}`);
        }
        return resultOf(reply, req.values, deps.clock());
      }),
  };
}

function resultOf(reply: HttpReply, sent: readonly string[], now: number): PublishResult {
  const r = readDyndns2Reply(reply, sent, now);
  switch (r.kind) {
    case "good":
      return { status: "updated", detail: r.said };
    case "nochg":
      return { status: "noop", detail: r.said };
    case "refused":
      return { status: "fatal", code: r.word, detail: `${r.hint} (${r.said})` };
    case "wait":
      return {
        status: "backoff",
        code: r.word,
        detail: `the service reports a ${r.word === "911" ? "server outage" : "DNS error"} (${r.said})`,
        retryAfterMs: r.waitMs,
      };
    case "unreadable":
      return { status: "retry", code: r.code, detail: describeUnreadable(r) };
  }
}
