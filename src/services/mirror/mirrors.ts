// Mirror administration (the CLI today, the admin UI later): add, list, remove, resync, status.
// Settings are checked by the caller-supplied `checkSettings` (the provider's own schema, after
// reading `X_file` secrets) and stored as given, so secrets in files stay in files.

import type { Clock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import type { MirrorStatus, MirrorTarget } from "../../store/types.js";
import type { MirrorStore, ZoneStore } from "../../store/ports.js";

export const MIRROR_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface MirrorServiceDeps {
  readonly store: MirrorStore & Pick<ZoneStore, "getZone">;
  readonly clock: Clock;
  /** Throws a BeaconError naming the setting when `settings` do not suit `provider`. */
  readonly checkSettings: (id: string, provider: string, settings: Readonly<Record<string, unknown>>) => void;
}

export interface AddMirror {
  readonly zone: string;
  readonly provider: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface MirrorService {
  /**
   * Creates the mirror and queues the zone's current sets for it, so the provider catches up with what
   * Beacon serves. Resolves with the mirror and the number of sets queued.
   */
  add(id: string, req: AddMirror): Promise<{ mirror: MirrorTarget; queued: number }>;
  /** zone_not_found when `zone` is given and does not exist. */
  list(zone?: string): Promise<MirrorTarget[]>;
  /** mirror_not_found if absent. Its pending changes are dropped, records at the provider stay. */
  remove(id: string): Promise<void>;
  /** Queues every current set of the mirror's zone again; resolves with how many. mirror_not_found. */
  resync(id: string): Promise<number>;
  status(): Promise<MirrorStatus[]>;
}

export function checkMirrorId(id: string): string {
  if (!MIRROR_ID.test(id)) {
    throw new BeaconError(
      "bad_request",
      `mirror id ${JSON.stringify(id)} must be 1–63 of a-z, 0-9, "_" and "-", starting with a letter or digit`,
    );
  }
  return id;
}

export function createMirrorService(deps: MirrorServiceDeps): MirrorService {
  const { store, clock } = deps;
  return {
    async add(rawId, req) {
      const id = checkMirrorId(rawId);
      const zone = normalizeName(req.zone);
      if ((await store.getZone(zone)) === undefined)
        throw new BeaconError("zone_not_found", `no zone "${zone}"`);
      deps.checkSettings(id, req.provider, req.settings);
      const mirror = await store.createMirror({
        id,
        zone,
        provider: req.provider,
        settings: req.settings,
        createdAt: clock(),
      });
      return { mirror, queued: await store.enqueueResync(id, clock()) };
    },

    async list(rawZone) {
      if (rawZone === undefined) return store.listMirrors();
      const zone = normalizeName(rawZone);
      if ((await store.getZone(zone)) === undefined)
        throw new BeaconError("zone_not_found", `no zone "${zone}"`);
      return store.listMirrors(zone);
    },

    async remove(id) {
      if (!(await store.deleteMirror(id))) throw new BeaconError("mirror_not_found", `no mirror "${id}"`);
    },

    resync(id) {
      return store.enqueueResync(id, clock());
    },

    status() {
      return store.mirrorStatus();
    },
  };
}
