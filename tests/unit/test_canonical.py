"""Canonical entity names: in-document folding, aliases, offsets (spaCy model, no servers)."""

from __future__ import annotations

import pytest

from newsfacet.ingest.canonical import fold_key
from newsfacet.ingest.entities import tag_texts
from tests.conftest import seed_paths

pytestmark = pytest.mark.unit


def _canon(text: str) -> dict[str, set[tuple[str, str]]]:
    (entities,) = tag_texts([text])
    out: dict[str, set[tuple[str, str]]] = {}
    for entity in entities:
        assert text[entity.start : entity.end] == entity.text
        out.setdefault(entity.text, set()).add((entity.type, entity.canonical))
    return out


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("the Kremlin's", "Kremlin"),
        ("Russia’s  Defence   Ministry", "russia's defence ministry"),
        ("U.S.", "US"),
        ("The Washington Post", "washington post"),
    ],
)
def test_fold_key_folds_possessive_leading_the_case_and_spacing(a: str, b: str) -> None:
    assert fold_key(a) == fold_key(b)


def test_surname_after_full_name_is_that_person() -> None:
    found = _canon(
        "Vyacheslav Gladkov, governor of the Belgorod region, said villages were shelled. "
        "Gladkov told residents not to return."
    )
    assert found["Gladkov"] == {("PERSON", "Vyacheslav Gladkov")}


def test_acronym_in_brackets_becomes_an_alias_of_the_name() -> None:
    found = _canon(
        "The Siberian Battalion of Free Citizens (SBFC) claimed the raid. "
        "Later SBFC fighters posted videos."
    )
    assert found["SBFC"] == {("ORG", "Siberian Battalion of Free Citizens")}


def test_the_legion_under_four_names_is_one_entity() -> None:
    names = [
        "Freedom of Russia Legion",
        "Legion of Freedom in Russia",
        "Liberty of Russia Legion",
        "Free Russian Legion",
    ]
    (entities,) = tag_texts([". ".join(f"The {n} said it attacked" for n in names) + "."])
    assert {(e.text, e.canonical) for e in entities if "Legion" in e.text} == {
        (n, "Freedom of Russia Legion") for n in names
    }


def test_nationalities_are_not_places() -> None:
    found = _canon("Russian troops and Ukrainian officials met in Russia.")
    assert "Russian" not in found
    assert "Ukrainian" not in found
    assert found["Russia"] == {("LOC", "Russia")}


def test_seed_entities_have_offsets_into_their_text() -> None:
    texts = [path.read_text("utf-8") for path in seed_paths()]
    for text, entities in zip(texts, tag_texts(texts), strict=True):
        assert entities
        for entity in entities:
            assert text[entity.start : entity.end] == entity.text
            assert entity.type in {"PERSON", "ORG", "LOC"}


def test_alias_names_override_the_model_but_not_a_longer_name_around_them() -> None:
    from newsfacet.ingest.entities import merge_alias_matches
    from newsfacet.ingest.mentions import Mention

    model = [
        Mention(0, 37, "United States Drug Enforcement Agency", "ORG"),
        Mention(42, 59, "Legion of Freedom", "ORG"),
        Mention(63, 69, "Russia", "LOC"),
        Mention(74, 78, "Kyiv", "PERSON"),
    ]
    aliases = [
        Mention(0, 13, "United States", "LOC"),
        Mention(42, 69, "Legion of Freedom in Russia", "ORG"),
        Mention(74, 78, "Kyiv", "LOC"),
    ]
    assert merge_alias_matches(model, aliases) == [model[0], aliases[1], aliases[2]]
