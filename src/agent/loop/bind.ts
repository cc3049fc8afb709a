// Multi-WAN: a record bound to an interface or a local address detects and publishes through that
// line. An interface is turned into one of its addresses at each cycle (addresses come and go).

import type { IpFamily } from "../../core/ip.js";
import type { RecordBind } from "../config/agent-config.js";
import { pickInterfaceAddress } from "../detect/pick.js";
import type { InterfaceAddress, ReadInterfaces } from "../system/types.js";

export type BindResult =
  | { readonly ok: true; readonly localAddress: string | undefined }
  | { readonly ok: false; readonly detail: string };

/** Never throws. */
export async function resolveBind(
  bind: RecordBind | undefined,
  family: IpFamily,
  readInterfaces: ReadInterfaces,
): Promise<BindResult> {
  if (bind === undefined) return { ok: true, localAddress: undefined };
  if (bind.kind === "address") return { ok: true, localAddress: bind.address };
  let table: readonly InterfaceAddress[];
  try {
    table = await readInterfaces();
  } catch (e) {
    return { ok: false, detail: `cannot read interfaces: ${e instanceof Error ? e.message : String(e)}` };
  }
  const picked = pickInterfaceAddress(table, bind.interface, family);
  return picked.ok
    ? { ok: true, localAddress: picked.address.address }
    : { ok: false, detail: `bind: ${picked.detail}` };
}
