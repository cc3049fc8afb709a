// @ts-check
// Health-checked pools (docs/pools.md): every pool with its type, steering, how many members are up,
// what it answers now and a warning when all members are down; and a form that creates or replaces a
// pool from its JSON definition (PUT /pools/<name>), showing the server's refusal beside it (an
// invalid_pool message names the field at fault).

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, field, noteArea, showNote } from "../shared/forms.js";
import { publishedText, upCount } from "./pool-status.js";
import { badge, header, table } from "./util.js";

/** @typedef {import("./types.js").PoolView} PoolView */

/** The definition the form starts with: a two-member failover pool, every commonly set field. */
const EXAMPLE = {
  name: "www.dyn.example.com",
  type: "A",
  steering: "failover",
  whenAllDown: "all",
  check: { type: "http", path: "/healthz", intervalMs: 10000, timeoutMs: 3000, rise: 2, fall: 3 },
  members: [
    { id: "primary", address: "192.0.2.10", priority: 1 },
    { id: "backup", address: "192.0.2.20", priority: 2 },
  ],
};

/** "#/pools/<name>" with the name encoded. */
function poolLink(/** @type {string} */ name) {
  return h("a", { href: `#/pools/${encodeURIComponent(name)}` }, name);
}

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const list = h("div", { class: "pool-list" });
  const definition = h("textarea", {
    name: "definition",
    rows: 16,
    spellcheck: "false",
    class: "mono",
  });
  definition.value = JSON.stringify(EXAMPLE, null, 2);
  const formNotes = noteArea();
  const form = h(
    "form",
    { class: "form pool-form", novalidate: true, "aria-label": "Create or replace a pool" },
    field(
      "Pool definition (JSON)",
      definition,
      "The pool as in docs/pools.md (durations in ms); a pool of the same name is replaced.",
    ),
    formNotes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save pool")),
  );
  ctx.view.append(
    header("Pools"),
    notes,
    list,
    h("details", { class: "card create" }, h("summary", {}, "Create or replace a pool"), form),
  );

  async function load() {
    try {
      /** @type {PoolView[]} */
      const pools = (await api("GET", "/api/v1/admin/pools")).pools;
      const rows = pools.map((p) =>
        h(
          "tr",
          {},
          h("td", {}, poolLink(p.spec.name)),
          h("td", {}, p.spec.type),
          h("td", {}, p.spec.steering),
          h("td", { class: "members-up" }, upCount(p)),
          h("td", { class: "mono answers" }, publishedText(p)),
          h("td", {}, p.allDown ? badge("all down", "error") : badge("serving", "ok")),
        ),
      );
      const down = pools.filter((p) => p.allDown).map((p) => p.spec.name);
      mount(
        list,
        down.length === 0
          ? null
          : h(
              "p",
              { class: "note warn all-down", role: "status" },
              h("strong", {}, `All members are down in ${down.join(", ")}.`),
              " Such a pool answers by its whenAllDown rule.",
            ),
        table(
          "Pools",
          ["Pool", "Type", "Steering", "Members", "Answers now", "State"],
          rows,
          "No pools yet: create one below.",
        ),
      );
    } catch (e) {
      ctx.fail(e, notes);
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(definition.value);
    } catch (e) {
      return showNote(formNotes, "error", `Not valid JSON: ${e instanceof Error ? e.message : e}`);
    }
    const name = /** @type {{ name?: unknown }} */ (parsed)?.name;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof name !== "string") {
      return showNote(formNotes, "error", 'The definition must be a JSON object with a "name".');
    }
    void busy(form, async () => {
      try {
        const res = await api("PUT", `/api/v1/admin/pools/${encodeURIComponent(name)}`, parsed);
        showNote(formNotes, "ok", `${res?.created === false ? "Replaced" : "Created"} pool ${name}.`);
        await load();
      } catch (e) {
        ctx.fail(e, formNotes);
      }
    });
  });

  await load();
}
