// Test doubles for the service ports: a listener and a log that record what they are told.

import type { Zone } from "../../core/zones.js";
import type { ChangeListener } from "../../store/change-listener.js";
import type { Log } from "../../core/log.js";

export interface LogLine {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

/** Records each call as one readable line, e.g. "host a.example.com A=1.2.3.4". */
export function recordingListener(events: string[]): ChangeListener {
  return {
    zoneChanged: (z: Zone) => events.push(`zone ${z.name}`),
    zoneRemoved: (name) => events.push(`zoneRemoved ${name}`),
    hostChanged: (fqdn, _zone, sets) =>
      events.push(`host ${fqdn} ${sets.map((s) => `${s.type}=${s.values.join("|")}`).join(" ")}`.trim()),
    hostRemoved: (fqdn) => events.push(`hostRemoved ${fqdn}`),
    serialChanged: (zone) => events.push(`serial ${zone}`),
  };
}

export function recordingLog(lines: LogLine[]): Log {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
