"""The search page in a real browser: Debian's chromium driven by Playwright.

The page is loaded from the search function served over real HTTP (the
seeded e2e index), so every request it makes reaches the real handler and a
real OpenSearch. What the page shows is checked on the rendered DOM against
what the API answers for the same parameters. The escaping test uploads an
article with markup in its title and author through the local stack (S3 ->
queue -> ingest function) and reads it back through the page.

Every test also fails on a script error, a dialog, or a Content-Security-Policy
violation anywhere on the page.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import ROOT
from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e

# Runs before the page's own scripts: records what the CSP blocked, if anything.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from newsfacet_cli.local.browser import launch_chromium

    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except FileNotFoundError as missing:
            pytest.fail(str(missing), pytrace=False)
        try:
            yield browser
        finally:
            browser.close()


class Problems(list[str]):
    """Script errors, dialogs and CSP violations seen by one page."""


@pytest.fixture
def problems() -> Problems:
    return Problems()


def open_page(browser: Any, problems: Problems, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(WATCH_CSP)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


@pytest.fixture
def page(browser: Any, problems: Problems) -> Iterator[Any]:
    page = open_page(browser, problems)
    try:
        yield page
        problems.extend(page.evaluate("window.__cspViolations || []"))
    finally:
        page.context.close()
    assert not problems


def api_search(base: str, params: dict[str, Any] | list[tuple[str, str]]) -> dict[str, Any]:
    reply = requests.get(f"{base}/search", params=params, timeout=30)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def titles_of(hits: list[dict[str, Any]]) -> list[str]:
    return [h["title"] or "(untitled post)" for h in hits]


def shown_titles(page: Any) -> list[str]:
    return list(page.locator("#hits .hit-title a").all_text_contents())


def url_params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def wait_for_results(page: Any) -> None:
    page.wait_for_selector("#main[aria-busy=false] #hits > li")


def test_page_renders_the_apis_hits_and_facets(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    body = api_search(api_url, {"q": "Belgorod"})
    assert body["hits"]
    page.goto(f"{api_url}/?q=Belgorod")
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(body["hits"]))
    assert page.locator("#q").input_value() == "Belgorod"
    assert page.locator("#hits mark").count() >= 1
    for name in ("outlet", "cited_outlet", "person", "org", "loc"):
        facet = page.locator(f'[data-facet="{name}"]')
        values = body["facets"][name]["values"]
        assert facet.locator(".value").all_text_contents() == [
            v["label"] or v["value"] for v in values
        ]
        assert facet.locator(".count").all_text_contents() == [str(v["count"]) for v in values]
    assert page.locator('[data-facet="language"] .value').all_text_contents() == ["English"] * len(
        body["facets"]["language"]["values"]
    )
    assert page.locator("#dates .bar").count() == len(body["facets"]["date"]["values"])
    assert page.locator("#summary").text_content().startswith(f"{body['total']} ")
    first = body["hits"][0]
    card = page.locator(f'#hits .hit[data-id="{first["id"]}"]')
    assert (first["outlet_name"] or first["outlet"]) in card.locator(".meta").text_content()
    assert page.evaluate("performance.getEntriesByName('newsfacet:first-results').length") == 1


def test_ticking_a_facet_narrows_results_and_updates_the_url(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    whole = api_search(api_url, {"q": "Belgorod"})
    outlet = next(
        v for v in whole["facets"]["outlet"]["values"] if v["count"] < whole["counts"]["entries"]
    )
    narrowed = api_search(api_url, {"q": "Belgorod", "outlet": outlet["value"]})
    page.goto(f"{api_url}/?q=Belgorod")
    hits = page.locator("#hits .hit-title a")
    expect(hits).to_have_text(titles_of(whole["hits"]))

    page.locator(f'[data-facet="outlet"] input[data-value="{outlet["value"]}"]').check()
    expect(hits).to_have_text(titles_of(narrowed["hits"]))
    assert url_params(page) == {"q": ["Belgorod"], "outlet": [outlet["value"]]}
    assert page.locator(f'[data-facet="outlet"] input[data-value="{outlet["value"]}"]').is_checked()
    chip = page.locator(".active-chip")
    expect(chip).to_have_count(1)
    assert (outlet["label"] or outlet["value"]) in chip.text_content()

    # Drill down by keyboard: focus an entity's checkbox and press Space.
    person = next(v for v in narrowed["facets"]["person"]["values"] if not v["selected"])
    both = api_search(
        api_url, {"q": "Belgorod", "outlet": outlet["value"], "entity": person["value"]}
    )
    page.locator(f'[data-facet="person"] input[data-value="{person["value"]}"]').focus()
    page.keyboard.press("Space")
    expect(hits).to_have_text(titles_of(both["hits"]))
    assert url_params(page)["entity"] == [person["value"]]
    assert page.evaluate("document.activeElement.dataset.value") == person["value"]

    page.go_back()
    expect(hits).to_have_text(titles_of(narrowed["hits"]))
    page.go_back()
    expect(hits).to_have_text(titles_of(whole["hits"]))
    assert url_params(page) == {"q": ["Belgorod"]}
    page.go_forward()
    expect(hits).to_have_text(titles_of(narrowed["hits"]))

    # Removing the chip is the same as unticking.
    page.locator(".active-chip").click()
    expect(hits).to_have_text(titles_of(whole["hits"]))
    assert "outlet" not in url_params(page)


def test_an_entity_given_by_name_shows_as_its_ticked_facet_value(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    body = api_search(api_url, {"q": "Belgorod", "entity": "Gladkov"})
    (resolved,) = body["entities"]
    assert resolved["key"]
    page.goto(f"{api_url}/?q=Belgorod&entity=Gladkov")
    box = page.locator(f'[data-facet="person"] input[data-value="{resolved["key"]}"]')
    expect(box).to_be_checked()
    expect(page.locator(".active-chip")).to_contain_text(resolved["key"].split(":", 1)[1])
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(body["hits"]))
    box.uncheck()
    page.wait_for_url(re.compile(r"/\?q=Belgorod$"))
    expect(page.locator("#hits .hit-title a")).to_have_text(
        titles_of(api_search(api_url, {"q": "Belgorod"})["hits"])
    )


def test_query_box_sort_and_dedup_drive_the_url(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{api_url}/")
    wait_for_results(page)
    page.locator("#q").fill("Gladkov")
    page.locator("#q").press("Enter")
    expect(page.locator("#hits .hit-title a")).to_have_text(
        titles_of(api_search(api_url, {"q": "Gladkov"})["hits"])
    )
    page.locator("#sort").select_option("oldest")
    page.locator("#dedup").uncheck()
    expected = api_search(api_url, {"q": "Gladkov", "sort": "oldest", "dedup": "false"})
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(expected["hits"]))
    assert url_params(page) == {"q": ["Gladkov"], "sort": ["oldest"], "dedup": ["false"]}
    # A shared link gives the same page.
    page.goto(page.url)
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(expected["hits"]))
    assert page.locator("#sort").input_value() == "oldest"
    assert not page.locator("#dedup").is_checked()


def test_date_histogram_click_and_brush_narrow_the_dates(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    body = api_search(api_url, {"q": "Belgorod"})
    buckets = body["facets"]["date"]["values"]
    filled = [i for i, b in enumerate(buckets) if b["count"]]
    page.goto(f"{api_url}/?q=Belgorod")
    wait_for_results(page)

    page.locator("#dates .bar").nth(filled[0]).click()
    page.wait_for_url(re.compile(r"[?&]to="))
    params = url_params(page)
    narrowed = api_search(
        api_url, {"q": "Belgorod", "from": params["from"][0], "to": params["to"][0]}
    )
    assert (
        narrowed["total"] == buckets[filled[0]]["count"]
        or narrowed["counts"]["entries"] == (buckets[filled[0]]["count"])
    )
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(narrowed["hits"]))
    expect(page.locator(".active-chip")).to_contain_text("Dates:")

    # Brush: press on the first filled bar, drag to the last, release.
    page.go_back()
    wait_for_results(page)
    bars = page.locator("#dates .bar")
    start = bars.nth(filled[0]).bounding_box()
    end = bars.nth(filled[-1]).bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] - 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 2, steps=5)
    page.mouse.up()
    page.wait_for_url(re.compile(r"[?&]to="))
    params = url_params(page)
    spanned = api_search(
        api_url, {"q": "Belgorod", "from": params["from"][0], "to": params["to"][0]}
    )
    assert spanned["counts"]["entries"] == sum(b["count"] for b in buckets)
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(spanned["hits"]))

    # The date fields work from the keyboard.
    page.locator("#date-from").fill("2023-05-24")
    page.locator("#date-to").fill("2023-05-24")
    page.locator("#date-to").press("Enter")
    page.wait_for_url(re.compile(r"from=2023-05-24&to=2023-05-24"))
    same_day = api_search(api_url, {"q": "Belgorod", "from": "2023-05-24", "to": "2023-05-24"})
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(same_day["hits"]))


def test_more_results_walks_every_page_once(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    expected: list[str] = []
    params: dict[str, Any] = {"sort": "newest"}
    while True:
        body = api_search(api_url, params)
        expected += [h["id"] for h in body["hits"]]
        if not body["next_cursor"]:
            break
        params = {"sort": "newest", "cursor": body["next_cursor"], "facets": "none"}
    assert len(expected) > 10, "the corpus needs a second page"

    page.goto(f"{api_url}/?sort=newest")
    wait_for_results(page)
    more = page.locator("#more")
    clicks = 0
    while more.is_visible():
        shown = page.locator("#hits > li").count()
        more.click()
        # Locator waits, not wait_for_function: the CSP forbids the eval that needs.
        expect(page.locator("#hits > li").nth(shown)).to_be_attached()
        page.wait_for_selector("#main[aria-busy=false]")
        clicks += 1
    ids = page.locator("#hits .hit").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids == expected
    assert clicks == (len(expected) - 1) // 10
    # Keyboard users land on the first new result.
    assert (
        page.evaluate("document.activeElement.closest('.hit').dataset.id") == expected[10 * clicks]
    )


def test_entry_view_shows_text_entities_sources_and_story(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    everything = api_search(api_url, {"size": 100})
    story = next(h for h in everything["hits"] if h["copies"] > 1 and h["title"])
    listing = {"outlet": story["outlet"]}
    listed = api_search(api_url, listing)
    assert story["id"] in [h["id"] for h in listed["hits"]]
    entry = requests.get(f"{api_url}/entries/{story['id']}", timeout=30).json()

    page.goto(f"{api_url}/?outlet={story['outlet']}")
    card = page.locator(f'#hits .hit[data-id="{story["id"]}"]')
    also = card.locator(".also")
    for copy in story["also_reported_by"]:
        assert (copy["outlet_name"] or copy["outlet"]) in also.locator("p").first.text_content()
    also.locator("summary").click()
    expect(also.locator(".copies-list a")).to_have_count(len(story["also_reported_by"]))

    card.locator(".hit-title a").click()
    page.wait_for_url(re.compile(r"[?&]entry=" + story["id"]))
    view = page.locator("#entry-view")
    expect(view.locator("h1")).to_have_text(entry["title"])
    assert page.evaluate("document.activeElement.id") == "entry-title"
    # The body is the API's text exactly, with one mark per (non-overlapping) mention.
    assert view.locator(".body").text_content() == entry["body"]
    spans, at = [], 0
    for m in sorted(entry["mentions"], key=lambda m: (m["start"], -m["end"])):
        if m["start"] >= at and m["end"] > m["start"]:
            spans.append(entry["body"][m["start"] : m["end"]])
            at = m["end"]
    assert view.locator(".body mark").all_text_contents() == spans
    for source in entry["sources"]:
        expect(view.locator(".sources")).to_contain_text(f"s3://{source['bucket']}/{source['key']}")
    members = view.locator(".members a")
    expect(members).to_have_text(
        [c["title"] or "(untitled post)" for c in entry["cluster_members"]]
    )
    if entry["url"]:
        assert view.locator(".original a").get_attribute("href") == entry["url"]
    expect(view.locator(".entry-part .chips a")).to_have_count(len(entry["entities"]))

    # "More from this story" opens the copy; the browser's back returns to the first entry,
    # "Back to results" from there or from the copy returns to the list.
    members.first.click()
    page.wait_for_url(re.compile(r"[?&]entry=" + entry["cluster_members"][0]["id"]))
    expect(view.locator("h1")).to_have_text(
        entry["cluster_members"][0]["title"] or "(untitled post)"
    )
    page.go_back()
    expect(view.locator("h1")).to_have_text(entry["title"])
    page.go_forward()
    # The copy may carry the same headline: the URL tells which entry is open.
    page.wait_for_url(re.compile(r"[?&]entry=" + entry["cluster_members"][0]["id"]))
    view.locator("button.back").click()
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(listed["hits"]))
    assert "entry" not in url_params(page)
    assert page.evaluate("document.activeElement.dataset.entry") == story["id"]


def test_unknown_entry_and_bad_parameters_are_messages(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{api_url}/?entry=0123456789abcdef0123456789abcdef")
    expect(page.locator("#entry-view [role=alert]")).to_contain_text("Not found")
    page.goto(f"{api_url}/?q=Belgorod&from=2023-06-01&to=2023-05-01")
    alert = page.locator("#alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("cannot be run")
    expect(alert).to_contain_text("“from”")
    assert page.locator("#hits > li").count() == 0


def test_search_backend_down_is_a_message_with_retry(
    page: Any, api_url: str, api: Api, seeded_index: dict[str, Any], monkeypatch: Any
) -> None:
    import socket

    from opensearchpy import OpenSearch
    from playwright.sync_api import expect

    from newsfacet import wiring
    from newsfacet.search.service import SearchService

    api.event("/health")  # settle the function's environment on this index first
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = SearchService(
        OpenSearch(hosts=[f"http://127.0.0.1:{closed}"], max_retries=0),
        seeded_index["alias"],
        lambda: b"k",
    )
    monkeypatch.setattr(wiring, "search_service", lambda settings=None: down)
    page.goto(f"{api_url}/?q=Belgorod")
    alert = page.locator("#alert")
    expect(alert).to_contain_text("Search is unavailable right now (OpenSearch is unreachable)")
    monkeypatch.undo()
    alert.get_by_role("button", name="Try again").click()
    wait_for_results(page)
    expect(alert).to_be_hidden()
    assert page.locator("#hits .hit").count() > 0


def test_entity_finder_searches_all_entity_values(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    suggestions = requests.get(
        f"{api_url}/entities", params={"prefix": "glad", "type": "PERSON", "size": 8}, timeout=30
    ).json()["entities"]
    assert suggestions
    page.goto(f"{api_url}/?q=Belgorod")
    wait_for_results(page)
    finder = page.locator('[data-facet="person"] .finder')
    finder.locator("input").fill("glad")
    expect(finder.locator(".suggestions button")).to_have_count(len(suggestions))
    finder.locator(".suggestions button").first.click()
    page.wait_for_url(re.compile(r"[?&]entity="))
    assert url_params(page)["entity"] == [suggestions[0]["key"]]
    expected = api_search(api_url, {"q": "Belgorod", "entity": suggestions[0]["key"]})
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(expected["hits"]))


def test_readable_at_360_pixels(browser: Any, problems: Problems, api_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, problems, width=360)
    try:
        page.goto(f"{api_url}/?q=Belgorod")
        wait_for_results(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        facets = page.locator("#facets")
        expect(facets).to_be_hidden()
        toggle = page.locator("#filters-toggle")
        toggle.click()
        expect(facets).to_be_visible()
        assert toggle.get_attribute("aria-expanded") == "true"
        page.locator('[data-facet="outlet"] input[type=checkbox]').first.check()
        page.wait_for_url(re.compile(r"[?&]outlet="))
        wait_for_results(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("#hits .hit-title a").first.click()
        page.wait_for_selector("#entry-view h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        problems.extend(page.evaluate("window.__cspViolations || []"))
    finally:
        page.context.close()
    assert not problems


def test_page_helpers_in_the_browser(page: Any, api_url: str) -> None:
    """The pure helpers, run where they run: histogram ranges, escaping, offsets, links."""
    page.goto(f"{api_url}/")
    wait_for_results(page)
    result = page.evaluate(
        """async () => {
          const base = document.querySelector("script[type=module]").src;
          const hist = await import(new URL("histogram.js", base));
          const dom = await import(new URL("dom.js", base));
          const entry = await import(new URL("entry.js", base));
          const range = (key, interval) => hist.bucketRange(key, hist.bucketWidth(interval));
          const body = "😀 Gladkov said";
          const marks = entry.highlightedBody(body, [{start: 2, end: 9, type: "PERSON",
            canonical: "Vyacheslav Gladkov", text: "Gladkov"}]);
          return {
            month: range("2023-05-01T00:00:00.000Z", "1M"),
            week: range("2023-05-22T00:00:00.000+03:00", "week"),
            quarter: range("2023-04-01T00:00:00.000Z", "quarter"),
            year: range("2024-01-01T00:00:00.000Z", "1y"),
            days: range("2023-05-30T00:00:00.000Z", "7d"),
            hour: range("2023-05-24T03:00:00.000Z", "hour"),
            tenMinutes: range("2023-05-24T03:30:00.000Z", "10m"),
            unknown: hist.bucketWidth("fortnight"),
            label: hist.bucketLabel("2023-05-24T03:30:00.000Z", hist.bucketWidth("10m")),
            unescaped: dom.unescapeHtml("Russia&#x27;s &lt;b&gt; &amp;amp; &#128512; &bogus; &#0;"),
            snippet: dom.snippetNodes("a &lt;mark&gt; <mark>b&amp;c</mark> d").map(
              (n) => typeof n === "string" ? n : `[${n.tagName}:${n.textContent}]`),
            links: ["javascript:alert(1)", "data:text/html,x", "https://x.org/a?b", "http://y.org",
                    "/relative", null].map(dom.safeUrl),
            marked: marks.map((n) => typeof n === "string" ? n : `[${n.textContent}]`),
          };
        }"""
    )
    assert result["month"] == {"from": "2023-05-01", "to": "2023-05-31"}
    assert result["week"] == {"from": "2023-05-22", "to": "2023-05-28"}
    assert result["quarter"] == {"from": "2023-04-01", "to": "2023-06-30"}
    assert result["year"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert result["days"] == {"from": "2023-05-30", "to": "2023-06-05"}
    assert result["hour"] == {"from": "2023-05-24T03:00:00.000Z", "to": "2023-05-24T03:59:59.999Z"}
    assert result["tenMinutes"]["to"] == "2023-05-24T03:39:59.999Z"
    assert result["unknown"] is None
    assert result["label"] == "24 May 2023, 03:30"
    assert result["unescaped"] == "Russia's <b> &amp; 😀 &bogus; &#0;"
    assert result["snippet"] == ["a <mark> ", "[MARK:b&c]", " d"]
    assert result["links"] == [None, None, "https://x.org/a?b", "http://y.org/", None, None]
    assert result["marked"] == ["😀 ", "[Gladkov]", " said"]


# -- markup in the data -------------------------------------------------------------------
EVIL_TITLE = "Belgorod <img src=x onerror=window.__pwned=1> raid <script>window.__pwned=2</script>"
EVIL_AUTHOR = "<b onmouseover=window.__pwned=3>Mallory</b>"
EVIL_ARTICLE = {
    "title": EVIL_TITLE,
    "author": EVIL_AUTHOR,
    "url": "javascript:window.__pwned=4",
    "published": "2023-05-26T10:00:00Z",
    "body": (
        "Officials in Belgorod said the raid ended on Thursday after two days of fighting near "
        "the border. The governor, Vyacheslav Gladkov, said residents of the evacuated villages "
        "could return home once sappers had cleared the roads. Militia groups that claimed the "
        "attack said they would continue operations across the border in the coming weeks."
    ),
}


# No date anywhere: the page must say so, not invent one.
UNDATED_ARTICLE = {
    "title": "Shelling reported near Kozinka",
    "author": "Field Desk",
    "body": (
        "Residents of Kozinka reported heavy shelling through the night, according to messages "
        "shared by local volunteers. Several houses were damaged and the road out of the village "
        "was closed for hours while emergency crews worked to clear it of debris."
    ),
}


@pytest.fixture(scope="module")
def uploaded_site(local_stack: Any, local_aws: dict[str, Any]) -> Iterator[str]:
    """The article uploaded to the local bucket, ingested by the ingest function, served."""
    from newsfacet.config import Settings
    from newsfacet.index.client import build_client
    from newsfacet.index.setup import delete_indices, ensure_indices
    from newsfacet_cli.local.apigw import make_server
    from newsfacet_cli.local.invoke import invoke
    from newsfacet_cli.local.poller import QueuePoller
    from newsfacet_cli.local.template import Template

    template = Template(ROOT / "template.yaml")
    prefix = f"web{uuid.uuid4().hex[:8]}"
    overrides = {**local_stack.function_overrides(), "NEWSFACET_INDEX_PREFIX": prefix}
    settings = Settings(opensearch_url=local_stack.opensearch_url, index_prefix=prefix)  # type: ignore[arg-type]
    ensure_indices(build_client(settings), settings.index_names)  # what `newsfacet setup` does
    # Notifications left by modules that upload and invoke the functions directly
    # (test_events) would otherwise be ingested into this index too.
    sqs = local_aws["sqs"]
    while left := sqs.receive_message(QueueUrl=local_stack.queue_url, MaxNumberOfMessages=10).get(
        "Messages"
    ):
        sqs.delete_message_batch(
            QueueUrl=local_stack.queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(left)
            ],
        )
    local_aws["s3"].put_object(
        Bucket=local_stack.bucket,
        Key="evil.example.com/raid.json",
        Body=json.dumps(EVIL_ARTICLE).encode(),
        ContentType="application/json",
    )
    local_aws["s3"].put_object(
        Bucket=local_stack.bucket,
        Key="evil.example.com/undated.json",
        Body=json.dumps(UNDATED_ARTICLE).encode(),
        ContentType="application/json",
    )
    QueuePoller(
        local_aws["sqs"],
        local_stack.queue_url,
        lambda event: invoke(template, "IngestFunction", event, overrides),
    ).drain(idle_s=1, timeout_s=120)
    server = make_server(
        lambda event: invoke(template, "SearchFunction", event, overrides), "127.0.0.1", 0
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        delete_indices(build_client(settings), settings.index_names)


def test_markup_in_titles_and_authors_is_shown_as_text(page: Any, uploaded_site: str) -> None:
    from playwright.sync_api import expect

    body = api_search(uploaded_site, {"q": "Belgorod"})
    (hit,) = body["hits"]
    assert hit["title"] == EVIL_TITLE
    assert hit["authors"] == [EVIL_AUTHOR]

    page.goto(f"{uploaded_site}/?q=Belgorod")
    title = page.locator("#hits .hit-title a")
    expect(title).to_have_text(EVIL_TITLE)
    expect(page.locator("#hits .authors")).to_have_text(f"by {EVIL_AUTHOR}")
    page.locator("#hits .authors").hover()
    assert page.locator("img, #hits script, #hits b, #main iframe").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0

    title.click()
    expect(page.locator("#entry-view h1")).to_have_text(EVIL_TITLE)
    expect(page.locator("#entry-view .meta")).to_contain_text(EVIL_AUTHOR)
    assert page.locator("img, #entry-view script, #entry-view b").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.title() == f"{EVIL_TITLE} – newsfacet"


def test_undated_entries_are_counted_and_explained(page: Any, uploaded_site: str) -> None:
    from playwright.sync_api import expect

    whole = api_search(uploaded_site, {})
    assert whole["facets"]["date"]["undated"] == 1
    page.goto(f"{uploaded_site}/")
    wait_for_results(page)
    line = page.locator("#dates .undated")
    expect(line).to_contain_text("1 entry has no known publication date")
    # The dated hit says where its date came from; the undated one when it was uploaded, and why.
    dated = page.locator('#hits .hit:has-text("Belgorod")')
    expect(dated.locator(".provenance")).to_contain_text("date from")
    line.get_by_role("button", name="Show only those").click()
    wait_for_results(page)
    assert url_params(page)["undated"] == ["only"]
    only = api_search(uploaded_site, {"undated": "only"})
    expect(page.locator("#hits .hit-title a")).to_have_text(titles_of(only["hits"]))
    hit = only["hits"][0]
    assert hit["published"] is None
    assert hit["warnings"]
    note = page.locator("#hits .hit .provenance")
    expect(note).to_contain_text("uploaded")
    expect(note).to_contain_text(hit["warnings"][0])
    expect(page.locator(".active-chip")).to_have_text(re.compile("Only undated entries"))
    page.locator("#hits .hit-title a").click()
    expect(page.locator("#entry-view .provenance")).to_contain_text(hit["warnings"][0])
    expect(page.locator("#entry-view .meta")).to_contain_text("undated")


def test_author_facet_and_excluding_a_value(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    whole = api_search(api_url, {"q": "Belgorod"})
    authors = [v["value"] for v in whole["facets"]["author"]["values"]]
    assert authors
    page.goto(f"{api_url}/?q=Belgorod")
    wait_for_results(page)
    expect(page.locator('[data-facet="author"] .facet-values .value')).to_have_text(
        [v["label"] or v["value"] for v in whole["facets"]["author"]["values"]]
    )
    outlet = whole["facets"]["outlet"]["values"][0]
    without = api_search(api_url, {"q": "Belgorod", "exclude_outlet": outlet["value"]})
    not_button = page.locator(f'[data-facet="outlet"] button.not[data-value="{outlet["value"]}"]')
    not_button.click()
    hits = page.locator("#hits .hit-title a")
    expect(hits).to_have_text(titles_of(without["hits"]))
    assert url_params(page) == {"q": ["Belgorod"], "exclude_outlet": [outlet["value"]]}
    expect(not_button).to_have_attribute("aria-pressed", "true")
    chip = page.locator(".active-chip")
    expect(chip).to_have_text(re.compile(f"^not Outlet: {re.escape(outlet['label'])}"))
    # The excluded value stays listed, with the count it would bring back.
    excluded = next(
        v for v in without["facets"]["outlet"]["values"] if v["value"] == outlet["value"]
    )
    assert excluded["excluded"] is True
    row = page.locator(f'[data-facet="outlet"] li:has(button.not[data-value="{outlet["value"]}"])')
    expect(row.locator(".count")).to_have_text(f"{excluded['count']:,}")
    chip.click()
    expect(hits).to_have_text(titles_of(whole["hits"]))
    assert "exclude_outlet" not in url_params(page)


def test_finder_searches_any_facets_values(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    found = requests.get(
        f"{api_url}/facets/outlet",
        params={"q": "Belgorod", "prefix": "indep", "size": 8},
        timeout=30,
    ).json()["values"]
    assert found
    page.goto(f"{api_url}/?q=Belgorod")
    wait_for_results(page)
    finder = page.locator('[data-facet="outlet"] .finder')
    finder.locator("input").fill("indep")
    suggestions = finder.locator(".suggestions button")
    expect(suggestions).to_have_count(len(found))
    suggestions.first.click()
    assert url_params(page)["outlet"] == [found[0]["value"]]


def test_show_more_values_lists_the_rest(page: Any, api_url: str) -> None:
    from playwright.sync_api import expect

    whole = api_search(api_url, {})
    name, facet = next((n, f) for n, f in whole["facets"].items() if n != "date" and f.get("other"))
    every = requests.get(f"{api_url}/facets/{name}", params={"size": 50}, timeout=30).json()
    page.goto(f"{api_url}/")
    wait_for_results(page)
    section = page.locator(f'[data-facet="{name}"]')
    expect(section.locator(".facet-values li")).to_have_count(len(facet["values"]))
    section.locator("button.more-values").click()
    expect(section.locator(".facet-values li")).to_have_count(len(every["values"]))
    expect(section.locator("button.more-values")).to_have_count(0)
