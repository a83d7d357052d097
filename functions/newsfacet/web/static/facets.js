// The facet panel, drawn from whatever facets /search returns: each value is a
// checkbox that adds or removes a filter; selected values stay listed.
import * as api from "./api.js";
import { clear, count, h, languageName } from "./dom.js";
import { baseParam, excludeParam, isSelected, searchParams } from "./state.js";

// How a facet is shown and which /search parameter it sets. `all`: values are
// AND-ed (entities drill down); `any`: OR-ed (multi-select). A facet the API
// returns that is missing here is still shown, as `any` on a parameter of its
// own name. Every value can also be excluded (`exclude_<param>`).
export const FACETS = {
  outlet: { title: "Outlet", param: "outlet", mode: "any" },
  cited_outlet: { title: "Cited outlet", param: "cited_outlet", mode: "any" },
  language: { title: "Language", param: "lang", mode: "any", label: languageName },
  author: { title: "Author", param: "author", mode: "any" },
  person: { title: "People", param: "entity", mode: "all", type: "PERSON", find: "Find a person" },
  org: { title: "Organisations", param: "entity", mode: "all", type: "ORG", find: "Find an organisation" },
  loc: { title: "Places", param: "entity", mode: "all", type: "LOC", find: "Find a place" },
};
const ORDER = ["outlet", "cited_outlet", "language", "author", "person", "org", "loc"];
// Any two to fifty characters: the API escapes them; entity names keep their old rule.
const FIND_PATTERN = /^.{2,50}$/u;
const ENTITY_PATTERN = /^[\p{L}\p{N}_ .'’&-]{2,50}$/u;
const MORE_VALUES = 50;

export function facetConfig(name) {
  return FACETS[name] ?? { title: name.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase()), param: name, mode: "any" };
}

/** The display label of a filter value, from the facet values the API returned. */
export function valueLabel(name, value, response) {
  const param = baseParam(name);
  for (const [facetName, facet] of Object.entries(response?.facets ?? {})) {
    if (facetConfig(facetName).param !== param) continue;
    const found = facet.values.find((v) => v.value === value);
    if (found) return labelOf(facetName, found);
  }
  return null;
}

function labelOf(facetName, item) {
  const config = facetConfig(facetName);
  if (item.label) return item.label;
  return config.label ? config.label(item.value) : item.value;
}

/**
 * The URL value that selects a facet value: the value itself, or for an entity
 * the name it was resolved from (`entity=Gladkov` selects PERSON:Vyacheslav
 * Gladkov), so that unticking it removes what the reader typed.
 */
export function selectorOf(state, response, param, value) {
  if (param !== "entity" || isSelected(state, param, value)) return value;
  const named = (response?.entities ?? []).find((e) => e.key === value && isSelected(state, param, e.input));
  return named ? named.input : value;
}

/**
 * Suggestions for a typed prefix among a facet's values: entity facets search
 * every entity (/entities); the others the facet's values under this search's
 * filters (/facets/{name}), counted as the facet counts them.
 */
function findValues(name, prefix, state, signal) {
  const config = facetConfig(name);
  if (config.type) {
    return api.entities(prefix, config.type, signal).then((body) =>
      body.entities.map((e) => ({ value: e.key, label: e.name, count: e.count })),
    );
  }
  return api.facetValues(name, searchParams(state), prefix, 8, signal).then((body) =>
    body.values.map((v) => ({ value: v.value, label: labelOf(name, v), count: v.count })),
  );
}

export function renderFacets(container, response, state, actions) {
  const names = Object.keys(response.facets).filter((name) => name !== "date");
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const sections = names.map((name) => facetSection(name, response, state, actions));
  // A keyboard user who ticked a value keeps focus on it across the redraw.
  const focused = container.contains(document.activeElement) ? document.activeElement.dataset : null;
  clear(container, sections.length ? sections : h("p", { class: "muted" }, "No facets for this search."));
  if (focused?.value) {
    const again = [...container.querySelectorAll("input[type=checkbox]")].find(
      (box) => box.dataset.param === focused.param && box.dataset.value === focused.value,
    );
    again?.focus({ preventScroll: true });
  }
}

// Facets the table does not know go after the multi-select ones, before the entities.
const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.indexOf("author"));

function facetSection(name, response, state, actions) {
  const config = facetConfig(name);
  const titleId = `facet-${name}`;
  const facet = response.facets[name];
  const list = h("ul", { class: "facet-values" }, facet.values.map((item) => valueItem(name, item, response, state, actions)));
  const hint = config.mode === "all" ? "results mention all ticked" : "any of the ticked";
  // More values than listed: fetch the next ones in place (the facet's own route).
  const more = facet.other
    ? h("button", {
        type: "button",
        class: "more-values",
        "aria-label": `Show more ${config.title.toLowerCase()} values`,
        onclick: async (event) => {
          const button = event.currentTarget;
          button.disabled = true;
          try {
            const body = await api.facetValues(name, searchParams(state), "", MORE_VALUES);
            const shown = new Set(facet.values.map((v) => v.value));
            list.append(...body.values.filter((v) => !shown.has(v.value)).map((v) => valueItem(name, v, response, state, actions)));
            button.remove();
          } catch (error) {
            button.disabled = false;
            button.textContent = api.describeError(error);
          }
        },
      }, "Show more values")
    : null;
  return h(
    "section",
    { class: "facet", "aria-labelledby": titleId, dataset: { facet: name } },
    h("h2", { id: titleId }, config.title, h("span", { class: "hint" }, ` · ${hint}`)),
    finder(name, config, state, actions),
    facet.values.length ? list : h("p", { class: "muted" }, "None here."),
    more,
  );
}

/** One facet value: a checkbox to select it and a "not" toggle to exclude it. */
function valueItem(name, item, response, state, actions) {
  const config = facetConfig(name);
  const selector = selectorOf(state, response, config.param, item.value);
  const selected = isSelected(state, config.param, selector);
  const excluded = isSelected(state, excludeParam(config.param), item.value);
  const label = labelOf(name, item);
  const box = h("input", {
    type: "checkbox",
    checked: selected,
    dataset: { param: config.param, value: item.value },
    onchange: (event) => actions.toggle(config.param, selector, event.target.checked),
  });
  const not = h(
    "button",
    {
      type: "button",
      class: "not",
      "aria-pressed": excluded ? "true" : "false",
      "aria-label": `${excluded ? "Stop excluding" : "Exclude"} ${label}`,
      title: excluded ? "Excluded: click to include again" : "Leave these out",
      dataset: { param: excludeParam(config.param), value: item.value },
      onclick: () => actions.toggle(excludeParam(config.param), item.value, !excluded),
    },
    "not",
  );
  const stories = item.stories != null ? h("span", { class: "visually-hidden" }, `, ${item.stories} stories`) : null;
  return h(
    "li",
    { class: [selected ? "selected" : null, excluded ? "excluded" : null].filter(Boolean).join(" ") || null },
    h("label", {}, box, h("span", { class: "value" }, label), " ", h("span", { class: "count" }, count(item.count)), stories),
    not,
  );
}

function finder(name, config, state, actions) {
  const what = config.find ?? `Find ${config.title.toLowerCase()}`;
  const list = h("ul", { class: "suggestions", "aria-live": "polite" });
  const input = h("input", {
    type: "search",
    class: "find",
    placeholder: `${what}…`,
    "aria-label": config.type ? `${what} among all entries` : `${what} among these results`,
    maxlength: 50,
    autocomplete: "off",
  });
  let timer = 0;
  let controller = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const prefix = input.value.trim();
    if (!(config.type ? ENTITY_PATTERN : FIND_PATTERN).test(prefix)) {
      clear(list, prefix.length === 1 ? h("li", { class: "muted" }, "Type one more letter.") : null);
      return;
    }
    timer = setTimeout(async () => {
      controller?.abort();
      controller = new AbortController();
      try {
        const found = await findValues(name, prefix, state, controller.signal);
        clear(
          list,
          found.length
            ? found.map((item) =>
                h("li", {}, h("button", { type: "button", onclick: () => actions.toggle(config.param, item.value, true) },
                  item.label, " ", h("span", { class: "count" }, count(item.count)))),
              )
            : h("li", { class: "muted" }, "No match."),
        );
      } catch (error) {
        if (error.name !== "AbortError") clear(list, h("li", { class: "muted" }, api.describeError(error)));
      }
    }, 200);
  });
  return h("div", { class: "finder" }, input, list);
}
