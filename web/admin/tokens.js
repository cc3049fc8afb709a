// @ts-check
// Update tokens: who may change which names. Create (secret shown once), revoke, rotate (a new
// secret, the old token revoked in the same step).

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, field, noteArea, showNote } from "../shared/forms.js";
import { scopeFields } from "./scope.js";
import { secretPanel } from "./secret.js";
import { badge, header, rotateButton, scopeText, table, when } from "./util.js";

/** @typedef {import("./types.js").TokenView} TokenView */

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const secret = h("div", { class: "secret-slot" });
  const list = h("div", {});

  /** Shows a new secret, with client configurations when the token is for exactly one name. */
  async function reveal(/** @type {TokenView} */ token, /** @type {string} */ value) {
    const only =
      token.names.length === 1 && token.names[0]?.subtree === false ? token.names[0].name : undefined;
    const clients =
      only === undefined
        ? null
        : await api("POST", "/api/v1/admin/clients", { fqdn: only, token: value })
            .then((/** @type {any} */ r) => r.clients)
            .catch(() => null);
    const panel = secretPanel({
      title: `Token ${token.label ?? token.id}`,
      secrets: [{ label: "Token", text: value }],
      clients,
    });
    mount(secret, panel);
    panel.focus();
  }

  async function load() {
    try {
      /** @type {TokenView[]} */
      const tokens = (await api("GET", "/api/v1/admin/tokens")).tokens;
      mount(
        list,
        table(
          "Tokens",
          [
            "Token",
            "Scope",
            ["Types", "hide-narrow"],
            ["Networks", "hide-narrow"],
            ["Expires", "hide-narrow"],
            ["Last used", "hide-narrow"],
            "State",
            ["", "actions"],
          ],
          tokens.map((t) => row(t)),
          "No tokens yet.",
        ),
      );
    } catch (e) {
      ctx.fail(e, notes);
    }
  }

  function row(/** @type {TokenView} */ t) {
    const act = (/** @type {"revoke" | "rotate"} */ what) =>
      busy(list, async () => {
        try {
          const res = await api("POST", `/api/v1/admin/tokens/${encodeURIComponent(t.id)}/${what}`);
          if (what === "rotate") await reveal(res.token, res.secret);
          else showNote(notes, "ok", `Revoked ${t.label ?? t.id}.`);
          await load();
        } catch (e) {
          ctx.fail(e, notes);
        }
      });
    return h(
      "tr",
      {},
      h(
        "td",
        {},
        t.label ?? h("span", { class: "muted" }, "(no label)"),
        h("div", { class: "muted small mono" }, t.id),
      ),
      h("td", {}, scopeText(t.names)),
      h("td", { class: "hide-narrow" }, t.types.join(", ")),
      h(
        "td",
        { class: "hide-narrow mono small" },
        t.allowedCidrs.length === 0 ? "any" : t.allowedCidrs.join(" "),
      ),
      h("td", { class: "hide-narrow" }, t.expiresAt === null ? "never" : when(t.expiresAt)),
      h("td", { class: "hide-narrow" }, when(t.lastUsedAt)),
      h(
        "td",
        {},
        badge(t.state, t.state === "active" ? "ok" : t.state === "expired" ? "warn" : "error"),
        // Signed requests (docs/protocols/signed-requests.md): which key, and whether only signed use works.
        t.signing === null ? null : [" ", badge(t.requireSignature ? "signed only" : t.signing, "ok")],
      ),
      h(
        "td",
        { class: "actions" },
        t.state === "active"
          ? [rotateButton(() => void act("rotate")), confirmButton("Revoke", () => void act("revoke"))]
          : null,
      ),
    );
  }

  const label = h("input", { name: "label", maxlength: 100, placeholder: "home router" });
  const days = h("input", { type: "number", name: "expires", min: 1, max: 3650, placeholder: "never" });
  const scope = scopeFields();
  const formNotes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "form-row" }, field("Label", label), field("Expires after (days)", days)),
    scope.el,
    formNotes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Create token")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const s = scope.value();
    if (s.names.length === 0) return showNote(formNotes, "error", "Enter at least one name.");
    if (s.types.length === 0) return showNote(formNotes, "error", "Choose at least one record type.");
    /** @type {Record<string, unknown>} */
    const body = { names: s.names, types: s.types };
    if (s.allowedCidrs.length > 0) body["allowedCidrs"] = s.allowedCidrs;
    if (label.value.trim() !== "") body["label"] = label.value.trim();
    if (days.value !== "") body["expiresInDays"] = Number(days.value);
    void busy(form, async () => {
      try {
        const res = await api("POST", "/api/v1/admin/tokens", body);
        form.reset();
        showNote(formNotes, "", "");
        await reveal(res.token, res.secret);
        await load();
      } catch (e) {
        ctx.fail(e, formNotes);
      }
    });
  });

  ctx.view.append(
    header("Tokens"),
    notes,
    secret,
    h("details", { class: "card create" }, h("summary", {}, "Create a token"), form),
    list,
  );
  await load();
}
