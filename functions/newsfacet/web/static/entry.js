// The entry view: the cleaned text with its entities highlighted, where it
// came from, and the other entries of its story.
import { externalLink, h, splitEntity, timeNode, typeWord, languageName } from "./dom.js";
import { datesNote, entryLink, titleText } from "./results.js";
import { emptyState, toUrl, withValue } from "./state.js";

/**
 * The body as text nodes with a <mark> per mention. Offsets count Unicode code
 * points (the API is Python), so the body is cut by code points, not UTF-16
 * units; overlapping or out-of-range mentions are skipped.
 */
export function highlightedBody(body, mentions) {
  const chars = Array.from(body);
  const nodes = [];
  let at = 0;
  const sorted = [...mentions].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const m of sorted) {
    if (m.start < at || m.end <= m.start || m.end > chars.length) continue;
    if (m.start > at) nodes.push(chars.slice(at, m.start).join(""));
    const type = String(m.type);
    nodes.push(
      h(
        "mark",
        { class: `mention type-${type.toLowerCase()}`, title: `${typeWord(type)}: ${m.canonical}` },
        chars.slice(m.start, m.end).join(""),
      ),
    );
    at = m.end;
  }
  if (at < chars.length) nodes.push(chars.slice(at).join(""));
  return nodes;
}

function entitySearchLink(key) {
  const { type, name } = splitEntity(key);
  return h(
    "a",
    { href: toUrl(withValue(emptyState(), "entity", key, true)), class: `chip type-${type.toLowerCase()}`, title: typeWord(type) },
    name,
  );
}

function section(title, ...content) {
  return h("section", { class: "entry-part" }, h("h2", {}, title), ...content);
}

export function renderEntry(container, entry, state, actions) {
  const zone = state.tz || "UTC";
  const meta = [
    h("span", { class: "outlet" }, entry.outlet_name || entry.outlet || "unknown outlet"),
    timeNode(entry.published, zone),
    entry.authors.length ? h("span", {}, `by ${entry.authors.join(", ")}`) : null,
    entry.language ? h("span", {}, languageName(entry.language)) : null,
    entry.kind ? h("span", {}, entry.kind.replaceAll("_", " ")) : null,
  ].filter(Boolean);
  const original = externalLink(entry.url, "Read the original");
  const sources = entry.sources.map((s) =>
    h(
      "li",
      {},
      h("code", {}, `s3://${s.bucket}/${s.key}`),
      s.version_id ? h("span", { class: "muted" }, ` version ${s.version_id}`) : null,
      h("br"),
      h("span", { class: "muted" }, "first seen "),
      timeNode(s.first_seen, zone),
      h("span", { class: "muted" }, ", last seen "),
      timeNode(s.last_seen, zone),
    ),
  );
  const members = entry.cluster_members.map((c) =>
    h("li", {}, entryLink(state, c.id, titleText(c), actions), " — ", c.outlet_name || c.outlet || "unknown outlet", ", ", timeNode(c.published, zone)),
  );
  container.replaceChildren(
    h(
      "article",
      {},
      h("p", {}, h("button", { type: "button", class: "back", onclick: () => actions.closeEntry() }, "← Back to results")),
      h("h1", { id: "entry-title", tabindex: "-1" }, titleText(entry)),
      h("p", { class: "meta" }, meta.flatMap((node, i) => (i ? [" · ", node] : [node]))),
      datesNote(entry, zone),
      original ? h("p", { class: "original" }, original, h("span", { class: "muted" }, ` (${new URL(original.href).hostname})`)) : h("p", { class: "muted" }, "No link to the original was found."),
      h("div", { class: "body" }, highlightedBody(entry.body, entry.mentions)),
      entry.entities.length ? section("Entities", h("p", { class: "chips" }, entry.entities.map(entitySearchLink))) : null,
      entry.cited_outlets.length ? section("Cited outlets", h("p", {}, entry.cited_outlets.join(", "))) : null,
      section("Sources", sources.length ? h("ul", { class: "sources" }, sources) : h("p", { class: "muted" }, "No source recorded.")),
      section("More from this story", members.length ? h("ul", { class: "members" }, members) : h("p", { class: "muted" }, "No other copy of this story.")),
    ),
  );
}
