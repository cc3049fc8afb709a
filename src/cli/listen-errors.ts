// The expected ways a listener fails to start, as one line a person can act on: the address, the
// setting and its flag, what went wrong and what to do. The error catalogue code sets the exit status
// (docs/cli.md). Anything else is returned as it was (a bug: reported with its stack).

import { BeaconError, type ErrorCode } from "../core/errors.js";
import { outOfFilesError } from "./open-files.js";

export type ListenSetting = "http.listen" | "http.tls.listen" | "dns.listen";

const FLAG: Readonly<Record<ListenSetting, string>> = {
  "http.listen": "--http-listen",
  "http.tls.listen": "--http-tls-listen",
  "dns.listen": "--dns-listen",
};

interface Where {
  readonly host: string;
  readonly port: number;
}

interface Hint {
  readonly code: ErrorCode;
  readonly hint: (flag: string, port: number) => string;
}

const NOT_PERMITTED: Hint = {
  code: "listen_not_permitted",
  hint: (flag, port) =>
    `permission denied${port > 0 && port < 1024 ? ` (port ${port} is below 1024 and needs privilege)` : ""}: use a port from 1024 up with ${flag}, or grant the capability: \`sudo setcap cap_net_bind_service=+ep $(which node)\`, or AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit`,
};

const HINTS: Readonly<Record<string, Hint>> = {
  EADDRINUSE: {
    code: "address_in_use",
    hint: (flag) =>
      `the address is already in use: is another Beacon (or another server) running? Stop it, or choose another port with ${flag}`,
  },
  EACCES: NOT_PERMITTED,
  EPERM: NOT_PERMITTED,
  EADDRNOTAVAIL: {
    code: "address_not_available",
    hint: (flag) =>
      `the address is not on this machine (see \`ip addr\`): listen on one of its addresses, or on 0.0.0.0 or [::] for all, with ${flag}`,
  },
  EAFNOSUPPORT: {
    code: "address_not_available",
    hint: (flag) =>
      `this machine does not support that address family (IPv6 disabled?): choose another with ${flag}`,
  },
};

/**
 * `e` as one clear BeaconError when it is an expected failure to listen on one of `configured` for
 * `setting`; else `e` itself. The failing address is the error's own when it says (Node's bind
 * errors do), else every configured one.
 */
export function listenFailure(e: unknown, setting: ListenSetting, configured: readonly Where[]): unknown {
  const err = e as Partial<NodeJS.ErrnoException & { address: string; port: number }> | undefined;
  const code = typeof err?.code === "string" ? err.code : undefined;
  if (code === undefined) return e;
  const at =
    typeof err?.address === "string" && typeof err.port === "number"
      ? [{ host: err.address, port: err.port }]
      : configured;
  const where = `cannot listen on ${at.map(format).join(", ")} (${setting}, ${FLAG[setting]})`;
  if (code === "EMFILE" || code === "ENFILE") {
    const tooMany = outOfFilesError("open another socket");
    return new BeaconError("too_many_open_files", `${where}: ${tooMany.message}`);
  }
  const known = HINTS[code];
  if (known === undefined) return e;
  return new BeaconError(known.code, `${where}: ${known.hint(FLAG[setting], at[0]?.port ?? 0)}`);
}

function format(w: Where): string {
  return w.host.includes(":") ? `[${w.host}]:${w.port}` : `${w.host}:${w.port}`;
}
