// Plain queries for the catalog zone (dns.transfer.catalog), in front of the query route. A secondary
// asks the catalog's SOA before each transfer (refresh, and after a NOTIFY): that is answered,
// authoritatively, from the catalog. Every other question for a name of the catalog (the apex,
// `version.<catalog>`, `zones.<catalog>` and below) is REFUSED: the member list is for the consumers,
// by zone transfer under dns.transfer.allow / keys (RFC 9432 §7: a catalog reveals every zone served;
// it is not meant for resolution). Anything else goes on to `answer` untouched, so a zone of Beacon's
// below the catalog's name (unusual) is still answered. Until the catalog is first published (a store
// read at start) its SOA is SERVFAIL, so a secondary tries again; the catalog's names never reach the
// zone index, whose answer cache would keep a refusal after the catalog appears.

import type { Transport } from "../answer/types.js";
import { CLASS, RCODE, TYPE } from "../wire/constants.js";
import { parseQuery } from "../wire/query.js";
import type { CatalogZone } from "./catalog-zone.js";
import { errorReply, packTransfer } from "./stream.js";

type Answer = (
  msg: Uint8Array,
  ctx: { readonly transport: Transport; readonly remoteAddress: string },
) => Uint8Array | undefined;

export function catalogQueries(answer: Answer, catalog: CatalogZone | undefined): Answer {
  if (catalog === undefined) return answer;
  const version = `version.${catalog.name}`;
  const members = `zones.${catalog.name}`;
  const ours = (name: string): boolean =>
    name === catalog.name || name === version || name === members || name.endsWith(`.${members}`);
  return (msg, ctx) => {
    const parsed = parseQuery(msg);
    if (parsed.kind !== "query") return answer(msg, ctx);
    const q = parsed.query;
    const name = q.qname.name;
    if (!ours(name)) return answer(msg, ctx);
    if (name !== catalog.name || q.qtype !== TYPE.SOA || q.qclass !== CLASS.IN)
      return errorReply(msg, q, RCODE.REFUSED);
    const zone = catalog.zone();
    if (zone === undefined) return errorReply(msg, q, RCODE.SERVFAIL);
    const soa = { owner: zone.owner, type: TYPE.SOA, ttl: zone.ttl, rdata: zone.soaRdata };
    return packTransfer(msg, q, [soa], 512)?.[0];
  };
}
