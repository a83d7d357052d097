"""Whatever the bytes, parsing ends in documents or typed input errors, never a crash."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsfacet.ingest.pipeline import parse_object
from newsfacet.models.document import ObjectRef
from tests.conftest import SEEDS

pytestmark = pytest.mark.unit
REF = ObjectRef(bucket="b", key="fuzz")
SEED_LINES = [
    line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text("utf-8").splitlines()
]


def _parse(data: bytes) -> None:
    # parse_object raises only InputError subclasses for a bad object as a whole.
    from newsfacet.errors import InputError

    try:
        result = parse_object(data, REF, limit=1_000_000)
    except InputError:
        return
    for document in result.documents:
        assert all(entry.text.strip() for entry in document.entries)


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
