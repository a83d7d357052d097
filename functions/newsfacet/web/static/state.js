// The whole state of the page lives in its URL: a shared link or the back
// button brings back the same search, filters and open entry.
//
// Scalar parameters are named here; every other parameter is a repeatable
// filter handed to /search as it is (entity, outlet, cited_outlet, lang, author,
// their exclude_* twins, and any filter the API adds later).

const SCALARS = new Set(["q", "from", "to", "sort", "dedup", "entry", "tz", "entity_type", "undated"]);
export const UNDATED = ["include", "exclude", "only"];
const FILTER_NAME = /^[a-z][a-z_]{0,31}$/;
// Filters come first in this order in URLs and chips; others follow by name.
const FILTER_ORDER = ["entity", "outlet", "cited_outlet", "lang", "author"];
export const SORTS = ["relevance", "newest", "oldest"];

export function emptyState() {
  return { q: "", filters: {}, from: "", to: "", sort: "relevance", dedup: true, tz: "", entity_type: "", undated: "", entry: "" };
}

export function readState(search) {
  const state = emptyState();
  for (const [name, raw] of new URLSearchParams(search)) {
    const value = raw.trim();
    if (name === "dedup") state.dedup = value !== "false";
    else if (name === "sort") state.sort = SORTS.includes(value) ? value : "relevance";
    else if (name === "undated") state.undated = UNDATED.includes(value) && value !== "include" ? value : "";
    else if (SCALARS.has(name)) state[name] = value;
    else if (FILTER_NAME.test(name) && value) addValue(state.filters, name, value);
  }
  return state;
}

function addValue(filters, name, value) {
  const values = (filters[name] ??= []);
  if (!values.includes(value)) values.push(value);
}

/** The parameter that excludes what `name` selects (`outlet` -> `exclude_outlet`). */
export const excludeParam = (name) => `exclude_${name}`;
/** The parameter a filter narrows, whether it selects or excludes (`exclude_outlet` -> `outlet`). */
export const baseParam = (name) => name.replace(/^exclude_/, "");

export function filterNames(state) {
  const rank = (name) => {
    const base = baseParam(name);
    const at = FILTER_ORDER.includes(base) ? FILTER_ORDER.indexOf(base) : FILTER_ORDER.length;
    return 2 * at + (base === name ? 0 : 1);
  };
  return Object.keys(state.filters)
    .filter((name) => state.filters[name].length)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The /search parameters of a state, as [name, value] pairs (no paging, no entry). */
export function searchParams(state) {
  const pairs = [];
  if (state.q) pairs.push(["q", state.q]);
  for (const name of filterNames(state)) for (const value of state.filters[name]) pairs.push([name, value]);
  if (state.entity_type) pairs.push(["entity_type", state.entity_type]);
  if (state.from) pairs.push(["from", state.from]);
  if (state.to) pairs.push(["to", state.to]);
  if (state.tz) pairs.push(["tz", state.tz]);
  if (state.undated) pairs.push(["undated", state.undated]);
  if (state.sort !== "relevance") pairs.push(["sort", state.sort]);
  if (!state.dedup) pairs.push(["dedup", "false"]);
  return pairs;
}

/** The same search: the results of one may be shown for the other. */
export const searchKey = (state) => new URLSearchParams(searchParams(state)).toString();

export function toUrl(state) {
  const params = new URLSearchParams(searchParams(state));
  if (state.entry) params.append("entry", state.entry);
  const query = params.toString();
  return query ? `?${query}` : "./";
}

const copy = (state) => ({ ...state, filters: Object.fromEntries(Object.entries(state.filters).map(([k, v]) => [k, [...v]])) });

export function withValue(state, name, value, on) {
  const next = copy(state);
  const values = (next.filters[name] ?? []).filter((v) => v !== value);
  next.filters[name] = on ? [...values, value] : values;
  next.entry = "";
  return next;
}

export function withChanges(state, changes) {
  return { ...copy(state), entry: "", ...changes };
}

export const isSelected = (state, name, value) => (state.filters[name] ?? []).includes(value);
