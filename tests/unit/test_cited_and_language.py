"""Cited outlets are attribution, not mentions; language is detected from the cleaned text."""

from __future__ import annotations

from pathlib import Path

import py3langid
import pytest

from newsfacet.ingest.cited import find_cited_outlets
from newsfacet.ingest.language import _Detector, choose_language, normalise_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("according to pictures and videos verified by New York Times.", ["nytimes.com"]),
        (
            "used US-made tactical vehicles in the attack, the Financial Times (FT) wrote.",
            ["ft.com"],
        ),
        ("told the FT that his fighters had US-made vehicles", ["ft.com"]),
        (
            "More than 70 attackers were killed, Reuters quoted the ministry as saying.",
            ["reuters.com"],
        ),
        ("Dmitry Peskov told TASS.", ["tass.com"]),
        ("the Russian news agency Interfax reported, without elaborating.", ["interfax.com"]),
        ("A court extended the arrest of Wall Street Journal reporter Evan Gershkovich.", []),
        ("He spoke at the AP Stylebook launch in a rap battle.", []),
    ],
)
def test_cited_outlets(text: str, cited: list[str]) -> None:
    assert find_cited_outlets(text) == cited


def test_publisher_is_not_its_own_source() -> None:
    text = "The Washington Post has verified some of the footage, Reuters reported."
    assert find_cited_outlets(text, publisher="washingtonpost.com") == ["reuters.com"]


def test_language_codes_are_normalised() -> None:
    assert normalise_language("en-GB") == "en"
    assert normalise_language("pt_BR") == "pt"
    assert normalise_language("English please") is None


def test_detection_beats_a_wrong_declaration_on_real_text() -> None:
    german = (
        "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Steuern für "
        "kleine Unternehmen senkt und die Verwaltung vereinfachen soll. Die Opposition "
        "kritisierte den Entwurf als unzureichend und kündigte Widerstand im Bundesrat an."
    )
    assert choose_language("en", german) == "de"
    assert choose_language("fr", "Bonjour.") == "fr"


def test_cached_language_model_gives_the_same_answers(tmp_path: Path) -> None:
    texts = {
        "de": "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das Steuern senkt.",
        "en": "The governor said the evacuation of nine villages would continue on Tuesday.",
        "fr": "Le gouvernement a annoncé mardi une nouvelle réforme des retraites très contestée.",
    }
    first, second = _Detector(), _Detector()
    first.cache = second.cache = tmp_path
    assert {code: first.classify(text) for code, text in texts.items()} == {c: c for c in texts}
    assert [p.name for p in tmp_path.iterdir()] == [f"py3langid-{py3langid.__version__}"]
    assert {code: second.classify(text) for code, text in texts.items()} == {c: c for c in texts}
