// The search API, on the page's own origin. The page is served at the API's
// root and this module from <root>/assets/<version>/, so the root is two
// folders up: that holds behind a custom domain's base path too.
const ROOT = new URL("../../", import.meta.url);

/** A failed request: `status` is 0 when the API could not be reached at all. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || null;
    this.parameter = (body && body.parameter) || null;
  }
}

/** GET `path` with `params` (an array of [name, value] pairs, names may repeat). */
export async function getJson(path, params = [], signal = undefined) {
  const url = new URL(path, ROOT);
  for (const [name, value] of params) url.searchParams.append(name, value);
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { error: "network", message: "The search API could not be reached." });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  if (body === null) throw new ApiError(response.status, { message: "The API answered with something that is not JSON." });
  return body;
}

export const search = (params, signal) => getJson("search", params, signal);
export const entry = (id, signal) => getJson(`entries/${encodeURIComponent(id)}`, [], signal);
/** Values of one facet under the search's filters, optionally those starting with `prefix`. */
export const facetValues = (name, params, prefix, size, signal) =>
  getJson(`facets/${encodeURIComponent(name)}`, [...params, ...(prefix ? [["prefix", prefix]] : []), ["size", String(size)]], signal);
export const entities = (prefix, type, signal) =>
  getJson("entities", [["prefix", prefix], ...(type ? [["type", type]] : []), ["size", "8"]], signal);

/** The sentence a reader sees for a failed request. */
export function describeError(error) {
  if (error.status === 0) return `${error.message} Check your connection and try again.`;
  if (error.status === 503) return `Search is unavailable right now (${error.message}). Try again in a moment.`;
  if (error.status === 404) return `Not found: ${error.message}.`;
  if (error.status >= 400 && error.status < 500) {
    const where = error.parameter ? ` (parameter “${error.parameter}”)` : "";
    return `This search cannot be run${where}: ${error.message}`;
  }
  return `The search API failed (HTTP ${error.status}): ${error.message}`;
}
