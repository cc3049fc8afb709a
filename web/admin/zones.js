// @ts-check
// Zones: list, create, change the TTL and SOA values, delete. A zone with hosts is deleted only after a
// second, explicit choice.

import { api, ApiError } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, field, noteArea, showNote, splitList } from "../shared/forms.js";
import { fullTime, header, table } from "./util.js";

/** @typedef {import("./types.js").ZoneView} ZoneView */

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const list = h("div", {});
  const editor = h("div", {});
  ctx.view.append(
    header("Zones"),
    notes,
    createForm(ctx, notes, () => load()),
    list,
    editor,
  );

  async function load() {
    try {
      /** @type {ZoneView[]} */
      const zones = (await api("GET", "/api/v1/admin/zones")).zones;
      mount(
        list,
        table(
          "Zones",
          [
            "Zone",
            ["Serial", "num hide-narrow"],
            ["TTL", "num"],
            ["Name servers", "hide-narrow"],
            ["Hosts", "num"],
            ["Mirrors", "num hide-narrow"],
            ["Created", "hide-narrow"],
            ["", "actions"],
          ],
          zones.map((z) => row(z)),
          "No zones yet: create one above.",
        ),
      );
    } catch (e) {
      ctx.fail(e, notes);
    }
  }

  function row(/** @type {ZoneView} */ z) {
    const remove = (/** @type {boolean} */ cascade) =>
      busy(list, async () => {
        try {
          await api(
            "DELETE",
            `/api/v1/admin/zones/${encodeURIComponent(z.name)}${cascade ? "?cascade=1" : ""}`,
          );
          showNote(notes, "ok", `Deleted ${z.name}.`);
          await load();
        } catch (e) {
          if (e instanceof ApiError && e.code === "zone_not_empty") {
            mount(
              notes,
              h(
                "div",
                { class: "note warn" },
                `${z.name} still has ${z.hosts} host${z.hosts === 1 ? "" : "s"}. `,
                confirmButton("Delete the zone and its hosts", () => void remove(true)),
              ),
            );
            return;
          }
          ctx.fail(e, notes);
        }
      });
    return h(
      "tr",
      {},
      h("td", {}, h("a", { href: "#/hosts" }, z.name)),
      h("td", { class: "num hide-narrow" }, z.serial),
      h("td", { class: "num" }, z.ttl),
      h("td", { class: "hide-narrow mono small" }, z.nameservers.join(" ")),
      h("td", { class: "num" }, z.hosts),
      h("td", { class: "num hide-narrow" }, z.mirrors),
      h("td", { class: "hide-narrow" }, fullTime(z.createdAt)),
      h(
        "td",
        { class: "actions" },
        settingsButton(z),
        confirmButton("Delete", () => void remove(false)),
      ),
    );
  }

  function settingsButton(/** @type {ZoneView} */ z) {
    const btn = h(
      "button",
      { type: "button", class: "small", "aria-label": `SOA settings of ${z.name}` },
      "SOA",
    );
    btn.addEventListener("click", () => {
      mount(
        editor,
        soaForm(ctx, z, notes, () => load()),
      );
      editor.querySelector("input")?.focus();
    });
    return btn;
  }
  await load();
}

/** The fields of PATCH /zones/:name, in form order: [body key, label, hint]. */
const SOA_FIELDS = /** @type {const} */ ([
  ["ttl", "TTL of SOA and NS (s)", "Also the default for hosts without their own."],
  ["refresh", "Refresh (s)", "300 – 86400. Secondaries are also sent a NOTIFY on every change."],
  ["retry", "Retry (s)", "60 – 86400, below refresh."],
  ["expire", "Expire (s)", "604800 – 2419200 (1 – 4 weeks)."],
  ["minimum", "Minimum: negative-caching TTL (s)", "1 – 86400."],
]);

/**
 * The TTL and SOA values of one zone, sent as the fields that changed.
 * @param {import("./types.js").Ctx} ctx @param {ZoneView} z @param {HTMLElement} pageNotes
 * @param {() => Promise<void>} reload
 */
function soaForm(ctx, z, pageNotes, reload) {
  /** @type {Record<string, number>} */
  const current = {
    ttl: z.ttl,
    refresh: z.soa.refresh,
    retry: z.soa.retry,
    expire: z.soa.expire,
    minimum: z.soa.minimum,
  };
  const numbers = SOA_FIELDS.map(([key, label, hint]) => {
    const input = h("input", { type: "number", name: key, value: String(current[key]), min: 0, step: 1 });
    return { key, input, el: field(label, input, hint) };
  });
  const contact = h("input", {
    name: "contact",
    value: z.soa.contact,
    spellcheck: "false",
    autocapitalize: "none",
  });
  const mname = h("input", {
    name: "mname",
    value: z.soa.mname,
    spellcheck: "false",
    autocapitalize: "none",
  });
  const notes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true, "aria-label": `SOA settings of ${z.name}` },
    h("div", { class: "form-row" }, ...numbers.map((n) => n.el)),
    h(
      "div",
      { class: "form-row" },
      field("Contact", contact, "The zone's mailbox, e.g. hostmaster@example.com."),
      field("Primary name server (MNAME)", mname),
    ),
    notes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save SOA settings")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    /** @type {Record<string, unknown>} */
    const body = {};
    for (const n of numbers) {
      const value = n.input.value.trim();
      if (value === "" || Number(value) === current[n.key]) continue;
      body[n.key] = Number(value);
    }
    if (contact.value.trim() !== z.soa.contact) body["contact"] = contact.value.trim();
    if (mname.value.trim() !== z.soa.mname) body["mname"] = mname.value.trim();
    if (Object.keys(body).length === 0) return showNote(notes, "", "Nothing changed.");
    void busy(form, async () => {
      try {
        /** @type {ZoneView} */
        const saved = (await api("PATCH", `/api/v1/admin/zones/${encodeURIComponent(z.name)}`, body)).zone;
        showNote(pageNotes, "ok", `Saved the SOA of ${z.name}: serial ${saved.serial}.`);
        form.remove();
        await reload();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  });
  return h("section", { class: "card" }, h("h3", {}, `SOA settings of ${z.name}`), form);
}

/** @param {import("./types.js").Ctx} ctx @param {HTMLElement} pageNotes @param {() => Promise<void>} reload */
function createForm(ctx, pageNotes, reload) {
  const name = h("input", {
    name: "zone",
    required: true,
    placeholder: "dyn.example.com",
    spellcheck: "false",
    autocapitalize: "none",
  });
  const ttl = h("input", { type: "number", name: "ttl", min: 0, max: 86400, placeholder: "60" });
  const ns = h("input", {
    name: "nameservers",
    placeholder: "ns1.example.com ns2.example.com",
    spellcheck: "false",
  });
  const notes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "form-row" }, field("Zone name", name), field("Default TTL (s)", ttl)),
    field("Name servers", ns, "Optional; separated by spaces or commas."),
    notes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Create zone")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const zone = name.value.trim().toLowerCase().replace(/\.$/, "");
    if (zone === "") return showNote(notes, "error", "Enter the zone's name.");
    /** @type {Record<string, unknown>} */
    const body = { name: zone };
    if (ttl.value !== "") body["ttl"] = Number(ttl.value);
    const servers = splitList(ns.value);
    if (servers.length > 0) body["nameservers"] = servers;
    void busy(form, async () => {
      try {
        await api("POST", "/api/v1/admin/zones", body);
        form.reset();
        showNote(pageNotes, "ok", `Created zone ${zone}.`);
        showNote(notes, "", "");
        await reload();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  });
  return h("details", { class: "card create" }, h("summary", {}, "Create a zone"), form);
}
