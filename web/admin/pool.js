// @ts-check
// One pool (docs/pools.md): what it answers now and its TTL, its settings, its members (addresses or
// followed host, priority, weight, status in words and colour, since when, smoothed RTT, last
// reason, every node's view when several nodes probe), an override per member (none / forced up /
// forced down / maintenance, each asking for a second click), each member's RTT and probe success
// over the last 24 hours, the transitions timeline, and delete (asks first; the published set stays
// as an ordinary record set).

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { busy, confirmButton, noteArea, showNote } from "../shared/forms.js";
import { perMinute, rttChart } from "./chart.js";
import {
  OVERRIDES,
  allDownNote,
  publishedText,
  statusBadges,
  statusText,
  toMs,
  whenMs,
} from "./pool-status.js";
import { transitionsTimeline } from "./transitions.js";
import { badge, header, hostLink, table } from "./util.js";

/** @typedef {import("./types.js").Ctx} Ctx */
/** @typedef {import("./types.js").PoolView} PoolView */
/** @typedef {import("./types.js").MemberView} MemberView */
/** @typedef {import("./types.js").Rollup} Rollup */
/** @typedef {import("./types.js").Transition} Transition */

const TRANSITIONS_LIMIT = 100;
/** The roll-ups fetched; the charts show the last hour of them or all. */
const ROLLUP_WINDOW = "24h";
const WINDOWS = [
  { label: "1 hour", ms: 3600_000 },
  { label: "24 hours", ms: 24 * 3600_000 },
];

/** @param {Ctx} ctx @param {string} name */
export async function render(ctx, name) {
  const path = `/api/v1/admin/pools/${encodeURIComponent(name)}`;
  const notes = noteArea();
  const summary = h("section", { class: "card pool-summary" });
  const members = h("section", { class: "card pool-members" });
  const charts = h("div", { class: "rtt-box" });
  const timeline = h("div", { class: "transitions-box" });
  const del = confirmButton(
    "Delete pool",
    () =>
      void busy(ctx.view, async () => {
        try {
          await api("DELETE", path);
          ctx.go("#/pools");
        } catch (e) {
          ctx.fail(e, notes);
        }
      }),
    "Really delete? Its answer stays as a plain record set",
  );
  const refresh = h("button", { type: "button", class: "small", onclick: () => void load() }, "Refresh");
  /**
   * What the charts show: the span chosen and the latest answers (redrawn when the span changes).
   * @type {{ windowMs: number, pool: PoolView | undefined, rollups: Rollup[] }}
   */
  const shown = { windowMs: WINDOWS[0]?.ms ?? 3600_000, pool: undefined, rollups: [] };
  const spans = WINDOWS.map((w) => {
    const b = h(
      "button",
      { type: "button", class: "small", "aria-pressed": String(w.ms === shown.windowMs) },
      w.label,
    );
    b.addEventListener("click", () => {
      shown.windowMs = w.ms;
      for (const c of spans) c.setAttribute("aria-pressed", String(c === b));
      renderCharts(charts, shown);
    });
    return b;
  });
  ctx.view.append(
    h("p", { class: "small" }, h("a", { href: "#/pools" }, "← Pools")),
    header(name, refresh, del),
    notes,
    summary,
    members,
    h(
      "section",
      { class: "card pool-rtt" },
      h(
        "div",
        { class: "row spread" },
        h("h2", {}, "Round-trip time and probe success"),
        h("div", { class: "row", role: "group", "aria-label": "Time span" }, spans),
      ),
      charts,
    ),
    h("section", { class: "card pool-transitions" }, h("h2", {}, "Transitions"), timeline),
  );

  /** Sets a member's override, then shows the pool as the server answers it. */
  const override = (/** @type {string} */ member, /** @type {string} */ value) =>
    busy(members, async () => {
      try {
        await api("PUT", `${path}/members/${encodeURIComponent(member)}/override`, { override: value });
        showNote(notes, "ok", `${member}: override ${statusText(value)}.`);
        await load();
        // The table was drawn anew: keep keyboard focus on the member's override.
        const row = [...members.querySelectorAll("tr")].find((r) => r.dataset["member"] === member);
        const pressed = [...(row?.querySelectorAll("button") ?? [])].find(
          (b) => b.getAttribute("aria-pressed") === "true",
        );
        pressed?.focus();
      } catch (e) {
        ctx.fail(e, notes);
      }
    });

  async function load() {
    try {
      const [detail, history, probes] = await Promise.all([
        api("GET", path),
        api("GET", `${path}/transitions?limit=${TRANSITIONS_LIMIT}`),
        api("GET", `${path}/rollups?since=${ROLLUP_WINDOW}`),
      ]);
      /** @type {PoolView} */
      const pool = detail.pool;
      renderSummary(summary, pool);
      renderMembers(members, pool, override);
      Object.assign(shown, { pool, rollups: probes.rollups });
      renderCharts(charts, shown);
      /** @type {Transition[]} */
      const transitions = history.transitions;
      mount(timeline, transitionsTimeline(pool.spec.name, transitions));
    } catch (e) {
      ctx.fail(e, notes);
    }
  }
  await load();
}

/** What the pool answers now, the all-down warning, and its settings in one line each. */
function renderSummary(/** @type {HTMLElement} */ box, /** @type {PoolView} */ pool) {
  const s = pool.spec;
  const c = s.check;
  const dial = [
    c.port === undefined ? "" : `port ${c.port}`,
    c.path ?? "",
    c.expect ? `expects ${c.expect}` : "",
  ]
    .filter((x) => x !== "")
    .join(" ");
  mount(
    box,
    h("h2", {}, "Answers now"),
    h("p", { class: "mono published" }, publishedText(pool)),
    allDownNote(pool),
    h(
      "dl",
      { class: "facts" },
      fact("Type", s.type),
      fact(
        "Steering",
        s.steering + ((pool.leader ?? undefined) === undefined ? "" : ` (answering: ${pool.leader})`),
      ),
      fact("When all are down", s.whenAllDown + (s.fallback.length > 0 ? `: ${s.fallback.join(", ")}` : "")),
      fact("Most answers", String(s.maxAnswers)),
      fact("TTL", `${s.ttlMin}–${s.ttlMax} s`),
      fact(
        "Check",
        `${c.type}${dial === "" ? "" : ` ${dial}`} every ${c.intervalMs / 1000} s, timeout ${c.timeoutMs / 1000} s, up after ${c.rise}, down after ${c.fall}`,
      ),
      fact("Changed", whenMs(pool.updatedAt)),
    ),
  );
}

const fact = (/** @type {string} */ term, /** @type {string | Node} */ value) => [
  h("dt", {}, term),
  h("dd", {}, value),
];

/**
 * The members' table with their override buttons.
 * @param {HTMLElement} box @param {PoolView} pool
 * @param {(member: string, value: string) => Promise<void>} override
 */
function renderMembers(box, pool, override) {
  const severalNodes = pool.members.some((m) => m.nodes.length > 1);
  const rows = pool.members.map((m) =>
    h(
      "tr",
      { "data-member": m.id },
      h("td", { class: "mono" }, m.id),
      h(
        "td",
        { class: "mono values" },
        m.addresses.length === 0 ? h("span", { class: "muted" }, "no address") : m.addresses.join("\n"),
        m.host == null ? null : h("div", { class: "small" }, "follows ", hostLink(m.host)),
      ),
      h("td", { class: "num" }, m.priority),
      h("td", { class: "num" }, m.weight),
      h(
        "td",
        { class: "member-status" },
        statusBadges(m.status, m.override),
        pool.leader === m.id ? [" ", badge("answering", "ok")] : null,
      ),
      h("td", {}, m.local == null ? "—" : whenMs(m.local.since)),
      h("td", { class: "num" }, m.local?.rttMs == null ? "—" : `${m.local.rttMs.toFixed(1)} ms`),
      h("td", { class: "reason" }, m.local?.lastReason ?? "—"),
      severalNodes
        ? h(
            "td",
            { class: "nodes small" },
            m.nodes.map((n) =>
              h(
                "div",
                { title: `observed ${new Date(toMs(n.observedAt)).toLocaleString()}` },
                `${n.node}: `,
                statusBadges(n.status),
              ),
            ),
          )
        : null,
      h("td", { class: "actions" }, overrideButtons(m, override)),
    ),
  );
  mount(
    box,
    h("h2", {}, "Members"),
    table(
      `Members of ${pool.spec.name}`,
      [
        "Member",
        "Addresses",
        ["Priority", "num"],
        ["Weight", "num"],
        "Status",
        "Since",
        ["RTT", "num"],
        "Last reason",
        ...(severalNodes ? ["Nodes"] : []),
        ["Override", "actions"],
      ],
      rows,
      "No members.",
    ),
  );
}

/**
 * None / Forced up / Forced down / Maintenance: the current one pressed; each acts on a second click.
 * @param {MemberView} m @param {(member: string, value: string) => Promise<void>} override
 */
function overrideButtons(m, override) {
  return h(
    "div",
    { role: "group", "aria-label": `Override of ${m.id}`, class: "row overrides" },
    OVERRIDES.map(([value, label]) => {
      const b = confirmButton(label, () => void override(m.id, value), `Set ${label.toLowerCase()}?`);
      b.className = value === "none" ? "small" : "small danger";
      b.setAttribute("aria-pressed", String(m.override === value));
      return b;
    }),
  );
}

/**
 * One RTT chart per member (spec order) over the chosen span, from the roll-ups of every node.
 * @param {HTMLElement} box
 * @param {{ windowMs: number, pool: PoolView | undefined, rollups: Rollup[] }} o
 */
function renderCharts(box, { windowMs, pool, rollups }) {
  if (pool === undefined) return;
  const latest = Math.max(0, ...rollups.map((r) => toMs(r.minute) + 60_000).filter(Number.isFinite));
  // The browser's clock may lag the server's: "now" is never before the latest minute.
  const now = Math.max(Date.now(), latest);
  const width = box.clientWidth || 900;
  const recent = rollups.filter((r) => toMs(r.minute) + 60_000 > now - windowMs);
  mount(
    box,
    recent.length === 0
      ? h("p", { class: "muted" }, `No probe results in the last ${windowMs / 3600_000} h.`)
      : pool.members.map((m) =>
          rttChart({
            member: m.id,
            points: perMinute(recent.filter((r) => r.member === m.id)),
            now,
            width,
            windowMs,
          }),
        ),
  );
}
