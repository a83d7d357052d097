"""Importing the search handler loads no NLP stack, no X-Ray SDK, no boto3 and no client."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit

KEPT_OUT = [
    "spacy",
    "trafilatura",
    "datasketch",
    "lxml",
    "aws_xray_sdk",
    "boto3",
    "opensearchpy",
    "pydantic_settings",
]


def test_search_handler_imports_stay_small() -> None:
    code = (
        "import sys, json; sys.path[:0] = ['functions/search', 'functions']; import app; "
        f"print(json.dumps([m for m in {KEPT_OUT!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
