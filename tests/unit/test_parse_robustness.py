"""Whatever the bytes, parsing ends in documents or typed input errors, never a crash."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEEDS
from tests.parsing import parse_bytes

pytestmark = pytest.mark.unit
SEED_LINES = [
    line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()
]


def _parse(data: bytes) -> None:
    # The stages raise only InputError subclasses for a bad object as a whole, and no
    # article ends in the service's safety net (processing_failed): that would be a bug.
    from newsfacet.errors import InputError

    try:
        result = parse_bytes(data, key="fuzz", limit=1_000_000)
    except InputError:
        return
    assert not [e.to_dict() for e in result.errors if e.code == "processing_failed"]
    for document in result.documents:
        assert all(entry.text.strip() for entry in document.entries)
        assert all(sum(ch.isalpha() for ch in e.body) >= 8 for e in document.built)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _parse(data)
    _parse(gzip.compress(data))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SEED_LINES), max_size=60), st.sampled_from(["\n", "\n\n"]))
def test_shuffled_seed_lines(lines: list[str], joiner: str) -> None:
    _parse(joiner.join(lines).encode())


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=40),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["title", "text", "html", "url", "published", "authors", "source"]),
                inner,
                max_size=6,
            )
        ),
        max_leaves=12,
    )
)
def test_json_of_any_shape(value: object) -> None:
    _parse(json.dumps(value).encode())
    _parse((json.dumps(value) + "\n" + json.dumps(value)).encode())
