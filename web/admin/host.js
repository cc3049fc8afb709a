// @ts-check
// One host: its abuse flag if set (clear it), its AWS-sample credential if it has one (with the
// protocol's weakness), its record sets (editable), the address history as a
// picture and as a table (client address and user agent of every change), and the tokens that may
// change it (revoke, rotate).

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, field, noteArea, showNote } from "../shared/forms.js";
import { secretPanel } from "./secret.js";
import { timeline } from "./timeline.js";
import {
  badge,
  changeText,
  fullTime,
  header,
  outcomeBadge,
  repeatText,
  rotateButton,
  scopeText,
  table,
  when,
} from "./util.js";

/** @typedef {import("./types.js").Ctx} Ctx */
/** @typedef {import("./types.js").HostView} HostView */
/** @typedef {import("./types.js").HistoryEntry} HistoryEntry */
/** @typedef {import("./types.js").TokenView} TokenView */

const HISTORY_LIMIT = 500;
const TABLE_PAGE = 50;

/** @param {Ctx} ctx @param {string} fqdn */
export async function render(ctx, fqdn) {
  const path = `/api/v1/admin/hosts/${encodeURIComponent(fqdn)}`;
  /** What survives a reload of the records card: the edit form stays open on the same type. */
  const editState = { open: false, type: "A" };
  const notes = noteArea();
  const secret = h("div", { class: "secret-slot" });
  const flag = h("div", { class: "flag-slot" });
  const sample = h("div", { class: "sample-slot" });
  const records = h("section", { class: "card records" });
  const pictureBox = h("div", { class: "timeline-box" });
  const historyBox = h("div", { class: "history-box" });
  const tokensBox = h("section", { class: "card tokens" });
  const del = confirmButton("Delete host", () => {
    void busy(ctx.view, async () => {
      try {
        await api("DELETE", path);
        ctx.go("#/hosts");
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  });
  ctx.view.append(
    h("p", { class: "small" }, h("a", { href: "#/hosts" }, "← Hosts")),
    header(fqdn, del),
    notes,
    flag,
    sample,
    secret,
    records,
    h("section", { class: "card history" }, h("h2", {}, "Address history"), pictureBox, historyBox),
    tokensBox,
  );

  async function load() {
    try {
      const [detail, history] = await Promise.all([
        api("GET", path),
        api("GET", `${path}/history?limit=${HISTORY_LIMIT}`),
      ]);
      /** @type {HostView} */
      const host = detail.host;
      /** @type {HistoryEntry[]} */
      const entries = history.entries;
      renderFlag(ctx, flag, host, path, load);
      renderSample(sample, detail.awsSample);
      renderRecords(ctx, records, host, path, load, editState);
      /** @type {Record<string, string[]>} */
      const current = Object.fromEntries(host.records.map((r) => [r.type, r.values]));
      mount(
        pictureBox,
        timeline({ fqdn, entries, current, width: pictureBox.clientWidth || 900 }),
        history.next === undefined || history.next === null
          ? null
          : h("p", { class: "muted small" }, `Showing the latest ${entries.length} changes.`),
      );
      renderHistory(historyBox, entries);
      renderTokens(ctx, tokensBox, fqdn, detail.tokens, secret, load);
    } catch (e) {
      ctx.fail(e, notes);
    }
  }
  await load();
}

/**
 * The abuse flag, when set: why, and a button that clears it (docs/limits.md).
 * @param {Ctx} ctx @param {HTMLElement} box @param {HostView} host @param {string} path
 * @param {() => Promise<void>} reload
 */
function renderFlag(ctx, box, host, path, reload) {
  if (host.abuse === null) return mount(box);
  const notes = noteArea();
  const clear = h("button", { type: "button", class: "small" }, "Clear the flag");
  clear.addEventListener("click", () => {
    void busy(box, async () => {
      try {
        await api("DELETE", `${path}/abuse`);
        await reload();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  });
  mount(
    box,
    h(
      "div",
      { class: "note warn", role: "status" },
      h("strong", {}, "Flagged for update abuse"),
      ` since `,
      when(host.abuse.flaggedAt),
      `: ${host.abuse.reason}. Updates still work. Fix the client (it should update only when the address changes), then `,
      clear,
    ),
    notes,
  );
}

/**
 * The host's AWS-sample credential (docs/protocols/aws-sample.md), when it has one: never the secret.
 * @param {HTMLElement} box
 * @param {{ createdAt: string, lastUsedAt: string | null, valid: boolean, weakness: string } | null | undefined} cred
 */
function renderSample(box, cred) {
  // Absent from an older server's answer: nothing to show.
  if (cred === null || cred === undefined) return mount(box);
  mount(
    box,
    h(
      "div",
      { class: "note warn", role: "status" },
      h(
        "strong",
        {},
        `AWS-sample credential: ${cred.valid ? "yes" : "made for an earlier host of this name (void)"}`,
      ),
      " (made ",
      when(cred.createdAt),
      cred.lastUsedAt === null ? ", never used" : [", last used ", when(cred.lastUsedAt)],
      `). ${cred.weakness} Remove it with beacon host sample-secret rm once the client uses a token.`,
    ),
  );
}

/**
 * @param {Ctx} ctx @param {HTMLElement} box @param {HostView} host @param {string} path
 * @param {() => Promise<void>} reload @param {{ open: boolean, type: string }} editState
 */
function renderRecords(ctx, box, host, path, reload, editState) {
  const rows = host.records.map((r) =>
    h(
      "tr",
      {},
      h("td", { class: "type" }, h("strong", {}, r.type)),
      h("td", { class: "mono values" }, r.values.join("\n")),
      h("td", { class: "num" }, r.ttl),
      h("td", {}, when(r.updatedAt)),
    ),
  );
  const last = host.lastUpdate;
  mount(
    box,
    h("h2", {}, "Records"),
    host.description ? h("p", { class: "muted" }, host.description) : null,
    h(
      "p",
      { class: "small muted" },
      `TTL ${host.ttl} s · last update `,
      when(last?.lastAt),
      last === null ? "" : ` from ${last.sourceIp ?? "unknown"} (${last.userAgent ?? "no user agent"})`,
    ),
    table(`Records of ${host.fqdn}`, ["Type", "Values", ["TTL", "num"], "Updated"], rows, "No records yet."),
    editForm(ctx, host, path, reload, editState),
  );
}

/**
 * Edits one record set through the update service (recorded in history like any update).
 * @param {Ctx} ctx @param {HostView} host @param {string} path @param {() => Promise<void>} reload
 * @param {{ open: boolean, type: string }} state
 */
function editForm(ctx, host, path, reload, state) {
  const type = h(
    "select",
    { name: "type" },
    ["A", "AAAA", "TXT"].map((t) => h("option", { value: t }, t)),
  );
  const values = h("textarea", { name: "values", rows: 3, spellcheck: "false" });
  const ttl = h("input", { type: "number", name: "ttl", min: 0, max: 86400, placeholder: String(host.ttl) });
  const notes = noteArea();
  const fill = () => {
    values.value = host.records.find((r) => r.type === type.value)?.values.join("\n") ?? "";
  };
  type.value = state.type;
  type.addEventListener("change", () => {
    state.type = type.value;
    fill();
  });
  fill();
  const save = h("button", { type: "submit", class: "primary" }, "Save");
  const form = h(
    "form",
    { class: "form edit-records", novalidate: true },
    h("div", { class: "form-row" }, field("Type", type), field("TTL (s)", ttl)),
    field("Values", values, "One per line. A and AAAA: addresses; TXT: the text."),
    notes,
    h("div", { class: "row" }, save),
  );
  const recordPath = () => `${path}/records/${type.value}`;
  const run = (/** @type {"PUT" | "DELETE"} */ method) =>
    busy(form, async () => {
      const list = values.value
        .split("\n")
        .map((v) => (type.value === "TXT" ? v : v.trim()))
        .filter((v) => v.trim() !== "");
      if (method === "PUT" && list.length === 0)
        return showNote(notes, "error", "Enter at least one value, or delete the set.");
      try {
        /** @type {Record<string, unknown>} */
        const body = { values: list };
        if (ttl.value !== "") body["ttl"] = Number(ttl.value);
        await api(method, recordPath(), method === "PUT" ? body : undefined);
        await reload();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run("PUT");
  });
  form.querySelector(".row")?.append(confirmButton("Delete this set", () => void run("DELETE")));
  const details = h("details", { class: "edit", open: state.open }, h("summary", {}, "Edit records"), form);
  details.addEventListener("toggle", () => (state.open = details.open));
  return details;
}

/** The history table, newest first, a page at a time. */
function renderHistory(/** @type {HTMLElement} */ box, /** @type {HistoryEntry[]} */ entries) {
  const sorted = [...entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.id - a.id);
  let shown = TABLE_PAGE;
  const draw = () => {
    const rows = sorted
      .slice(0, shown)
      .map((e) =>
        h(
          "tr",
          {},
          h(
            "td",
            {},
            h("time", { datetime: e.at }, fullTime(e.at)),
            e.count > 1 ? h("div", { class: "muted repeat" }, repeatText(e)) : null,
          ),
          h("td", {}, e.type),
          h("td", { class: `mono change${e.refused ? " refused" : ""}` }, changeText(e)),
          h("td", {}, outcomeBadge(e.outcome)),
          h("td", { class: "hide-narrow" }, e.protocol),
          h("td", { class: "mono client-ip" }, e.sourceIp ?? "—"),
          h("td", { class: "user-agent" }, e.userAgent ?? "—"),
        ),
      );
    const more =
      shown < sorted.length
        ? h(
            "button",
            { type: "button", class: "small", onclick: () => ((shown += TABLE_PAGE), draw()) },
            `Show ${Math.min(TABLE_PAGE, sorted.length - shown)} more`,
          )
        : null;
    mount(
      box,
      h("h3", {}, "Changes"),
      table(
        "History of changes",
        ["When", "Type", "Change", "Outcome", ["Protocol", "hide-narrow"], "Client", "User agent"],
        rows,
        "No changes recorded yet.",
      ),
      more,
    );
  };
  draw();
}

/**
 * @param {Ctx} ctx @param {HTMLElement} box @param {string} fqdn @param {TokenView[]} tokens
 * @param {HTMLElement} secretSlot @param {() => Promise<void>} reload
 */
function renderTokens(ctx, box, fqdn, tokens, secretSlot, reload) {
  const notes = noteArea();
  const act = (/** @type {TokenView} */ t, /** @type {"revoke" | "rotate"} */ what) =>
    busy(box, async () => {
      try {
        const res = await api("POST", `/api/v1/admin/tokens/${encodeURIComponent(t.id)}/${what}`);
        if (what === "rotate") {
          const clients = await api("POST", "/api/v1/admin/clients", { fqdn, token: res.secret })
            .then((/** @type {any} */ r) => r.clients)
            .catch(() => null);
          const panel = secretPanel({
            title: `New token for ${fqdn}`,
            secrets: [{ label: "Token", text: res.secret }],
            clients,
          });
          mount(secretSlot, panel);
          panel.focus();
        }
        await reload();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  const rows = tokens.map((t) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        t.label ?? h("span", { class: "muted" }, "(no label)"),
        h("div", { class: "muted small mono" }, t.id),
      ),
      h("td", {}, scopeText(t.names)),
      h("td", {}, t.types.join(", ")),
      h("td", {}, when(t.lastUsedAt)),
      h("td", {}, badge(t.state, t.state === "active" ? "ok" : t.state === "expired" ? "warn" : "error")),
      h(
        "td",
        { class: "actions" },
        t.state === "active"
          ? [rotateButton(() => void act(t, "rotate")), confirmButton("Revoke", () => void act(t, "revoke"))]
          : null,
      ),
    ),
  );
  mount(
    box,
    h("h2", {}, "Tokens that may change this host"),
    notes,
    table(
      `Tokens covering ${fqdn}`,
      ["Token", "Scope", "Types", "Last used", "State", ["", "actions"]],
      rows,
      "No token covers this host.",
    ),
  );
}
