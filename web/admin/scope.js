// @ts-check
// The scope fields shared by the token and TSIG key forms: names (one per line; "*.zone" or a
// trailing "and below" box means the whole subtree), record types, allowed client networks.

import { h } from "../shared/dom.js";
import { checkbox, field, splitList } from "../shared/forms.js";

export function scopeFields() {
  const names = h("textarea", {
    name: "names",
    rows: 2,
    required: true,
    spellcheck: "false",
    placeholder: "home.dyn.example.com",
  });
  const subtree = checkbox("Also every name below them", "subtree", false);
  const types = ["A", "AAAA", "TXT"].map((t) => ({ type: t, ...checkbox(t, `scope-${t}`, true) }));
  const cidrs = h("input", { name: "cidrs", spellcheck: "false", placeholder: "any address" });
  const el = h(
    "div",
    { class: "stack" },
    field("Names", names, "One per line. Write *.zone for every name below the zone."),
    subtree.el,
    h(
      "fieldset",
      { class: "row" },
      h("legend", {}, "Record types"),
      types.map((t) => t.el),
    ),
    field("Allowed client networks", cidrs, "Optional CIDRs, e.g. 198.51.100.0/24 2001:db8::/32."),
  );
  return {
    el,
    /** The scope as the API wants it; names empty when none were given. */
    value() {
      const list = splitList(names.value).map((n) => {
        const lower = n.toLowerCase().replace(/\.$/, "");
        return lower.startsWith("*.")
          ? { name: lower.slice(2), subtree: true }
          : { name: lower, subtree: subtree.input.checked };
      });
      return {
        names: list,
        types: types.filter((t) => t.input.checked).map((t) => t.type),
        allowedCidrs: splitList(cidrs.value),
      };
    },
  };
}
