import { describe, expect, it } from "vitest";
import { loadServerConfig } from "../../config/index.js";
import { adminOptions } from "./serve.js";

const CWD = "/srv/beacon";
const config = (flags: Record<string, string>, file?: string) =>
  loadServerConfig({
    env: {},
    flags,
    cwd: CWD,
    ...(file === undefined ? {} : { file, readFile: () => "log:\n  level: info\n" }),
  });

describe("the start banner's admin hints", () => {
  it("need no option where the defaults find the data", () => {
    expect(adminOptions(config({}), CWD)).toBe("");
    expect(adminOptions(config({ data_dir: "data" }), CWD)).toBe("");
  });

  it("carry --data-dir when the data is elsewhere, quoted for the shell when needed", () => {
    expect(adminOptions(config({ data_dir: "/var/lib/beacon" }), CWD)).toBe(" --data-dir /var/lib/beacon");
    expect(adminOptions(config({ data_dir: "my data" }), CWD)).toBe(" --data-dir '/srv/beacon/my data'");
    // The same ./data, but from another directory than the one the admin command will run in.
    expect(adminOptions(config({}), "/home/me")).toBe(" --data-dir /srv/beacon/data");
  });

  it("carry --config when a configuration file was read", () => {
    expect(adminOptions(config({}, "/etc/beacon/beacon.yaml"), CWD)).toBe(
      " --config /etc/beacon/beacon.yaml",
    );
  });

  it("on PostgreSQL carry no --data-dir (the store is not there) and never the URL", () => {
    const url = "postgres://beacon:pw-in-url@db/beacon";
    expect(adminOptions(config({ data_dir: "/var/lib/beacon", "store.postgres_url": url }), CWD)).toBe("");
  });
});
