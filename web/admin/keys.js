// @ts-check
// TSIG keys for RFC 2136 clients (nsupdate, routers, acme.sh): create (secret and an nsupdate example
// shown once), list, delete. The server never returns a key's secret again.

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, field, noteArea, showNote } from "../shared/forms.js";
import { scopeFields } from "./scope.js";
import { secretPanel } from "./secret.js";
import { fullTime, header, scopeText, table } from "./util.js";

/** @typedef {import("./types.js").KeyView} KeyView */

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const secret = h("div", { class: "secret-slot" });
  const list = h("div", {});

  async function load() {
    try {
      /** @type {KeyView[]} */
      const keys = (await api("GET", "/api/v1/admin/keys")).keys;
      mount(
        list,
        table(
          "TSIG keys",
          [
            "Key",
            ["Algorithm", "hide-narrow"],
            "Scope",
            "Types",
            ["Networks", "hide-narrow"],
            ["Created", "hide-narrow"],
            ["", "actions"],
          ],
          keys.map((k) =>
            h(
              "tr",
              {},
              h("td", { class: "mono" }, k.name),
              h("td", { class: "hide-narrow" }, k.algorithm),
              h("td", {}, scopeText(k.names)),
              h("td", {}, k.types.join(", ")),
              h(
                "td",
                { class: "hide-narrow mono small" },
                k.allowedCidrs.length === 0 ? "any" : k.allowedCidrs.join(" "),
              ),
              h("td", { class: "hide-narrow" }, fullTime(k.createdAt)),
              h(
                "td",
                { class: "actions" },
                confirmButton("Delete", () => void remove(k.name)),
              ),
            ),
          ),
          "No TSIG keys yet.",
        ),
      );
    } catch (e) {
      ctx.fail(e, notes);
    }
  }

  const remove = (/** @type {string} */ name) =>
    busy(list, async () => {
      try {
        await api("DELETE", `/api/v1/admin/keys/${encodeURIComponent(name)}`);
        showNote(notes, "ok", `Deleted ${name}.`);
        await load();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });

  const name = h("input", {
    name: "keyname",
    required: true,
    placeholder: "router.dyn.example.com",
    spellcheck: "false",
    autocapitalize: "none",
  });
  const scope = scopeFields();
  const formNotes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    field("Key name", name, "A domain-style name, e.g. router.dyn.example.com"),
    scope.el,
    formNotes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Create key")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const s = scope.value();
    const keyName = name.value.trim().toLowerCase();
    if (keyName === "") return showNote(formNotes, "error", "Enter the key's name.");
    if (s.names.length === 0)
      return showNote(formNotes, "error", "Enter at least one name the key may change.");
    /** @type {Record<string, unknown>} */
    const body = { name: keyName, algorithm: "hmac-sha256", names: s.names, types: s.types };
    if (s.allowedCidrs.length > 0) body["allowedCidrs"] = s.allowedCidrs;
    void busy(form, async () => {
      try {
        const res = await api("POST", "/api/v1/admin/keys", body);
        form.reset();
        showNote(formNotes, "", "");
        const panel = secretPanel({
          title: `TSIG key ${res.key.name}`,
          warning:
            "Copy it now: the secret is shown only this once. If it is lost, delete the key and create a new one.",
          secrets: [
            { label: `Secret (${res.key.algorithm}, base64)`, text: res.secret },
            { label: "Key file and nsupdate example", text: res.nsupdate },
          ],
        });
        mount(secret, panel);
        panel.focus();
        await load();
      } catch (e) {
        ctx.fail(e, formNotes);
      }
    });
  });

  ctx.view.append(
    header("TSIG keys"),
    notes,
    secret,
    h("details", { class: "card create" }, h("summary", {}, "Create a TSIG key"), form),
    list,
  );
  await load();
}
