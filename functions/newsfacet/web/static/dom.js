// Building DOM from API data. Everything the API returns becomes text nodes:
// there is no HTML parsing anywhere in this page (and the CSP's Trusted Types
// setting makes every HTML-string sink throw).

/**
 * Create an element. `props` keys are ours, never the API's: `class`, `text`,
 * `on<event>` listeners, `dataset`, or attribute names. Children are nodes,
 * strings (as text), arrays of those, or null (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decode the character references of HTML-escaped text (the API's snippets). */
export function unescapeHtml(text) {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, ref) => {
    if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * A snippet (HTML-escaped text with <mark> around matches) as nodes: the text
 * is split on the two mark tags and each piece becomes text, so nothing else
 * in it can become an element.
 */
export function snippetNodes(snippet) {
  const nodes = [];
  let marked = false;
  for (const part of String(snippet || "").split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) nodes.push(marked ? h("mark", {}, unescapeHtml(part)) : unescapeHtml(part));
  }
  return nodes;
}

/** An http(s) URL from the API, or null: never a javascript: or data: link. */
export function safeUrl(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function externalLink(url, text) {
  const href = safeUrl(url);
  if (!href) return null;
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, text);
}

const formats = new Map();
function dateFormat(timeZone, withTime) {
  const key = `${timeZone}|${withTime}`;
  if (!formats.has(key)) {
    const options = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
    formats.set(key, new Intl.DateTimeFormat("en-GB", { ...options, timeZone }));
  }
  return formats.get(key);
}

/** A <time> for an API timestamp, or the word "undated" when the API has none. */
export function timeNode(iso, timeZone = "UTC") {
  if (!iso) return h("span", { class: "undated" }, "undated");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h("span", {}, iso);
  const zone = timeZone === "UTC" ? " UTC" : "";
  return h("time", { datetime: iso }, dateFormat(timeZone, true).format(date) + zone);
}

export function formatDay(iso, timeZone = "UTC") {
  return dateFormat(timeZone, false).format(new Date(iso));
}

export const count = (n) => Number(n).toLocaleString("en-GB");

/** "PERSON:Vyacheslav Gladkov" -> { type: "PERSON", name: "Vyacheslav Gladkov" } */
export function splitEntity(key) {
  const at = key.indexOf(":");
  return at > 0 ? { type: key.slice(0, at), name: key.slice(at + 1) } : { type: "", name: key };
}

const TYPE_WORDS = { PERSON: "person", ORG: "organisation", LOC: "place" };
export const typeWord = (type) => TYPE_WORDS[type] || type.toLowerCase();

let languageNames = null;
/** "en" -> "English" where the browser knows the code, else the code itself. */
export function languageName(code) {
  try {
    languageNames ??= new Intl.DisplayNames(["en"], { type: "language" });
    return languageNames.of(code) || code;
  } catch {
    return code;
  }
}
