// Automatic certificates in `beacon serve` (acme.enabled; services/acme, docs/deploy/acme.md): the
// challenge chosen against the zones served now (dns-01 config errors stop the start), the solver
// (DNS-01 through the update service, answered by this process's zone index; HTTP-01 served by the
// HTTP app through `httpChallenge`), the CA over acme-client, the service with its /metrics. The
// certificate goes to `sink`: the HTTPS listeners' when they exist; otherwise a sink that only checks
// that the pair loads into a TLS context (so a bad chain is still a failure) and serves nothing.

import { createSecureContext } from "node:tls";
import { Counter, Gauge, type Registry } from "prom-client";
import type { AcmeSettings } from "../../config/server-config.js";
import { BeaconError } from "../../core/errors.js";
import type { CertificateSink } from "../../core/certificates.js";
import type { Clock } from "../../core/clock.js";
import type { Log } from "../../core/log.js";
import { systemTimers } from "../../core/timers.js";
import type { ZoneView } from "../../dns/answer/types.js";
import type { UpdateService } from "../../services/apply-update.js";
import { chooseChallenge } from "../../services/acme/challenge.js";
import { createDnsChallenges } from "../../services/acme/dns-01.js";
import { createHttpChallenges } from "../../services/acme/http-01.js";
import { createAcmeService, type AcmeService } from "../../services/acme/renewal.js";
import type { Store } from "../../store/ports.js";
import { createAcmeCa } from "./acme-ca.js";

const TXT = 16;

export interface AcmeSide {
  readonly service: AcmeService;
  /** For the HTTP app: the key authorization pending under a token (HTTP-01). */
  readonly httpChallenge: (token: string) => string | undefined;
}

/** undefined when acme.enabled is off. Throws config_invalid for settings the zones contradict. */
export async function wireAcme(d: {
  readonly settings: AcmeSettings;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Log;
  readonly updates: UpdateService;
  readonly index: ZoneView;
  readonly sink: CertificateSink | undefined;
  readonly registry: Registry;
  readonly owner: string;
}): Promise<AcmeSide | undefined> {
  const { settings, index } = d;
  if (!settings.enabled) return undefined;
  const zones = (await d.store.listZones()).map((z) => z.name);
  const challenge = chooseChallenge(settings.names, zones, settings.challenge);
  const http = createHttpChallenges();
  const solver =
    challenge === "http-01"
      ? http
      : createDnsChallenges({
          updates: d.updates,
          zoneOf: (fqdn) => index.findZone(fqdn)?.name,
          answered: (fqdn) => {
            const zone = index.findZone(fqdn);
            return (zone && index.lookup(zone, fqdn)?.sets.get(TXT)?.values) ?? [];
          },
          clock: d.clock,
          timers: systemTimers,
        });
  const service = createAcmeService({
    store: d.store,
    ca: createAcmeCa(settings.caFile),
    sink: d.sink ?? checkingSink(),
    challenge,
    solver,
    settings,
    owner: d.owner,
    clock: d.clock,
    timers: systemTimers,
    random: Math.random,
    log: d.log,
  });
  registerAcmeMetrics(d.registry, service);
  return { service, httpChallenge: (token) => http.lookup(token) };
}

/** A sink that serves nothing: it checks that the pair loads (as an HTTPS listener's would). */
function checkingSink(): CertificateSink {
  return {
    install(pair) {
      try {
        createSecureContext({ cert: pair.certPem, key: pair.keyPem });
      } catch (e) {
        throw new BeaconError("config_invalid", `${pair.origin}: the certificate and key do not load`, {
          cause: e,
        });
      }
    },
  };
}

function registerAcmeMetrics(registry: Registry, service: AcmeService): void {
  const seconds = (ms: number | undefined) => (ms === undefined ? 0 : Math.floor(ms / 1000));
  new Gauge({
    name: "beacon_acme_certificate_not_after_seconds",
    help: "When the ACME certificate served expires (Unix seconds; 0: none yet).",
    registers: [registry],
    collect() {
      this.set(seconds(service.status().notAfter));
    },
  });
  new Gauge({
    name: "beacon_acme_last_success_seconds",
    help: "When the ACME certificate served was issued (Unix seconds; 0: none yet).",
    registers: [registry],
    collect() {
      this.set(seconds(service.status().issuedAt));
    },
  });
  new Counter({
    name: "beacon_acme_failures_total",
    help: "Failed ACME orders by this process.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(service.status().failuresTotal);
    },
  });
}
