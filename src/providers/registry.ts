// Every provider type by its config name. A new provider is one file plus one line here, a doc page
// in docs/providers/<type>.md, and a test that runs the contract suite (testing/contract.ts) against it.
// Its settings schema marks the settings that carry secrets (secrets.ts); every provider built through
// this map rejects only with errors those secrets are cut out of (redacting.ts).

import { alidnsProvider } from "./alidns.js";
import { cloudflareProvider } from "./cloudflare/cloudflare.js";
import { desecProvider } from "./desec.js";
import { digitaloceanProvider } from "./digitalocean.js";
import { dnspodProvider } from "./dnspod.js";
import { duckdnsProvider } from "./duckdns.js";
import { dyndns2Provider } from "./dyndns2/dyndns2.js";
import { gandiProvider } from "./gandi.js";
import { godaddyProvider } from "./godaddy.js";
import { hetznerProvider } from "./hetzner.js";
import { httpCallbackProvider } from "./http-callback/http-callback.js";
import { huaweicloudProvider } from "./huaweicloud.js";
import { namecheapProvider } from "./namecheap.js";
import { porkbunProvider } from "./porkbun.js";
import { powerdnsProvider } from "./powerdns.js";
import { withRedaction } from "./kit/redacting.js";
import { rfc2136Provider } from "./rfc2136.js";
import { route53Provider } from "./route53/route53.js";
import type { ProviderDefinition } from "./types.js";

const DEFINITIONS: readonly ProviderDefinition[] = [
  alidnsProvider,
  cloudflareProvider,
  desecProvider,
  digitaloceanProvider,
  dnspodProvider,
  duckdnsProvider,
  dyndns2Provider,
  gandiProvider,
  godaddyProvider,
  hetznerProvider,
  httpCallbackProvider,
  huaweicloudProvider,
  namecheapProvider,
  porkbunProvider,
  powerdnsProvider,
  rfc2136Provider,
  route53Provider,
];

export const PROVIDER_TYPES: ReadonlyMap<string, ProviderDefinition> = new Map(
  DEFINITIONS.map((d) => [d.type, withRedaction(d)]),
);
