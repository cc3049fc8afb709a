// The container recipe (deploy/container/) without a container engine (none runs here): what each
// Dockerfile stage copies exists and is not left out of the build context, the build stage holds
// every file the compiler reads, the runtime stage's program needs no development package, its
// ENTRYPOINT + CMD start the built server with the image's environment and its HEALTHCHECK passes
// against it (and fails without a server); the compose file parses, waits for a healthy PostgreSQL
// and sets only real settings, to values the server accepts.

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import ts from "typescript";
import { parse } from "yaml";
import { loadServerConfig, SERVER_TABLE } from "../../src/config/index.js";
import { ROOT, startBeacon, tempDir } from "./support/beacon.js";

interface Instruction {
  readonly op: string;
  readonly args: string;
  /** The stage it belongs to (its AS name). */
  readonly stage: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = "";
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const line of lines) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (m === null || line.trim().startsWith("#")) continue;
    const [, op = "", args = ""] = m;
    if (op === "FROM") stage = /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? "";
    out.push({ op, args: args.trim(), stage });
  }
  return out;
}

const dockerfile = instructions(readFileSync(join(ROOT, "deploy/container/Dockerfile"), "utf8"));
const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#"));
const of = (stage: string, op: string) => dockerfile.filter((i) => i.stage === stage && i.op === op);
const json = (args: string) => JSON.parse(args) as string[];

/** COPY's sources and destination; `from` for COPY --from=<stage>. */
function copies(stage: string) {
  return of(stage, "COPY").map((i) => {
    const from = /^--from=(\S+)\s+/.exec(i.args);
    const words = i.args.replace(/^--from=\S+\s+/, "").split(/\s+/);
    return { from: from?.[1], sources: words.slice(0, -1), dest: words.at(-1) ?? "" };
  });
}

/** The image's environment: ENV k=v … of the runtime stage. */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of of("runtime", "ENV"))
    for (const pair of i.args.split(/\s+/)) {
      const [k = "", v = ""] = pair.split("=");
      env[k] = v;
    }
  return env;
}

describe("Dockerfile", () => {
  test("three stages: build, deps and runtime, which runs as a non-root user", () => {
    expect(dockerfile.filter((i) => i.op === "FROM").map((i) => i.stage)).toEqual([
      "build",
      "deps",
      "runtime",
    ]);
    expect(of("runtime", "USER").map((i) => i.args)).toEqual(["node"]);
    expect(of("deps", "RUN")[0]?.args).toMatch(/^npm ci --omit=dev /);
  });

  test("every file copied from the context exists and is not left out by .dockerignore", () => {
    const sources = ["build", "deps", "runtime"].flatMap((s) =>
      copies(s).flatMap((c) => (c.from === undefined ? c.sources : [])),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
  });

  test("the build stage copies every file the compiler reads", () => {
    const copied = copies("build").flatMap((c) => c.sources);
    const read = execFileSync(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--listFilesOnly"],
      { cwd: ROOT, encoding: "utf8" },
    )
      .split("\n")
      .filter((f) => f.startsWith(`${ROOT}/`) && !f.includes("/node_modules/"))
      .map((f) => f.slice(ROOT.length + 1));
    expect(read.length).toBeGreaterThan(100);
    const missing = read.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
    expect(missing).toEqual([]);
    expect(of("build", "RUN").at(-1)?.args).toBe("npx tsc -b tsconfig.build.json");
  });

  test("the runtime stage takes dist/ from the build and node_modules from the production install", () => {
    const from = copies("runtime").filter((c) => c.from !== undefined);
    expect(from.map((c) => [c.from, c.sources, c.dest])).toEqual([
      ["deps", ["/app/node_modules"], "./node_modules"],
      ["build", ["/src/dist"], "./dist"],
    ]);
    expect(of("deps", "WORKDIR")[0]?.args).toBe("/app");
    expect(of("build", "WORKDIR")[0]?.args).toBe("/src");
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { outDir: string };
    };
    expect(build.compilerOptions.outDir).toBe("dist");
  });

  test("the built program imports no development package (npm ci --omit=dev has all it needs)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set(builtinModules);
    const bad = new Set<string>();
    const seen = new Set<string>();
    const scan = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) scan(path);
        else if (e.name.endsWith(".js"))
          for (const { fileName: spec } of ts.preProcessFile(readFileSync(path, "utf8"), true, true)
            .importedFiles) {
            if (spec.startsWith(".")) continue;
            const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
            if (spec.startsWith("node:") || builtins.has(spec) || name === undefined) continue;
            seen.add(name);
            if (pkg.dependencies[name] === undefined) bad.add(`${path.slice(ROOT.length + 1)}: ${spec}`);
          }
      }
    };
    scan(join(ROOT, "dist"));
    expect(seen).toContain("better-sqlite3");
    expect([...bad]).toEqual([]);
  });
});

describe("the runtime stage's commands, against the built program", () => {
  // The image's /app, laid out as the runtime stage copies it (node_modules linked, not installed).
  const app = tempDir("beacon-image-");
  const data = tempDir("beacon-image-data-");
  afterAll(() => {
    app.remove();
    data.remove();
  });

  test("ENTRYPOINT + CMD serve with the image's environment; HEALTHCHECK passes, and fails with no server", async () => {
    for (const c of copies("runtime"))
      for (const source of c.sources)
        if (c.from === undefined)
          cpSync(join(ROOT, source), join(app.path, c.dest === "./" ? source : c.dest), { recursive: true });
    cpSync(join(ROOT, "dist"), join(app.path, "dist"), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(app.path, "node_modules"));

    const entry = json(of("runtime", "ENTRYPOINT")[0]?.args ?? "[]");
    const cmd = json(of("runtime", "CMD")[0]?.args ?? "[]");
    expect([...entry, ...cmd]).toEqual(["node", "/app/dist/cli/main.js", "serve"]);
    const env = imageEnv();
    expect(env["BEACON_DATA_DIR"]).toBe(of("runtime", "VOLUME")[0]?.args.replace(/^\["|"\]$/g, ""));
    for (const name of Object.keys(env).filter((k) => k.startsWith("BEACON_")))
      expect(SERVER_TABLE.byEnv.has(name), name).toBe(true);

    // Port 0 instead of the image's fixed ports; the data directory a temporary one.
    const beacon = await startBeacon({
      main: join(app.path, "dist/cli/main.js"),
      dataDir: data.path,
      env: { ...env, BEACON_DATA_DIR: data.path, BEACON_HTTP_LISTEN: "", BEACON_DNS_LISTEN: "" },
    });
    try {
      const check = /CMD (\[.*\])$/.exec(of("runtime", "HEALTHCHECK")[0]?.args ?? "")?.[1] ?? "[]";
      const [node, ...args] = json(check);
      expect(node).toBe("node");
      expect(args.join(" ")).toContain("http://127.0.0.1:8245/healthz");
      const run = (port: number) =>
        spawnSync(
          process.execPath,
          args.map((a) => a.replace("127.0.0.1:8245", `127.0.0.1:${port}`)),
          { encoding: "utf8", timeout: 20_000 },
        );
      expect(run(beacon.httpPort).status).toBe(0);
      expect(run(beacon.dnsPort).status).toBe(1); // no HTTP there: the check must fail
    } finally {
      await beacon.stop();
    }
  });
});

describe("compose.yaml", () => {
  interface Service {
    image?: string;
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }> | string[];
    healthcheck?: { test: string[] };
    networks?: Record<string, { ipv4_address?: string } | null> | string[];
    command?: string[];
    ports?: string[];
  }
  const compose = parse(readFileSync(join(ROOT, "deploy/container/compose.yaml"), "utf8")) as {
    services: Record<string, Service>;
  };
  const services = compose.services;
  const sample = { POSTGRES_PASSWORD: "s3cretPassw0rd", BEACON_DOMAIN: "dns.example.org" };
  /** Compose's interpolation of ${NAME}, ${NAME:?message} and ${NAME:-default}, from `sample`. */
  const interpolate = (v: string) =>
    v.replace(/\$\{([A-Z_]+)(?::[?-][^}]*)?\}/g, (_m, name: keyof typeof sample) => {
      const value = sample[name];
      if (value === undefined) throw new Error(`compose.yaml uses \${${name}}, which .env does not set`);
      return value;
    });

  test("Beacon on postgres:15 and Caddy; Beacon waits until PostgreSQL is healthy", () => {
    expect(Object.keys(services).sort()).toEqual(["beacon", "caddy", "postgres"]);
    expect(services["postgres"]?.image).toBe("postgres:15");
    expect(services["postgres"]?.healthcheck?.test.join(" ")).toContain("pg_isready");
    expect(services["beacon"]?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(services["caddy"]?.image).toMatch(/^caddy:/);
  });

  test("every BEACON_* name is a real setting, and the server accepts the values", () => {
    const environment = services["beacon"]?.environment ?? {};
    const names = Object.keys(environment);
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) expect(SERVER_TABLE.byEnv.has(name), name).toBe(true);
    const warnings: string[] = [];
    const env = {
      ...imageEnv(),
      ...Object.fromEntries(names.map((n) => [n, interpolate(environment[n] ?? "")])),
    };
    const config = loadServerConfig({ env, flags: {}, cwd: "/app", warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(config.store.postgres?.where).toBe("postgres:5432/beacon");
    expect(config.http.publicUrl).toBe("https://dns.example.org");
    expect(config.demo.enabled).toBe(false);
  });

  test("only Caddy is a trusted proxy, and Caddy forwards to Beacon's HTTP port", () => {
    const caddyNet = services["caddy"]?.networks as Record<string, { ipv4_address?: string }>;
    const proxies = services["beacon"]?.environment?.["BEACON_HTTP_TRUSTED_PROXIES"];
    expect(proxies).toBe(caddyNet["front"]?.ipv4_address);
    const http = imageEnv()["BEACON_HTTP_LISTEN"]?.split(":").at(-1);
    expect(services["caddy"]?.command?.slice(-2)).toEqual(["--to", `beacon:${http}`]);
  });

  test("the host's port 53 reaches the image's DNS port, over UDP and TCP", () => {
    const dns = imageEnv()["BEACON_DNS_LISTEN"]?.split(":").at(-1);
    expect(services["beacon"]?.ports).toEqual([`53:${dns}/udp`, `53:${dns}/tcp`]);
  });
});
