// @ts-check
// The one moment a secret is visible: a new token (with copy-ready client configurations) or a new
// TSIG key. The panel says so plainly; "Done" removes the secret from the page.

import { h } from "../shared/dom.js";
import { copyBlock } from "../shared/copy.js";
import { tabs } from "../shared/tabs.js";

/** @typedef {import("./types.js").ClientConfigs} ClientConfigs */

const TOKEN_WARNING =
  "Copy it now: the secret is shown only this once. Beacon keeps only a hash; if it is lost, rotate the token.";

/** Tabs with one copy-ready configuration per client. */
export function clientTabs(/** @type {ClientConfigs} */ c) {
  return tabs("Client configuration", [
    { title: "ddclient", content: copyBlock("ddclient.conf", c.ddclient) },
    { title: "inadyn", content: copyBlock("inadyn.conf", c.inadyn) },
    { title: "FRITZ!Box", content: copyBlock("FRITZ!Box user-defined DynDNS", c.fritzbox) },
    { title: "curl", content: copyBlock("curl command", c.curl) },
    { title: "Beacon agent", content: copyBlock("agent configuration", c.agent) },
  ]);
}

/**
 * @param {object} o
 * @param {string} o.title e.g. "Token for home.dyn.example"
 * @param {{ label: string, text: string }[]} o.secrets shown as copy blocks, in order
 * @param {ClientConfigs | null} [o.clients]
 * @param {() => void} [o.onDone] after the panel removed itself
 * @param {string} [o.warning] what to do if the secret is lost (the default fits tokens)
 */
export function secretPanel({ title, secrets, clients, onDone, warning = TOKEN_WARNING }) {
  const done = h("button", { type: "button", class: "primary" }, "Done: I have copied it");
  const panel = h(
    "section",
    { class: "card secret", "aria-label": title, tabindex: -1 },
    h("h2", {}, title),
    h("p", { class: "note warn", role: "alert" }, warning),
    secrets.map((s) => copyBlock(s.label, s.text)),
    clients === null || clients === undefined
      ? null
      : h("div", { class: "clients" }, h("h3", {}, "Client configuration"), clientTabs(clients)),
    h("div", { class: "row" }, done),
  );
  done.addEventListener("click", () => {
    panel.remove();
    onDone?.();
  });
  return panel;
}
