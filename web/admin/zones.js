// @ts-check
// Zones: list, create, delete. A zone with hosts is deleted only after a second, explicit choice.

import { api, ApiError } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, field, noteArea, showNote, splitList } from "../shared/forms.js";
import { fullTime, header, table } from "./util.js";

/** @typedef {import("./types.js").ZoneView} ZoneView */

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const list = h("div", {});
  ctx.view.append(
    header("Zones"),
    notes,
    createForm(ctx, notes, () => load()),
    list,
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
        confirmButton("Delete", () => void remove(false)),
      ),
    );
  }
  await load();
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
