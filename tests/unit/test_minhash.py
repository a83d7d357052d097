"""Near-duplicate signatures and cluster planning on real seed text (no servers)."""

from __future__ import annotations

import itertools
import json

import pytest

from newsfacet.ingest.minhash import (
    BANDS,
    JACCARD_THRESHOLD,
    Member,
    estimated_jaccard,
    plan_clusters,
    sign_text,
)
from tests.conftest import ROOT, seed_paths

pytestmark = pytest.mark.unit

POSTS = json.loads((ROOT / "tests" / "data" / "liveblog-posts.json").read_text("utf-8"))


def _member(entry_id: str, text: str, cluster: str | None = None) -> Member:
    signature = sign_text(text)
    assert signature is not None
    return Member(entry_id, cluster or entry_id, signature.values, signature.bands)


def test_signature_ignores_case_quotes_and_spacing() -> None:
    text = POSTS["000_6816b149e7280501.txt"][1]["text"]
    variant = text.upper().replace("’", "'").replace(" ", "   ")
    a, b = sign_text(text), sign_text(variant)
    assert a is not None
    assert b is not None
    assert a == b
    assert len(a.bands) == BANDS


def test_too_short_texts_get_no_signature() -> None:
    assert sign_text("Russia says its military crushed it") is None


def test_the_five_seeds_are_not_near_duplicates_of_each_other() -> None:
    signatures = [sign_text(p.read_text("utf-8")) for p in seed_paths()]
    for a, b in itertools.combinations(signatures, 2):
        assert a is not None
        assert b is not None
        assert estimated_jaccard(a.values, b.values) < JACCARD_THRESHOLD


def test_an_edited_copy_is_a_near_duplicate() -> None:
    intro_000 = POSTS["000_6816b149e7280501.txt"][0]["text"]
    intro_001 = POSTS["001_2e1da8ca0f3204d9.txt"][0]["text"]  # adds "Meanwhile,"
    a, b = sign_text(intro_000), sign_text(intro_001)
    assert a is not None
    assert b is not None
    assert estimated_jaccard(a.values, b.values) >= JACCARD_THRESHOLD
    assert set(a.bands) & set(b.bands)


def test_plan_gives_a_group_its_lowest_id_whatever_the_order() -> None:
    intro_000 = POSTS["000_6816b149e7280501.txt"][0]["text"]
    intro_001 = POSTS["001_2e1da8ca0f3204d9.txt"][0]["text"]
    other = POSTS["001_2e1da8ca0f3204d9.txt"][3]["text"]
    members = [_member("b", intro_000), _member("a", intro_001), _member("c", other)]
    for order in itertools.permutations(members):
        plan = plan_clusters(list(order), [])
        assert plan.clusters == {"a": "a", "b": "a", "c": "c"}
        assert plan.merges == {}


def test_plan_lowers_a_stored_cluster_joined_by_a_new_entry() -> None:
    intro_000 = POSTS["000_6816b149e7280501.txt"][0]["text"]
    intro_001 = POSTS["001_2e1da8ca0f3204d9.txt"][0]["text"]
    stored = _member("z", intro_000, cluster="y")
    new = _member("a", intro_001)
    plan = plan_clusters([new], [stored])
    assert plan.clusters == {"a": "a"}
    assert plan.merges == {"y": "a"}  # every stored member of cluster y moves to a


def test_plan_keeps_an_exact_duplicate_in_its_stored_cluster() -> None:
    text = POSTS["000_6816b149e7280501.txt"][1]["text"]
    stored = _member("m", text, cluster="k")
    again = _member("m", text)  # same id: re-delivery or second snapshot
    plan = plan_clusters([again], [stored])
    assert plan.clusters == {"m": "k"}
    assert plan.merges == {}
