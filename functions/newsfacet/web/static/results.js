// One search hit: title (opens the entry), outlet, date, authors, the
// highlighted snippet, entity chips, and the story's other copies.
import { count, h, snippetNodes, splitEntity, timeNode, typeWord } from "./dom.js";
import { isSelected, toUrl, withChanges } from "./state.js";

const CHIPS_SHOWN = 6;

export function entryLink(state, id, text, actions) {
  const target = withChanges(state, { entry: id });
  return h(
    "a",
    {
      href: toUrl(target),
      dataset: { entry: id },
      onclick: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        actions.openEntry(id);
      },
    },
    text,
  );
}

export const titleText = (item) => item.title || "(untitled post)";

export function hitItem(hit, state, actions, context) {
  const meta = [
    h("span", { class: "outlet" }, hit.outlet_name || hit.outlet || "unknown outlet"),
    timeNode(hit.published, state.tz || "UTC"),
    hit.authors.length ? h("span", { class: "authors" }, `by ${hit.authors.join(", ")}`) : null,
    hit.copies > 1 ? h("span", { class: "copies" }, `${count(hit.copies)} copies`) : null,
  ].filter(Boolean);
  return h(
    "li",
    { class: "hit", dataset: { id: hit.id } },
    h("h3", { class: "hit-title" }, entryLink(state, hit.id, titleText(hit), actions)),
    h("p", { class: "meta" }, meta.flatMap((node, i) => (i ? [" · ", node] : [node]))),
    datesNote(hit, state.tz || "UTC"),
    h("p", { class: "snippet" }, snippetNodes(hit.snippet)),
    entityChips(hit.entities, state, actions, context),
    hit.cited_outlets.length ? h("p", { class: "cited" }, "Cites: ", hit.cited_outlets.join(", ")) : null,
    alsoReported(hit, state, actions),
  );
}

const SOURCE_WORDS = {
  page: "the page's metadata",
  text: "the text",
  object_metadata: "the upload's metadata",
  liveblog: "the post's byline",
};

/**
 * How the date is known, and what ingest could not decide: "date from the text",
 * "uploaded 3 Mar 2026", and each warning, so an undated entry says why.
 */
export function datesNote(item, zone) {
  const parts = [];
  if (item.published && item.published_source) parts.push(`date from ${SOURCE_WORDS[item.published_source] ?? item.published_source}`);
  if (!item.published && item.ingested_at) parts.push("uploaded ", timeNode(item.ingested_at, zone));
  const warnings = item.warnings ?? [];
  if (!parts.length && !warnings.length) return null;
  return h(
    "p",
    { class: "provenance" },
    parts,
    warnings.length ? [parts.length ? " · " : "", h("span", { class: "warnings" }, `Note: ${warnings.join("; ")}`)] : null,
  );
}

/**
 * Entity chips, most useful first: selected ones, then those the facets rank
 * highest for this search, then the rest; a few shown, the others on demand.
 */
function entityChips(keys, state, actions, { rank, selector }) {
  if (!keys.length) return null;
  const selected = (key) => isSelected(state, "entity", selector("entity", key));
  const score = (key) => (selected(key) ? -1 : rank.get(key) ?? Infinity);
  const ordered = [...keys].sort((a, b) => score(a) - score(b) || a.localeCompare(b));
  const chips = ordered.map((key) => {
    const { type, name } = splitEntity(key);
    const on = selected(key);
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: `chip type-${type.toLowerCase()}`,
          "aria-pressed": on ? "true" : "false",
          title: `${typeWord(type)}: ${name}`,
          "aria-label": `${on ? "Remove filter" : "Filter by"} ${typeWord(type)} ${name}`,
          onclick: () => actions.toggle("entity", selector("entity", key), !on),
        },
        name,
      ),
    );
  });
  const list = h("ul", { class: "chips", "aria-label": "Entities" }, chips.slice(0, CHIPS_SHOWN));
  if (chips.length > CHIPS_SHOWN) {
    const rest = chips.slice(CHIPS_SHOWN);
    const more = h(
      "button",
      {
        type: "button",
        class: "chip more-chips",
        onclick: () => {
          more.parentElement.replaceWith(...rest);
          rest[0].querySelector("button").focus();
        },
      },
      `+${rest.length} more`,
    );
    list.append(h("li", {}, more));
  }
  return list;
}

/** "Also reported by" the story's other copies, with the copies themselves on demand. */
function alsoReported(hit, state, actions) {
  const others = hit.also_reported_by;
  if (!others.length) return null;
  const outlets = [...new Set(others.map((c) => c.outlet_name || c.outlet || "unknown outlet"))];
  const hidden = Math.max(0, hit.copies - 1 - others.length);
  const copies = others.map((c) =>
    h(
      "li",
      {},
      entryLink(state, c.id, titleText(c), actions),
      " — ",
      c.outlet_name || c.outlet || "unknown outlet",
      ", ",
      timeNode(c.published, state.tz || "UTC"),
    ),
  );
  return h(
    "div",
    { class: "also" },
    h("p", {}, "Also reported by ", outlets.join(", "), hidden ? ` and ${count(hidden)} more` : ""),
    h(
      "details",
      {},
      h("summary", {}, `Show ${others.length === 1 ? "the other copy" : `${others.length} other copies`}`),
      h("ul", { class: "copies-list" }, copies),
      hidden ? h("p", { class: "muted" }, "Every copy is listed on the entry's page.") : null,
    ),
  );
}
