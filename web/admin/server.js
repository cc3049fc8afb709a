// @ts-check
// The server at a glance: update and query rates over the last 10 minutes or the last hour
// (refreshed while the page is open), totals, version, the HTTPS certificate served (when Beacon serves
// HTTPS) and the ACME certificate's renewal state (when Beacon gets its own).

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { noteArea } from "../shared/forms.js";
import { rateChart } from "./chart.js";
import { header } from "./util.js";

const REFRESH_MS = 10_000;
const WINDOWS = [
  { label: "10 min", seconds: 600 },
  { label: "1 hour", seconds: 3600 },
];

/** One line about the HTTPS certificate: names, expiry, where it came from. */
function certificateLine(/** @type {import("./types.js").CertificateView | null} */ c) {
  if (c === null) return "HTTPS: no certificate yet (TLS handshakes fail until one is installed)";
  const names = c.names.length > 0 ? c.names.join(", ") : c.subject;
  return `HTTPS certificate for ${names}, expires ${new Date(c.notAfter).toLocaleString()} (${c.origin})`;
}

/** One line on the certificate (names, expiry, next check) and the last error while orders fail. */
function acmeLine(/** @type {import("./types.js").AcmeLine} */ a) {
  const when = (/** @type {string | null} */ t) => (t === null ? "—" : new Date(t).toLocaleString());
  const line = `HTTPS certificate (ACME) for ${a.names.join(", ")}: ${
    a.notAfter === null ? "none yet" : `expires ${when(a.notAfter)}`
  } · next check ${when(a.nextCheckAt)}`;
  return h(
    "div",
    { class: "acme" },
    h("p", { class: "small" }, line),
    a.lastError === null
      ? null
      : h("p", { class: "note error small" }, `Last ${a.failures} order(s) failed: ${a.lastError}`),
  );
}

/** @param {import("./types.js").Ctx} ctx */
export async function render(ctx) {
  const notes = noteArea();
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  let windowSeconds = 600;
  /** @type {import("./types.js").Stats | undefined} */
  let last;
  const choices = WINDOWS.map((w) => {
    const b = h(
      "button",
      { type: "button", class: "small", "aria-pressed": String(w.seconds === windowSeconds) },
      w.label,
    );
    b.addEventListener("click", () => {
      windowSeconds = w.seconds;
      for (const c of choices) c.setAttribute("aria-pressed", String(c === b));
      if (last !== undefined) draw(last);
    });
    return b;
  });
  ctx.view.append(
    header(
      "Server",
      h("span", { class: "muted small" }, "Rates over"),
      h("div", { class: "row", role: "group", "aria-label": "Time span" }, choices),
    ),
    notes,
    body,
  );

  function draw(/** @type {import("./types.js").Stats} */ s) {
    const width = Math.min(body.clientWidth || 900, 1060) - 34;
    const fmt = new Intl.NumberFormat();
    const total = (/** @type {string} */ label, /** @type {number} */ n) =>
      h(
        "div",
        { class: "total" },
        h("div", { class: "total-n" }, fmt.format(n)),
        h("div", { class: "muted small" }, label),
      );
    const chart = (/** @type {string} */ title, /** @type {import("./types.js").RatePoint[]} */ points) =>
      rateChart({
        title,
        points,
        intervalSeconds: s.intervalSeconds,
        now: Date.parse(s.now),
        width,
        windowSeconds,
      });
    mount(
      body,
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Totals"),
        h(
          "div",
          { class: "totals" },
          total("updates", s.totals.updates),
          total("DNS queries", s.totals.queries),
          total("zones", s.totals.zones),
          total("hosts", s.totals.hosts),
          total("active tokens", s.totals.tokens),
        ),
        h(
          "p",
          { class: "muted small" },
          `Beacon ${s.version} · as of ${new Date(s.now).toLocaleTimeString()}`,
        ),
        s.certificate === undefined
          ? ""
          : h("p", { class: "muted small tls" }, certificateLine(s.certificate)),
        ...(s.acme === null ? [] : [acmeLine(s.acme)]),
      ),
      h("section", { class: "card chart updates" }, h("h2", {}, "Updates"), chart("Updates", s.updates)),
      h("section", { class: "card chart queries" }, h("h2", {}, "DNS queries"), chart("Queries", s.queries)),
    );
  }

  async function load() {
    try {
      last = await api("GET", "/api/v1/admin/stats");
      if (last !== undefined) draw(last);
    } catch (e) {
      ctx.fail(e, notes);
    }
  }
  await load();
  const timer = setInterval(() => {
    if (!ctx.view.isConnected) return clearInterval(timer);
    void load();
  }, REFRESH_MS);
}
