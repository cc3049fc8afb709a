// `beacon trust add|list|rm|test` (docs/protocols/oidc.md): trusted OpenID Connect issuers and the
// claim rules that let their JWTs update names without a stored secret (keyless updates from CI and
// workloads). Rules are rows in the store, so every node of a shared store sees them at once; a
// running server reads them on every JWT.
//
// The audience defaults to `http.public_url` (a token for one Beacon server is then no good at
// another); without it `--audience` must be given. Presets: --github-repo (GitHub Actions),
// --gitlab-project (GitLab CI, gitlab.com unless --issuer says otherwise).

import type { Command } from "commander";

import { systemClock } from "../../core/clock.js";
import { BeaconError } from "../../core/errors.js";
import { normalizeName } from "../../core/names.js";
import { RECORD_TYPES } from "../../core/records.js";
import type { NameScope } from "../../core/zones.js";
import { createHttpRequest } from "../../net/http-request.js";
import { createIssuerKeys } from "../../services/oidc/issuer-keys.js";
import { createJwtAuthenticator } from "../../services/oidc/jwt-auth.js";
import {
  checkTrustRule,
  DEFAULT_ALGORITHMS,
  parseCondition,
  type TrustRuleInput,
} from "../../services/oidc/trust-rules.js";
import type { TrustRule } from "../../store/types.js";
import { action } from "../action.js";
import { withAdmin } from "../context.js";
import { formatTime, printJson, printTable } from "../output.js";
import { listOption, recordTypesOption } from "./options.js";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const GITLAB_ISSUER = "https://gitlab.com";

const scopeText = (names: readonly NameScope[]): string =>
  names.map((n) => (n.subtree ? `${n.name}/*` : n.name)).join(",");

type Opts = Record<string, unknown>;
const str = (opts: Opts, key: string): string | undefined => opts[key] as string | undefined;

/** The rule the options describe (presets first, then --issuer and --claim, which may refine them). */
export function ruleInput(id: string, opts: Opts, publicUrl: string | undefined): TrustRuleInput {
  const claims = ((opts["claim"] as string[] | undefined) ?? []).map(parseCondition);
  const githubRepo = str(opts, "githubRepo");
  const gitlabProject = str(opts, "gitlabProject");
  if (githubRepo !== undefined && gitlabProject !== undefined)
    throw new BeaconError("invalid_trust", "give --github-repo or --gitlab-project, not both");
  let issuer = str(opts, "issuer");
  const ref = str(opts, "ref");
  if (githubRepo !== undefined) {
    issuer ??= GITHUB_ISSUER;
    claims.unshift({ claim: "repository", value: githubRepo });
    if (ref !== undefined) claims.push({ claim: "ref", value: ref });
  } else if (gitlabProject !== undefined) {
    issuer ??= GITLAB_ISSUER;
    claims.unshift({ claim: "project_path", value: gitlabProject });
    if (ref !== undefined) claims.push({ claim: "ref", value: ref });
  } else if (ref !== undefined) {
    throw new BeaconError(
      "invalid_trust",
      "--ref goes with --github-repo or --gitlab-project (else --claim ref=…)",
    );
  }
  if (opts["protected"] === true) claims.push({ claim: "ref_protected", value: "true" });
  if (issuer === undefined)
    throw new BeaconError("invalid_trust", "give --issuer (or --github-repo, --gitlab-project)");
  const audience = str(opts, "audience") ?? publicUrl;
  if (audience === undefined)
    throw new BeaconError("invalid_trust", "give --audience (there is no http.public_url to default to)");
  const names: NameScope[] = [
    ...((opts["name"] as string[] | undefined) ?? []).map((n) => ({
      name: normalizeName(n),
      subtree: false,
    })),
    ...((opts["subtree"] as string[] | undefined) ?? []).map((n) => ({
      name: normalizeName(n),
      subtree: true,
    })),
  ];
  const algorithms = opts["alg"] as string[] | undefined;
  return {
    id,
    issuer,
    audience,
    ...(algorithms === undefined ? {} : { algorithms }),
    claims,
    names,
    types: recordTypesOption(opts["type"] as string[] | undefined),
  };
}

function describeRule(r: TrustRule): string {
  const claims = r.claims.map((c) => `${c.claim}=${c.value}`).join(" ");
  return `${r.id}: ${r.issuer} (aud ${r.audience}) ${claims || "(no claim conditions)"} → ${scopeText(r.names)} ${r.types.join(",")}`;
}

export function registerTrust(program: Command): void {
  const trust = program
    .command("trust")
    .description("trusted OIDC issuers: keyless updates from CI and workloads with their JWTs");

  trust
    .command("add <id>")
    .description("trust an issuer's JWTs whose claims meet every --claim, for the names given")
    .option("--issuer <url>", "the issuer URL, exactly as the tokens' iss claim (https)")
    .option("--audience <aud>", "the aud the tokens must carry (default http.public_url)")
    .option("--claim <claim=value>", "a condition; * in the value matches anything (repeatable)", listOption)
    .option("--github-repo <owner/repo>", `GitHub Actions: issuer ${GITHUB_ISSUER}, repository=<owner/repo>`)
    .option(
      "--gitlab-project <group/project>",
      `GitLab CI: issuer ${GITLAB_ISSUER} (or --issuer), project_path=…`,
    )
    .option("--ref <ref>", "with a preset: the ref the token must be for, e.g. refs/heads/main")
    .option("--protected", "the ref must be protected (GitLab: ref_protected=true)")
    .option("--alg <algs>", `JWS algorithms accepted (default ${DEFAULT_ALGORITHMS.join(",")})`, listOption)
    .option("--name <fqdn>", "a hostname the tokens may update (repeatable, comma-separated)", listOption)
    .option("--subtree <name>", "a name the tokens may update with every name below it", listOption)
    .option("--type <types>", `record types they may change (default ${RECORD_TYPES.join(",")})`, listOption)
    .action(
      action(async (io, opts, id: string) => {
        const rule = await withAdmin(opts, async (ctx) => {
          const r = checkTrustRule(ruleInput(id, opts, ctx.config.http.publicUrl), systemClock());
          await ctx.store.createTrustRule(r);
          return r;
        });
        io.out(`trust rule ${describeRule(rule)}`);
        if (rule.claims.length === 0)
          io.err(
            "beacon: warning: no claim conditions: every token of this issuer for this audience qualifies",
          );
      }),
    );

  trust
    .command("list")
    .description("list trust rules")
    .option("--json", "machine-readable output")
    .action(
      action(async (io, opts) => {
        const rules = await withAdmin(opts, (ctx) => ctx.store.listTrustRules());
        if (opts["json"] === true) return printJson(io, rules);
        printTable(
          io,
          ["RULE", "ISSUER", "AUDIENCE", "CLAIMS", "SCOPE", "TYPES", "CREATED"],
          rules.map((r) => [
            r.id,
            r.issuer,
            r.audience,
            r.claims.map((c) => `${c.claim}=${c.value}`).join(" ") || "-",
            scopeText(r.names),
            r.types.join(","),
            formatTime(r.createdAt),
          ]),
          "no trust rules (add one with: beacon trust add <id> --github-repo owner/repo --name host.example.com)",
        );
      }),
    );

  trust
    .command("rm <id>")
    .description("delete a trust rule (its tokens stop working at once)")
    .action(
      action(async (io, opts, id: string) => {
        if (!(await withAdmin(opts, (ctx) => ctx.store.deleteTrustRule(id))))
          throw new BeaconError("trust_not_found", `trust rule ${id} does not exist`);
        io.out(`trust rule ${id} deleted`);
      }),
    );

  trust
    .command("test <id>")
    .description("check a JWT against one rule (fetches the issuer's keys) and say which condition fails")
    .requiredOption("--jwt <token>", "the JWT (short-lived: still, mind your shell history)")
    .action(
      action(async (io, opts, id: string) => {
        const rule = await withAdmin(opts, (ctx) => ctx.store.getTrustRule(id));
        if (rule === undefined) throw new BeaconError("trust_not_found", `trust rule ${id} does not exist`);
        const auth = createJwtAuthenticator({
          store: { listTrustRules: () => Promise.resolve([rule]) },
          clock: systemClock,
          keys: createIssuerKeys({ http: createHttpRequest(), clock: systemClock }),
        });
        const verdict = await auth.check((opts["jwt"] as string).trim());
        if (verdict.ok) {
          io.out(
            `the token meets rule ${id}: it may update ${scopeText(rule.names)} (${rule.types.join(",")})`,
          );
          return;
        }
        for (const reason of verdict.reasons) io.out(reason);
        throw verdict.error;
      }),
    );
}
