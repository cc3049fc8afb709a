// @ts-check
// The configuration view: the agent's YAML file as on disk, edited in place. "Check" validates with
// the agent's own loader and dry-runs every record; "Save" writes the file (only if nobody changed it
// since it was loaded: expectedHash) and the agent reloads it, then the status view follows the new
// cycle. Edits survive switching views (kept in this module) until saved or discarded.

import { api } from "../shared/api.js";
import { h, mount } from "../shared/dom.js";
import { dryRunView, issuesList } from "./dryrun.js";
import { createEditor } from "./editor.js";
import { errorCode, errorText } from "./errors.js";

/** @typedef {import("./types.js").AppContext} AppContext */
/** @typedef {import("./types.js").ConfigView} ConfigView */
/** @typedef {import("./types.js").CheckResult} CheckResult */
/** @typedef {import("./types.js").SaveResult} SaveResult */

/** The file as last loaded, and the user's text (undefined: nothing loaded yet). */
/** @type {ConfigView | undefined} */
let loaded;
/** @type {string | undefined} */
let draft;

/** Forgets edits (sign-out). */
export function forgetConfig() {
  loaded = undefined;
  draft = undefined;
}

/**
 * @param {HTMLElement} root
 * @param {AppContext} ctx
 */
export function mountConfig(root, ctx) {
  const editor = createEditor("Agent configuration (YAML)");
  const fileLine = h("p", { class: "muted small", id: "config-file" });
  const dirtyMark = h("span", { class: "badge warn", id: "config-dirty", hidden: true }, "unsaved changes");
  const check = h("button", { type: "button", id: "config-check" }, "Check");
  const save = h("button", { type: "button", class: "primary", id: "config-save" }, "Save");
  const reload = h("button", { type: "button", id: "config-reload" }, "Reload from disk");
  const note = h("div", { id: "config-note" });
  const results = h("div", { id: "config-results" });
  mount(
    root,
    h(
      "div",
      { class: "row spread toolbar" },
      h("h1", {}, "Configuration"),
      h("div", { class: "row" }, dirtyMark, reload, check, save),
    ),
    fileLine,
    note,
    editor.element,
    results,
  );

  let stopped = false;
  let confirmDiscard = false;
  const dirty = () => loaded !== undefined && editor.textarea.value !== loaded.yaml;

  function syncState() {
    draft = editor.textarea.value;
    dirtyMark.hidden = !dirty();
    save.disabled = loaded === undefined || !loaded.writable;
    check.disabled = loaded === undefined;
    if (confirmDiscard) {
      confirmDiscard = false;
      mount(reload, "Reload from disk");
    }
  }
  editor.onChange(syncState);

  function showFile() {
    if (loaded === undefined) return;
    mount(
      fileLine,
      loaded.file === null
        ? "The agent was started without a configuration file: nothing can be saved."
        : h(
            "span",
            {},
            "File ",
            h("code", {}, loaded.file),
            loaded.writable ? "" : " (read-only: cannot be saved from here)",
          ),
    );
  }

  async function load() {
    try {
      const view = /** @type {ConfigView} */ (await api("GET", "/api/config"));
      if (stopped) return;
      loaded = view;
      editor.setValue(view.yaml);
      editor.markLines(new Set());
      mount(results);
      showFile();
      syncState();
    } catch (e) {
      if (!ctx.handleAuth(e))
        mount(note, h("p", { class: "note error" }, `Cannot read the configuration: ${errorText(e)}`));
    }
  }

  /** @returns {Promise<CheckResult | undefined>} */
  async function runCheck() {
    mount(results, h("p", { class: "muted", id: "config-checking" }, "Checking… (asking every source)"));
    try {
      const r = /** @type {CheckResult} */ (
        await api("POST", "/api/config/check", { yaml: editor.textarea.value })
      );
      if (stopped) return undefined;
      showCheck(r);
      return r;
    } catch (e) {
      if (!ctx.handleAuth(e))
        mount(results, h("p", { class: "note error" }, `Check failed: ${errorText(e)}`));
      return undefined;
    }
  }

  function showCheck(/** @type {CheckResult} */ r) {
    editor.markLines(new Set(r.issues.flatMap((i) => (i.line === null ? [] : [i.line]))));
    if (!r.ok || r.issues.length > 0) {
      mount(
        results,
        issuesList(r.issues, (i) => editor.gotoLine(i.line ?? 1, i.column)),
      );
      return;
    }
    mount(results, dryRunView(r.dryRun?.records ?? [], r.restartRequired ?? [], r.dryRun?.notifiers ?? []));
  }

  async function runSave() {
    if (loaded === undefined) return;
    mount(note);
    save.disabled = true;
    try {
      const savedAt = Date.now() - 1000;
      const r = /** @type {SaveResult} */ (
        await api("PUT", "/api/config", { yaml: editor.textarea.value, expectedHash: loaded.hash })
      );
      forgetConfig();
      ctx.notify(...savedMessage(r));
      ctx.go("status", savedAt);
    } catch (e) {
      if (ctx.handleAuth(e)) return;
      const code = errorCode(e);
      if (code === "config_invalid") {
        mount(note, h("p", { class: "note error" }, "Not saved: the file has problems."));
        await runCheck();
      } else if (code === "config_changed") {
        mount(
          note,
          h(
            "div",
            { class: "note warn", id: "config-conflict" },
            h("p", {}, "Not saved: the file changed on disk since it was loaded here."),
            h(
              "button",
              { type: "button", id: "config-load-disk", onclick: () => void load().then(() => mount(note)) },
              "Load the file from disk (discards your edits)",
            ),
          ),
        );
      } else {
        mount(note, h("p", { class: "note error" }, `Not saved: ${errorText(e)}`));
      }
    } finally {
      syncState();
    }
  }

  check.addEventListener("click", () => void runCheck());
  save.addEventListener("click", () => void runSave());
  reload.addEventListener("click", () => {
    if (dirty() && !confirmDiscard) {
      confirmDiscard = true;
      mount(reload, "Discard edits and reload?");
      return;
    }
    confirmDiscard = false;
    mount(reload, "Reload from disk");
    mount(note);
    void load();
  });
  editor.textarea.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
      ev.preventDefault();
      void runCheck();
    }
  });

  if (loaded !== undefined && draft !== undefined) {
    editor.setValue(draft);
    showFile();
    syncState();
  } else {
    syncState();
    void load();
  }

  return {
    stop() {
      stopped = true;
    },
  };
}

/** @returns {[string, "ok" | "warn"]} */
function savedMessage(/** @type {SaveResult} */ r) {
  const restart =
    r.restartRequired === undefined || r.restartRequired.length === 0
      ? ""
      : ` Restart the agent for: ${r.restartRequired.join(", ")}.`;
  if (r.applied === false)
    return [
      `Saved, but the running agent could not apply it: ${r.detail ?? "see its log"}.${restart}`,
      "warn",
    ];
  const n = `${r.records} record${r.records === 1 ? "" : "s"}`;
  return [
    `Saved. The agent reloaded the file (${n}) and is checking now.${restart}`,
    restart === "" ? "ok" : "warn",
  ];
}
