"""The search function must not drag the NLP or extraction stack into its cold start."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit

HEAVY = [
    "spacy",
    "trafilatura",
    "datasketch",
    "numpy",
    "scipy",
    "lxml",
    "thinc",
    # Loaded on first use only: the X-Ray SDK (no Tracer), boto3 (SigV4 only),
    # the OpenSearch client and settings (first request).
    "aws_xray_sdk",
    "boto3",
    "opensearchpy",
    "pydantic_settings",
]


def test_search_handler_imports_no_nlp_stack() -> None:
    code = (
        "import sys, json; sys.path[:0] = ['functions/search', 'functions']; import app; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
