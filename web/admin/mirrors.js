// @ts-check
// Zone mirrors (copies of a zone pushed to a DNS provider): delivery state at a glance (pending
// changes, last success, last error, next try, which server node delivers it), resync, delete, add
// with provider settings as JSON.

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, field, noteArea, showNote } from "../shared/forms.js";
import { badge, fullTime, header, table, when } from "./util.js";

/** @typedef {import("./types.js").MirrorView} MirrorView */

/** healthy / waiting / failing, from the delivery counters. */
function health(/** @type {MirrorView} */ m) {
  if (m.lastError !== null && m.attempts > 0) return badge("failing", "error");
  if (m.pending > 0) return badge(`${m.pending} pending`, "warn");
  return badge("in sync", "ok");
}

/** The node holding the delivery lease (several servers on one database), until when. */
function leaseCell(/** @type {MirrorView} */ m) {
  if (m.lease === null || m.lease === undefined) return h("span", { class: "muted" }, "none");
  const expired = Date.parse(m.lease.until) <= Date.now();
  return h(
    "span",
    { class: "mono small", title: `until ${fullTime(m.lease.until)}` },
    m.lease.owner,
    expired ? h("span", { class: "muted" }, " (expired)") : "",
  );
}

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const list = h("div", {});
  const provider = h("select", { name: "provider", required: true });
  const formSlot = h("div", {});
  ctx.view.append(header("Mirrors"), notes, formSlot, list);

  const act = (/** @type {string} */ id, /** @type {"resync" | "delete"} */ what) =>
    busy(list, async () => {
      try {
        const path = `/api/v1/admin/mirrors/${encodeURIComponent(id)}`;
        if (what === "resync") {
          const res = await api("POST", `${path}/resync`);
          showNote(notes, "ok", `Queued ${res?.queued ?? 0} change(s) for ${id}.`);
        } else {
          await api("DELETE", path);
          showNote(notes, "ok", `Deleted mirror ${id}.`);
        }
        await load();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });

  async function load() {
    try {
      /** @type {MirrorView[]} */
      const mirrors = (await api("GET", "/api/v1/admin/mirrors")).mirrors;
      const rows = mirrors.map((m) =>
        h(
          "tr",
          {},
          h(
            "td",
            {},
            h("span", { class: "mono" }, m.id),
            h("div", { class: "muted small" }, `${m.zone} → ${m.provider}`),
          ),
          h("td", {}, health(m)),
          h("td", { class: "num" }, m.pending),
          h("td", {}, when(m.lastSuccessAt)),
          h(
            "td",
            { class: "last-error" },
            m.lastError === null
              ? h("span", { class: "muted" }, "none")
              : [
                  h("span", { class: "mono small" }, m.lastError.code),
                  " ",
                  m.lastError.message,
                  h("div", { class: "muted small" }, when(m.lastError.at)),
                ],
          ),
          h("td", { class: "hide-narrow" }, m.nextTryAt === null ? "—" : when(m.nextTryAt)),
          h("td", { class: "hide-narrow" }, leaseCell(m)),
          h(
            "td",
            { class: "actions" },
            h(
              "button",
              { type: "button", class: "small", onclick: () => void act(m.id, "resync") },
              "Resync",
            ),
            confirmButton("Delete", () => void act(m.id, "delete")),
          ),
        ),
      );
      mount(
        list,
        table(
          "Mirrors",
          [
            "Mirror",
            "State",
            ["Pending", "num"],
            "Last success",
            "Last error",
            ["Next try", "hide-narrow"],
            ["Delivered by", "hide-narrow"],
            ["", "actions"],
          ],
          rows,
          "No mirrors: every zone is served only by Beacon.",
        ),
      );
    } catch (e) {
      ctx.fail(e, notes);
    }
  }

  const id = h("input", {
    name: "id",
    required: true,
    placeholder: "cloudflare-home",
    spellcheck: "false",
    autocapitalize: "none",
  });
  const zone = h("select", { name: "zone", required: true });
  const settings = h("textarea", {
    name: "settings",
    rows: 5,
    spellcheck: "false",
    placeholder: '{ "api_token_file": "/run/secrets/cf" }',
  });
  const formNotes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "form-row" }, field("Mirror id", id), field("Zone", zone), field("Provider", provider)),
    field(
      "Settings (JSON)",
      settings,
      "The provider's settings as in docs/providers; secrets are never shown again.",
    ),
    formNotes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Add mirror")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    /** @type {unknown} */
    let parsed;
    try {
      parsed = settings.value.trim() === "" ? {} : JSON.parse(settings.value);
    } catch (e) {
      return showNote(
        formNotes,
        "error",
        `Settings are not valid JSON: ${e instanceof Error ? e.message : e}`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return showNote(formNotes, "error", 'Settings must be a JSON object, e.g. { "zone_id": "…" }.');
    }
    if (id.value.trim() === "") return showNote(formNotes, "error", "Enter an id for the mirror.");
    void busy(form, async () => {
      try {
        const res = await api("POST", "/api/v1/admin/mirrors", {
          id: id.value.trim(),
          zone: zone.value,
          provider: provider.value,
          settings: parsed,
        });
        form.reset();
        showNote(
          formNotes,
          "ok",
          `Added ${res.mirror?.id ?? "the mirror"}; ${res.queued ?? 0} change(s) queued.`,
        );
        await load();
      } catch (e) {
        ctx.fail(e, formNotes);
      }
    });
  });

  try {
    const [providers, zones] = await Promise.all([
      api("GET", "/api/v1/admin/providers"),
      api("GET", "/api/v1/admin/zones"),
    ]);
    mount(
      provider,
      providers.providers.map((/** @type {{type: string, title?: string}} */ p) =>
        h("option", { value: p.type }, p.title ?? p.type),
      ),
    );
    mount(
      zone,
      zones.zones.map((/** @type {{name: string}} */ z) => h("option", { value: z.name }, z.name)),
    );
    mount(formSlot, h("details", { class: "card create" }, h("summary", {}, "Add a mirror"), form));
  } catch (e) {
    ctx.fail(e, notes);
  }
  await load();
}
