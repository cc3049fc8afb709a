// Target "dyndns2": any dyndns2 update URL (No-IP, Dynu, DynV6, a Beacon server, …).
// GET {url}?hostname=…&myip=… with Basic auth and our User-Agent; the reply is read by
// interpretDyndns2. The password only ever travels in the Authorization header, never in the URL.

import { Buffer } from "node:buffer";
import { z } from "zod";
import type { HttpReply } from "../net/types.js";
import { interpretDyndns2 } from "./dyndns2-reply.js";
import { invalidRequest, neverThrows, transportFailure } from "./failures.js";
import { httpUrlSetting } from "../../net/http-url.js";
import type { Target, TargetDefinition, TargetDeps } from "./types.js";

export interface Dyndns2TargetSettings {
  /** The full update URL, e.g. "https://dynupdate.no-ip.com/nic/update" (extra query parameters are kept). */
  readonly url: string;
  readonly username: string;
  /** Password or the provider's update key, resolved from password_file by config. */
  readonly password: string;
  /** The name the service knows (default: the record's fqdn). */
  readonly hostname?: string | undefined;
  /** Parameter that carries an IPv6 address: `myip` (Dyn, most) or `myipv6` (No-IP, deSEC, Dynu). */
  readonly send_ipv6_as: "myip" | "myipv6";
}

const settings: z.ZodType<Dyndns2TargetSettings> = z.strictObject({
  url: httpUrlSetting({ allowQuery: true }),
  username: z
    .string({ error: "expected the dyndns2 username" })
    .min(1, { error: "the username is empty" })
    .refine((u) => !u.includes(":"), { error: "a Basic-auth username cannot contain ':'" }),
  password: z
    .string({ error: "expected the dyndns2 password (or password_file)" })
    .min(1, { error: "the password is empty" }),
  hostname: z
    .string({ error: "expected one hostname" })
    .regex(/^[^\s,]{1,253}$/, { error: "expected exactly one hostname (no commas or spaces)" })
    .optional(),
  send_ipv6_as: z.enum(["myip", "myipv6"], { error: "expected myip or myipv6" }).default("myip"),
});

export const dyndns2Target: TargetDefinition<Dyndns2TargetSettings> = {
  type: "dyndns2",
  description: "Any dyndns2 update URL (No-IP, Dynu, DynV6, Beacon's /nic/update, …) with Basic auth",
  settings,
  create: (id, s, deps) => createDyndns2Target(id, s, deps),
};

function createDyndns2Target(id: string, s: Dyndns2TargetSettings, deps: TargetDeps): Target {
  const authorization = `Basic ${Buffer.from(`${s.username}:${s.password}`, "utf8").toString("base64")}`;
  return {
    id,
    publish: (req) =>
      neverThrows(req.signal, `dyndns2 ${id}`, async () => {
        const invalid = invalidRequest(req);
        if (invalid !== undefined) return invalid;
        const url = new URL(s.url);
        const param = req.type === "AAAA" && s.send_ipv6_as === "myipv6" ? "myipv6" : "myip";
        for (const p of ["hostname", "myip", "myipv6"]) url.searchParams.delete(p);
        // Values are validated addresses ([0-9a-f.:]); ',' and ':' stay literal, as ddclient sends them.
        const ours = `hostname=${encodeURIComponent(s.hostname ?? req.fqdn)}&${param}=${req.values.join(",")}`;
        url.search = url.search === "" ? `?${ours}` : `${url.search}&${ours}`;
        let reply: HttpReply;
        try {
          reply = await deps.httpRequest(url.toString(), {
            method: "GET",
            headers: { authorization, "user-agent": deps.userAgent, accept: "text/plain" },
            signal: req.signal,
            ...(req.localAddress === undefined ? {} : { localAddress: req.localAddress }),
          });
        } catch (e) {
          return transportFailure(e, req.signal, `dyndns2 ${id}`);
        }
        return interpretDyndns2(reply, req.values, deps.clock());
      }),
  };
}
