// The date histogram. Click a bar (or press Enter on it) to narrow the search to
// that bucket; press on a bar and drag across others to narrow to the span
// they cover. The two date fields do the same by typing.
import { clear, count, h } from "./dom.js";

const UNIT_MS = { s: 1e3, m: 6e4, h: 36e5 };
const CALENDAR = { hour: [1, "h"], day: [1, "d"], week: [7, "d"], month: [1, "M"], quarter: [3, "M"], year: [1, "y"] };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A bucket's width from the facet's interval: a calendar name we asked for
 * ("day") or what auto_date_histogram picked ("7d", "1M", "3h").
 */
export function bucketWidth(interval) {
  if (CALENDAR[interval]) return { n: CALENDAR[interval][0], unit: CALENDAR[interval][1] };
  const match = /^(\d+)([smhdwMy])$/.exec(interval || "");
  if (!match) return null;
  const n = Number(match[1]);
  return match[2] === "w" ? { n: n * 7, unit: "d" } : { n, unit: match[2] };
}

function shiftDay(day, n, unit) {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y + (unit === "y" ? n : 0), m - 1 + (unit === "M" ? n : 0), d + (unit === "d" ? n : 0)));
  return date.toISOString().slice(0, 10);
}

/**
 * The from/to parameters that cover one bucket. Buckets of a day or more are
 * sent as whole days (the bucket key is already in the search's time zone);
 * shorter ones as instants, `to` being the bucket's last millisecond.
 */
export function bucketRange(key, width) {
  if (width.unit in UNIT_MS) {
    const end = Date.parse(key) + width.n * UNIT_MS[width.unit] - 1;
    return { from: key, to: new Date(end).toISOString() };
  }
  const day = key.slice(0, 10);
  return { from: day, to: shiftDay(shiftDay(day, width.n, width.unit), -1, "d") };
}

/** A bucket key as a reader would name the bucket: "May 2023", "24 May 2023, 03:00". */
export function bucketLabel(key, width) {
  const [, y, mo, d, hh, mm] = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d))?/.exec(key) || [];
  if (!y) return key;
  const month = MONTHS[Number(mo) - 1];
  if (width?.unit === "y") return y;
  if (width?.unit === "M") return width.n === 3 ? `Q${Math.floor((Number(mo) - 1) / 3) + 1} ${y}` : `${month} ${y}`;
  const date = `${Number(d)} ${month} ${y}`;
  return width && width.unit in UNIT_MS ? `${date}, ${hh}:${mm}` : date;
}

const UNIT_WORDS = { s: "second", m: "minute", h: "hour", d: "day", M: "month", y: "year" };
function widthWord(width) {
  if (!width) return "";
  if (width.unit === "d" && width.n === 7) return "week";
  if (width.unit === "M" && width.n === 3) return "quarter";
  return width.n === 1 ? UNIT_WORDS[width.unit] : `${width.n} ${UNIT_WORDS[width.unit]}s`;
}

export function renderHistogram(container, facet, state, actions) {
  const buckets = facet?.values ?? [];
  const width = bucketWidth(facet?.interval);
  const range = rangeForm(state, actions);
  if (!buckets.length || !width) {
    clear(container, h("div", { class: "dates-head" }, h("h2", {}, "Published"), range), undatedLine(facet, state, actions));
    return;
  }
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bars = buckets.map((bucket, i) => {
    const label = `${bucket.label || bucketLabel(bucket.value, width)}: ${count(bucket.count)} ${bucket.count === 1 ? "entry" : "entries"}`;
    const fill = h("span", { class: "fill" });
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    fill.style.height = bucket.count ? `${Math.max(4, (100 * bucket.count) / max)}%` : "0";
    return h("button", { type: "button", class: "bar", title: label, "aria-label": label, dataset: { i } }, fill);
  });
  const group = h(
    "div",
    { class: "bars", role: "group", "aria-label": `Entries per ${widthWord(width)}; press a bar to narrow the dates to it` },
    bars,
  );
  brush(group, bars, (i, j) => {
    const first = bucketRange(buckets[Math.min(i, j)].value, width);
    const last = bucketRange(buckets[Math.max(i, j)].value, width);
    actions.setRange(first.from, last.to);
  });
  clear(
    container,
    h("div", { class: "dates-head" }, h("h2", {}, "Published ", h("span", { class: "hint" }, `per ${widthWord(width)}`)), range),
    group,
    h(
      "div",
      { class: "axis", "aria-hidden": "true" },
      h("span", {}, bucketLabel(buckets[0].value, width)),
      h("span", {}, bucketLabel(buckets[buckets.length - 1].value, width)),
    ),
    undatedLine(facet, state, actions),
  );
}

/**
 * Entries with no known publication time have no bar: the API counts them apart
 * (`undated`). Say how many, and let the reader show only them or leave them out.
 */
function undatedLine(facet, state, actions) {
  const undated = facet?.undated ?? 0;
  if (!undated && !state.undated) return null;
  const noun = undated === 1 ? "entry has" : "entries have";
  const toggle = (value, text) =>
    h("button", { type: "button", class: "link", onclick: () => actions.setUndated(state.undated === value ? "" : value) }, text);
  return h(
    "p",
    { class: "undated" },
    `${count(undated)} ${noun} no known publication date (no bar). `,
    state.undated === "only" ? toggle("only", "Show dated entries too") : toggle("only", "Show only those"),
    " · ",
    state.undated === "exclude" ? toggle("exclude", "Show undated entries too") : toggle("exclude", "Leave them out"),
  );
}

function brush(group, bars, commit) {
  let anchor = null;
  const barAt = (event) => {
    const el = document.elementFromPoint(event.clientX, event.clientY)?.closest(".bar");
    return el && group.contains(el) ? Number(el.dataset.i) : null;
  };
  const paint = (i, j) =>
    bars.forEach((bar, k) => bar.classList.toggle("brushed", i !== null && k >= Math.min(i, j) && k <= Math.max(i, j)));
  group.addEventListener("pointerdown", (event) => {
    const i = barAt(event);
    if (i === null || event.button !== 0) return;
    anchor = i;
    paint(i, i);
    group.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  group.addEventListener("pointermove", (event) => {
    if (anchor === null) return;
    const i = barAt(event);
    if (i !== null) paint(anchor, i);
  });
  group.addEventListener("pointerup", (event) => {
    if (anchor === null) return;
    const start = anchor;
    anchor = null;
    const i = barAt(event);
    paint(null, null);
    commit(start, i ?? start);
  });
  group.addEventListener("pointercancel", () => {
    anchor = null;
    paint(null, null);
  });
  // A pointer's click was handled on pointerup; this is Enter or Space on a focused bar.
  group.addEventListener("click", (event) => {
    const bar = event.target.closest(".bar");
    if (bar && event.detail === 0) commit(Number(bar.dataset.i), Number(bar.dataset.i));
  });
}

const DAY = /^\d{4}-\d{2}-\d{2}/;

function rangeForm(state, actions) {
  const from = h("input", { type: "date", id: "date-from", value: DAY.test(state.from) ? state.from.slice(0, 10) : "" });
  const to = h("input", { type: "date", id: "date-to", value: DAY.test(state.to) ? state.to.slice(0, 10) : "" });
  return h(
    "form",
    {
      class: "range",
      onsubmit: (event) => {
        event.preventDefault();
        actions.setRange(from.value, to.value);
      },
    },
    h("label", { for: "date-from" }, "From"),
    from,
    h("label", { for: "date-to" }, "to"),
    to,
    h("button", { type: "submit" }, "Apply"),
    state.from || state.to ? h("button", { type: "button", onclick: () => actions.setRange("", "") }, "Any date") : null,
  );
}
