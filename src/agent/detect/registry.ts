// Every IP source type, by the `type` name used in configuration. Adding a source: one file, one line.

import { beaconSource } from "./beacon.js";
import { commandSource } from "./command.js";
import { dnsSource } from "./dns.js";
import { httpSource } from "./http.js";
import { interfaceSource } from "./interface.js";
import { staticSource } from "./static.js";
import type { SourceDefinition } from "./types.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own settings type
type AnySource = SourceDefinition<any>;

export const SOURCE_TYPES: ReadonlyMap<string, AnySource> = new Map<string, AnySource>([
  [httpSource.type, httpSource],
  [beaconSource.type, beaconSource],
  [dnsSource.type, dnsSource],
  [interfaceSource.type, interfaceSource],
  [commandSource.type, commandSource],
  [staticSource.type, staticSource],
]);
