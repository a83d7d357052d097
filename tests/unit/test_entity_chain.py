"""The entity chain after the model: each step on hand-made mentions, then the whole on text."""

from __future__ import annotations

import pytest

from newsfacet.ingest.canonical import AliasBook, load_alias_book
from newsfacet.ingest.chain import refine_document
from newsfacet.ingest.consistency import harmonise_document
from newsfacet.ingest.datelines import find_dateline
from newsfacet.ingest.entities import tag_texts
from newsfacet.ingest.mentions import Mention
from newsfacet.ingest.nonentities import drop_non_entities
from newsfacet.ingest.places import fix_place_types, load_gazetteer
from newsfacet.ingest.spans import tidy_spans
from newsfacet.ingest.surnames import resolve_known_surnames
from newsfacet.models.entry import Entity, EntityType
from tests.conftest import seed_paths

pytestmark = pytest.mark.unit

GAZ = load_gazetteer()


def _at(text: str, surface: str, entity_type: EntityType, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), surface, entity_type)


def _spans(mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(m.text, m.type) for m in mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KYIV, Ukraine – Russian officials said", [("KYIV", "LOC"), ("Ukraine", "LOC")]),
        ("LONDON (Reuters) - Shares fell", [("LONDON", "LOC"), ("Reuters", "ORG")]),
        (
            "NAPA COUNTY, Calif. (KGO) -- A plan",
            [("NAPA COUNTY", "LOC"), ("Calif.", "LOC"), ("KGO", "ORG")],
        ),
        ("Intro.\nKOBE – A total of 6,000 masks", [("KOBE", "LOC")]),
        ("London (CNN)It was the interview", [("London", "LOC"), ("CNN", "ORG")]),
        ("ACCIDENT – A vehicle driven by", []),
        ("Kaieteur News – Police investigators", []),
        ("Russian Volunteer Corps (RDK) said", []),
        ("The mayor said KOBE – was fine", []),
    ],
)
def test_datelines_are_places_and_agencies_by_their_shape(
    text: str, expected: list[tuple[str, str]]
) -> None:
    found = find_dateline(text, GAZ)
    assert _spans(found) == expected
    assert all(text[m.start : m.end] == m.text for m in found)


@pytest.mark.parametrize(
    "surface",
    ["MRAP", "F-16", "Su-27", "COVID-19", "Omicron BA.2", "@someone", "N't", "Vienna Act",
     "Videos", "CST", "UAV", "Mine-Resistant Ambush Protected", "G7 summit", "johns"],
)  # fmt: skip
def test_non_entities_are_dropped(surface: str) -> None:
    text = f"They said {surface} was there."
    assert drop_non_entities(text, [_at(text, surface, "ORG")], AliasBook()) == []


def test_a_bare_house_is_dropped_but_the_house_is_a_chamber() -> None:
    text = "He will depart the House. House prices rose."
    kept = drop_non_entities(
        text, [_at(text, "House", "ORG"), _at(text, "House", "ORG", 1)], AliasBook()
    )
    assert [m.start for m in kept] == [text.index("House")]


def test_alias_file_names_survive_the_filter() -> None:
    text = "The FT said so."
    book = load_alias_book()
    assert drop_non_entities(text, [_at(text, "FT", "ORG")], book) == [_at(text, "FT", "ORG")]


@pytest.mark.parametrize(
    ("text", "surface", "entity_type", "expected"),
    [
        ("Ukraine’s Air Force said", "Ukraine’s Air Force", "ORG",
         [("Ukraine", "LOC"), ("Air Force", "ORG")]),
        ("Russia‘s RIA news agency said", "Russia‘s RIA news agency", "ORG",
         [("Russia", "LOC"), ("RIA", "ORG")]),
        ("Reuters News Agency reported", "Reuters News Agency", "ORG", [("Reuters", "ORG")]),
        ("the UK Government said", "UK Government", "ORG", [("UK", "LOC")]),
        ("in Russia’s Belgorod oblast", "Belgorod oblast", "LOC", [("Belgorod", "LOC")]),
        ("above the Belgorod Region.", "the Belgorod Region", "LOC", [("Belgorod", "LOC")]),
        ("the Northern Province", "Northern Province", "LOC", [("Northern Province", "LOC")]),
        ("Mr Li said", "Mr Li", "PERSON", [("Li", "PERSON")]),
        ("By James Whittaker - May 4, 2022", "James Whittaker - May 4", "PERSON",
         [("James Whittaker", "PERSON")]),
        ("The Bahamas Alliance For Animal Rights (Baark) with", "Bahamas Alliance For Animal "
         "Rights (Baark", "ORG", [("Bahamas Alliance For Animal Rights", "ORG"), ("Baark", "ORG")]),
        ("Chinese Communist Party’s Politburo member", "Chinese Communist Party’s Politburo",
         "ORG", [("Chinese Communist Party", "ORG"), ("Politburo", "ORG")]),
        ("the Harris County Sheriff's Office is", "Harris County Sheriff's Office", "ORG",
         [("Harris County Sheriff's Office", "ORG")]),
        ("the Native American Supreme Court justice", "Native American Supreme Court", "ORG",
         [("Supreme Court", "ORG")]),
        ("by the University and College Union", "University and College Union", "ORG",
         [("University and College Union", "ORG")]),
        ("led by Russian opposition figure Ilya Ponomarev", "Ponomarev", "PERSON",
         [("Ilya Ponomarev", "PERSON")]),
        ("said Russian President Putin", "Putin", "PERSON", [("Putin", "PERSON")]),
    ],
)  # fmt: skip
def test_spans_are_cut_to_the_names_they_hold(
    text: str, surface: str, entity_type: EntityType, expected: list[tuple[str, str]]
) -> None:
    tidied = tidy_spans(text, [_at(text, surface, entity_type)], load_alias_book(), GAZ)
    assert _spans(tidied) == expected
    assert all(text[m.start : m.end] == m.text for m in tidied)


def test_a_and_b_splits_only_when_a_half_stands_alone() -> None:
    text = "Atlantis Paradise Island and Dolphin Cay gave. Later Dolphin Cay donated."
    whole = _at(text, "Atlantis Paradise Island and Dolphin Cay", "ORG")
    assert _spans(tidy_spans(text, [whole], AliasBook(), GAZ)) == [
        ("Atlantis Paradise Island", "ORG"),
        ("Dolphin Cay", "ORG"),
    ]


def test_places_fix_types_and_add_missed_countries_but_not_parts_of_names() -> None:
    text = "Cork moved to Level 3. Barbados Tridents play Antigua and Barbuda; Barbados waits."
    mentions = [
        _at(text, "Cork", "PERSON"),
        _at(text, "Barbados Tridents", "ORG"),
        _at(text, "Antigua", "PERSON"),
        _at(text, "Barbuda", "PERSON"),
    ]
    fixed = fix_place_types(text, mentions, GAZ, frozenset())
    assert _spans(fixed) == [
        ("Cork", "LOC"),
        ("Barbados Tridents", "ORG"),
        ("Antigua and Barbuda", "LOC"),
        ("Barbados", "LOC"),
    ]


def test_a_place_name_that_is_a_persons_name_in_the_document_stays_a_person() -> None:
    text = "Austin said so."
    fixed = fix_place_types(text, [_at(text, "Austin", "PERSON")], GAZ, frozenset({"Austin"}))
    assert _spans(fixed) == [("Austin", "PERSON")]


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [
        ("Natalia Abbakumova and Mary Ilyushina.", "Natalia", ("Natalia Abbakumova", "PERSON")),
        ("Shelling hit Zaporizhzhia Oblast overnight.", "Zaporizhzhia", ("Zaporizhzhia", "LOC")),
        ("The US Government said so.", "US", ("US", "LOC")),
        ("Fighting near Kupiansk Kharkiv went on.", "Kupiansk", ("Kupiansk", "LOC")),
        ("Natalia said so.", "Natalia", ("Natalia", "LOC")),
    ],
)  # fmt: skip
def test_a_first_name_the_model_took_for_a_place_becomes_the_person(
    text: str, surface: str, expected: tuple[str, str]
) -> None:
    # Only an unknown name-like word right before a capitalised word that is no place.
    fixed = fix_place_types(text, [_at(text, surface, "LOC")], GAZ, frozenset())
    assert _spans(fixed)[0] == expected
    assert all(text[m.start : m.end] == m.text for m in fixed)


def test_document_consistency_majority_type_repeats_and_short_forms() -> None:
    texts = [
        "Coinbase Global, Inc. owns Coinbase. Nadia Mohamed won; Mohamed thanked voters.",
        "Later Coinbase said the Tridents lost. Tridents fans were sad. Dr Mohamed spoke.",
    ]
    groups = [
        [
            _at(texts[0], "Coinbase Global, Inc.", "ORG"),
            _at(texts[0], "Nadia Mohamed", "ORG"),
            _at(texts[0], "Mohamed", "PERSON", 1),
        ],
        [_at(texts[1], "Coinbase", "PERSON"), _at(texts[1], "Tridents", "ORG")],
    ]
    out = harmonise_document(texts, groups)
    assert _spans(out[0]) == [
        ("Coinbase Global, Inc.", "ORG"),
        ("Coinbase", "ORG"),
        ("Nadia Mohamed", "PERSON"),
        ("Mohamed", "PERSON"),
    ]
    assert _spans(out[1]) == [
        ("Coinbase", "ORG"),
        ("Tridents", "ORG"),
        ("Tridents", "ORG"),
        ("Mohamed", "PERSON"),
    ]


def test_region_spellings_and_capitals_fold_to_one_value() -> None:
    texts = [
        "Fighting in Russia’s Belgorod oblast went on.",
        "The Belgorod Oblast incursion was repelled.",
        "A drone was shot down above the Belgorod Region.",
        "Gladkov, governor of the Belgorod region, spoke.",
        "KHAN YOUNIS, GAZA — Hospitals in Gaza closed.",
    ]
    values = {e.key for entities in tag_texts(texts) for e in entities if e.type == "LOC"}
    assert "LOC:Belgorod" in values
    assert not {v for v in values if v.startswith("LOC:Belgorod ")}
    assert "LOC:Gaza" in values
    assert "LOC:GAZA" not in values


def test_possessive_country_and_bare_air_force_are_one_value() -> None:
    (entities,) = tag_texts(
        ["Ukraine’s Air Force denied it. Air Force spokesperson Yurii Ihnat said so."]
    )
    assert {e.key for e in entities if e.type == "ORG"} == {"ORG:Air Force"}


def test_surname_resolves_to_the_one_known_full_name() -> None:
    entities = [
        Entity(start=0, end=9, text="Ponomarev", type="PERSON", canonical="Ponomarev"),
        Entity(start=10, end=15, text="Biden", type="PERSON", canonical="Biden"),
        Entity(start=16, end=22, text="Kremlin", type="ORG", canonical="Kremlin"),
    ]
    known = ["Ilya Ponomarev", "Joe Biden", "Hunter Biden", "Vladimir Putin"]
    resolved = resolve_known_surnames(entities, known)
    assert [e.canonical for e in resolved] == ["Ilya Ponomarev", "Biden", "Kremlin"]
    assert [(e.start, e.end, e.text) for e in resolved] == [
        (e.start, e.end, e.text) for e in entities
    ]


def test_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown entity chain steps"):
        refine_document(["x"], [[]], AliasBook(), steps=["spelling"])


NOT_NAMES = {
    "MRAP", "MRAPs", "UAV", "COVID-19", "Videos", "Vienna Act", "MaxxPro", "Motherland",
    "Mine-Resistant Ambush Protected", "Belgorod Oblast", "Belgorod Region",
    "Russia's RIA News Agency", "Ukraine's Air Force", "Natalia",
}  # fmt: skip


def test_seed_facet_values_are_names_and_one_per_thing() -> None:
    texts = [path.read_text("utf-8") for path in seed_paths()]
    values = {(e.type, e.canonical) for entities in tag_texts(texts) for e in entities}
    assert not {c for _, c in values} & NOT_NAMES
    assert {("PERSON", "Ilya Ponomarev"), ("ORG", "RIA Novosti"), ("LOC", "Belgorod")} <= values
    for text, entities in zip(texts, tag_texts(texts), strict=True):
        assert all(text[e.start : e.end] == e.text for e in entities)
