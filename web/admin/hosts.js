// @ts-check
// Hosts, grouped by zone: current A/AAAA, last update and the client that sent it, and an "abuse"
// badge on hosts flagged for update abuse. The create form issues a token for exactly that name and
// shows it once with copy-ready client configurations.

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, checkbox, field, noteArea, showNote } from "../shared/forms.js";
import { secretPanel } from "./secret.js";
import { badge, header, hostLink, table, when } from "./util.js";

/** @typedef {import("./types.js").HostView} HostView */
/** @typedef {import("./types.js").ZoneView} ZoneView */

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const created = h("div", { class: "created" });
  const list = h("div", { class: "host-lists" }, h("p", { class: "muted" }, "Loading hosts…"));
  ctx.view.append(header("Hosts"), notes, created, list);

  /** @type {ZoneView[]} */
  const zones = (await api("GET", "/api/v1/admin/zones")).zones;
  if (zones.length === 0) {
    mount(
      list,
      h(
        "p",
        { class: "note" },
        "There are no zones yet. ",
        h("a", { href: "#/zones" }, "Create a zone"),
        " first, then add hosts to it.",
      ),
    );
    return;
  }
  ctx.view.insertBefore(
    createForm(ctx, zones, created, () => void load()),
    list,
  );

  async function load() {
    try {
      const groups = await Promise.all(
        zones.map(async (z) => ({
          zone: z.name,
          /** @type {HostView[]} */
          hosts: (await api("GET", `/api/v1/admin/hosts?zone=${encodeURIComponent(z.name)}`)).hosts,
        })),
      );
      mount(
        list,
        groups.map((g) => zoneHosts(g.zone, g.hosts)),
      );
    } catch (e) {
      ctx.fail(e, notes);
    }
  }
  await load();
}

function zoneHosts(/** @type {string} */ zone, /** @type {HostView[]} */ hosts) {
  const values = (/** @type {HostView} */ host, /** @type {string} */ type) =>
    host.records.find((r) => r.type === type)?.values.join(", ") ?? "";
  const rows = hosts.map((host) =>
    h(
      "tr",
      {},
      h(
        "td",
        {},
        hostLink(host.fqdn),
        host.abuse === null ? null : [" ", h("span", { title: host.abuse.reason }, badge("abuse", "error"))],
      ),
      h("td", { class: "mono" }, values(host, "A")),
      h("td", { class: "mono" }, values(host, "AAAA")),
      h("td", {}, when(host.lastUpdate?.lastAt)),
      h(
        "td",
        { class: "hide-narrow" },
        host.lastUpdate === null
          ? ""
          : h(
              "span",
              { title: host.lastUpdate.userAgent ?? "" },
              host.lastUpdate.sourceIp ?? host.lastUpdate.protocol,
            ),
      ),
    ),
  );
  return h(
    "section",
    { class: "card zone-hosts" },
    h(
      "h2",
      {},
      zone,
      " ",
      h("span", { class: "muted small" }, `${hosts.length} host${hosts.length === 1 ? "" : "s"}`),
    ),
    table(
      `Hosts in ${zone}`,
      ["Host", "A", "AAAA", "Last update", ["Client", "hide-narrow"]],
      rows,
      "No hosts in this zone yet.",
    ),
  );
}

/**
 * @param {import("./types.js").Ctx} ctx
 * @param {ZoneView[]} zones
 * @param {HTMLElement} created where the new token is shown
 * @param {() => void} reload
 */
function createForm(ctx, zones, created, reload) {
  const name = h("input", {
    name: "name",
    required: true,
    placeholder: "home",
    spellcheck: "false",
    autocapitalize: "none",
  });
  const zone = h(
    "select",
    { name: "zone" },
    zones.map((z) => h("option", { value: z.name }, z.name)),
  );
  const ttl = h("input", { type: "number", name: "ttl", min: 0, max: 86400, placeholder: "zone default" });
  const description = h("input", { name: "description", maxlength: 200 });
  const types = ["A", "AAAA", "TXT"].map((t) => ({ type: t, ...checkbox(t, `type-${t}`, true) }));
  const token = checkbox("Issue an update token for this host", "token", true);
  const notes = noteArea();
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h(
      "div",
      { class: "form-row" },
      field("Host name", name, "A label, or @ for the zone itself"),
      field("Zone", zone),
    ),
    h("div", { class: "form-row" }, field("TTL (s)", ttl), field("Description", description)),
    h(
      "fieldset",
      { class: "row" },
      h("legend", {}, "The token may change"),
      types.map((t) => t.el),
    ),
    token.el,
    notes,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Create host")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const label = name.value.trim().toLowerCase().replace(/\.$/, "");
    if (label === "") return showNote(notes, "error", "Enter a host name.");
    const fqdn =
      label === "@" ? zone.value : label.endsWith(`.${zone.value}`) ? label : `${label}.${zone.value}`;
    /** @type {Record<string, unknown>} */
    const body = {
      fqdn,
      token: token.input.checked,
      types: types.filter((t) => t.input.checked).map((t) => t.type),
    };
    if (ttl.value !== "") body["ttl"] = Number(ttl.value);
    if (description.value.trim() !== "") body["description"] = description.value.trim();
    void busy(form, async () => {
      try {
        const res = await api("POST", "/api/v1/admin/hosts", body);
        form.reset();
        showNote(notes, "ok", `Created ${res.host.fqdn}.`);
        if (res.token !== null && res.token !== undefined) {
          const panel = secretPanel({
            title: `Token for ${res.host.fqdn}`,
            secrets: [{ label: "Token", text: res.token.secret }],
            clients: res.clients,
          });
          mount(created, panel);
          panel.focus();
        }
        reload();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });
  });
  return h("details", { class: "card create" }, h("summary", {}, "Create a host"), form);
}
