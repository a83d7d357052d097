// The search page's controller: URL -> state -> API requests -> DOM.
import * as api from "./api.js";
import { clear, count, formatDay, h, splitEntity, typeWord } from "./dom.js";
import { renderEntry } from "./entry.js";
import { FACETS, facetConfig, renderFacets, selectorOf, valueLabel } from "./facets.js";
import { renderHistogram } from "./histogram.js";
import { hitItem } from "./results.js";
import { baseParam, filterNames, readState, searchKey, searchParams, toUrl, withChanges, withValue } from "./state.js";

const PAGE_SIZE = 10;
const $ = (id) => document.getElementById(id);

let state = readState(location.search);
// The results of the current search, pages included: kept while an entry is
// open, so that going back shows them at once, where the reader left them.
let current = { key: null, response: null, hits: [], cursor: null, error: null };
let searchRequest = null;
let entryRequest = null;
let firstResultsMarked = false;

const actions = {
  toggle: (param, value, on) => navigate(withValue(state, param, value, on)),
  setRange: (from, to) => navigate(withChanges(state, { from, to })),
  setUndated: (undated) => navigate(withChanges(state, { undated })),
  openEntry(id) {
    if (!state.entry) history.replaceState({ ...history.state, scroll: window.scrollY, opened: id }, "");
    // How many entries were opened since the results, for "back to results": one from the
    // results, one more from an entry, none from an entry opened by a link (no results behind).
    const here = history.state?.depth ?? 0;
    const depth = !state.entry ? 1 : here ? here + 1 : 0;
    navigate({ ...state, entry: id }, { depth });
  },
  closeEntry() {
    const depth = history.state?.depth ?? 0;
    if (depth) history.go(-depth);
    else navigate({ ...state, entry: "" });
  },
};

function navigate(next, { depth = 0 } = {}) {
  history.pushState({ depth, scroll: 0 }, "", toUrl(next));
  state = next;
  render();
  if (!next.entry) window.scrollTo(0, 0);
}

function render() {
  $("q").value = state.q;
  $("sort").value = state.sort;
  $("dedup").checked = state.dedup;
  document.title = state.q ? `${state.q} – newsfacet` : "newsfacet search";
  if (state.entry) showEntry();
  else showSearch();
}

// -- search ------------------------------------------------------------------------
function showSearch() {
  entryRequest?.abort();
  $("entry-view").hidden = true;
  $("search-view").hidden = false;
  // The same search still on its way (started behind an entry) draws itself when it lands.
  if (searchKey(state) !== current.key) runSearch();
  else if (!current.loading) drawSearch();
}

async function runSearch() {
  searchRequest?.abort();
  const request = (searchRequest = new AbortController());
  const key = searchKey(state);
  current = { key, response: null, hits: [], cursor: null, error: null, loading: true };
  busy(true, "Searching…");
  try {
    const response = await api.search([...searchParams(state), ["size", String(PAGE_SIZE)]], request.signal);
    Object.assign(current, { response, hits: [...response.hits], cursor: response.next_cursor });
  } catch (error) {
    if (error.name === "AbortError") return;
    current.error = error;
  }
  current.loading = false;
  busy(false, current.error ? "" : summaryText(current.response));
  if (!state.entry) drawSearch();
  else if (current.response) drawFacets();
}

function busy(on, message) {
  $("main").setAttribute("aria-busy", on ? "true" : "false");
  $("search-view").classList.toggle("loading", on);
  // Shown while waiting; afterwards it only speaks to screen readers (the summary shows the rest).
  $("status").textContent = message;
  $("status").classList.toggle("visually-hidden", !on);
}

function summaryText(response) {
  if (!response) return "";
  if (!response.total) return "No results.";
  const stories = `${count(response.total)} ${state.dedup ? (response.total === 1 ? "story" : "stories") : response.total === 1 ? "entry" : "entries"}`;
  return state.dedup && response.counts.entries !== response.total ? `${stories} (${count(response.counts.entries)} entries)` : stories;
}

function drawSearch() {
  const { response, error } = current;
  showAlert(error ? api.describeError(error) : null, error ? runSearch : null);
  if (!response) {
    clear($("hits"));
    clear($("summary"));
    $("more").hidden = true;
    return;
  }
  clear($("summary"), summaryText(response), state.q ? ` for “${state.q}”` : "");
  drawChips(response);
  renderHistogram($("dates"), response.facets.date, state, actions);
  drawFacets();
  const items = current.hits.map((hit) => hitItem(hit, state, actions, hitContext(response)));
  clear($("hits"), items.length ? items : h("li", { class: "empty" }, emptyAdvice()));
  $("more").hidden = !current.cursor;
  if (!firstResultsMarked) {
    firstResultsMarked = true;
    performance.mark("newsfacet:first-results");
  }
  restoreReader();
}

// Back from an entry: the results where the reader left them, focus on the link they followed.
function restoreReader() {
  const { scroll, opened } = history.state ?? {};
  if (opened) $("hits").querySelector(`a[data-entry="${CSS.escape(opened)}"]`)?.focus({ preventScroll: true });
  if (scroll) window.scrollTo(0, scroll);
}

function drawFacets() {
  renderFacets($("facets"), current.response, state, actions);
}

function emptyAdvice() {
  const filtered = filterNames(state).length || state.from || state.to || state.undated;
  return filtered
    ? "No results. Remove a filter above, or try other words."
    : "No results. Try fewer or other words; the query syntax is explained under the search box.";
}

// What a hit's entity chips need from the response: each entity's rank in the
// facets, and which URL value selects it (a key, or a name it resolved from).
function hitContext(response) {
  const rank = new Map();
  for (const name of ["person", "org", "loc"]) {
    (response.facets[name]?.values ?? []).forEach((v, i) => rank.set(v.value, i));
  }
  return { rank, selector: (param, value) => selectorOf(state, response, param, value) };
}

function filterTitle(name, value, response) {
  const base = baseParam(name);
  // An excluded value reads as such: "not Outlet: The Independent".
  const not = base === name ? "" : "not ";
  if (base === "entity") {
    const resolved = response.filters?.find((f) => f.parameter === name && f.input === value);
    const { type, name: entityName } = splitEntity(resolved?.value || value);
    if (resolved && !resolved.value) return `${not}Entity: ${value} (no match)`;
    return `${not}${type ? typeWord(type) : "entity"}: ${entityName}`;
  }
  const config = Object.values(FACETS).find((c) => c.param === base) ?? facetConfig(base);
  const resolved = response.filters?.find((f) => f.parameter === name && f.input === value);
  const label = valueLabel(name, resolved?.value ?? value, response) ?? value;
  return `${not}${config.title}: ${label}`;
}

function describeDate(value, end) {
  if (!value) return end ? "now" : "the start";
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDay(value) : value;
}

function drawChips(response) {
  const chips = [];
  for (const name of filterNames(state)) {
    for (const value of state.filters[name]) {
      const title = filterTitle(name, value, response);
      chips.push(chip(title, () => actions.toggle(name, value, false), name !== baseParam(name)));
    }
  }
  if (state.from || state.to) {
    chips.push(chip(`Dates: ${describeDate(state.from, false)} – ${describeDate(state.to, true)}`, () => actions.setRange("", "")));
  }
  if (state.undated) {
    const title = state.undated === "only" ? "Only undated entries" : "Dated entries only";
    chips.push(chip(title, () => navigate(withChanges(state, { undated: "" }))));
  }
  $("filters-toggle").textContent = chips.length ? `Filters (${chips.length} active)` : "Filters";
  if (chips.length > 1) {
    chips.push(h("li", {}, h("button", { type: "button", class: "clear-all", onclick: () => navigate(withChanges(state, { filters: {}, from: "", to: "", undated: "" })) }, "Clear all filters")));
  }
  clear($("chips"), chips.length ? h("ul", { "aria-label": "Active filters" }, chips) : null);
}

function chip(title, remove, negated = false) {
  const cls = negated ? "active-chip negated" : "active-chip";
  return h("li", {}, h("button", { type: "button", class: cls, "aria-label": `Remove filter ${title}`, onclick: remove }, title, h("span", { "aria-hidden": "true" }, " ×")));
}

function showAlert(message, retry) {
  const box = $("alert");
  box.hidden = !message;
  clear(box, message, retry ? [" ", h("button", { type: "button", onclick: retry }, "Try again")] : null);
}

async function loadMore() {
  const button = $("more");
  const key = current.key;
  button.disabled = true;
  busy(true, "Loading more results…");
  try {
    // Facets do not change from page to page; the cursor is bound to the rest.
    const params = [...searchParams(state), ["size", String(PAGE_SIZE)], ["facets", "none"], ["cursor", current.cursor]];
    const page = await api.search(params);
    if (key !== current.key) return;
    const start = current.hits.length;
    current.hits.push(...page.hits);
    current.cursor = page.next_cursor;
    const context = hitContext(current.response);
    $("hits").append(...page.hits.map((hit) => hitItem(hit, state, actions, context)));
    button.hidden = !current.cursor;
    showAlert(null);
    busy(false, `${count(current.hits.length)} results shown.`);
    $("hits").children[start]?.querySelector("a")?.focus();
  } catch (error) {
    busy(false, "");
    showAlert(api.describeError(error), loadMore);
  } finally {
    button.disabled = false;
  }
}

// -- entry ---------------------------------------------------------------------------
async function showEntry() {
  const view = $("entry-view");
  $("search-view").hidden = true;
  view.hidden = false;
  showAlert(null);
  const id = state.entry;
  entryRequest?.abort();
  const request = (entryRequest = new AbortController());
  clear(view, h("p", { class: "muted" }, "Loading the entry…"));
  busy(true, "Loading the entry…");
  try {
    const entry = await api.entry(id, request.signal);
    renderEntry(view, entry, state, actions);
    busy(false, "");
    document.title = `${entry.title || "Entry"} – newsfacet`;
    $("entry-title").focus();
  } catch (error) {
    if (error.name === "AbortError") return;
    busy(false, "");
    clear(view, h("p", {}, h("button", { type: "button", class: "back", onclick: actions.closeEntry }, "← Back to results")), h("p", { class: "alert", role: "alert" }, api.describeError(error)));
  }
  // An entry opened from a shared link: load its search behind it, for the facets and "back".
  if (searchKey(state) !== current.key) runSearch();
}

// -- wiring --------------------------------------------------------------------------
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  navigate(withChanges(state, { q: $("q").value.trim() }));
});
$("sort").addEventListener("change", (event) => navigate(withChanges(state, { sort: event.target.value })));
$("dedup").addEventListener("change", (event) => navigate(withChanges(state, { dedup: event.target.checked })));
$("more").addEventListener("click", loadMore);
$("filters-toggle").addEventListener("click", (event) => {
  const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
  event.currentTarget.setAttribute("aria-expanded", String(open));
  $("filters").classList.toggle("open", open);
});
window.addEventListener("popstate", () => {
  state = readState(location.search);
  render();
});
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select, [contenteditable]");
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    $("q").focus();
    $("q").select();
  }
});

history.replaceState({ depth: 0, scroll: 0 }, "");
render();
