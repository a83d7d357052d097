"""template.yaml passes cfn-lint (errors fail the suite)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.infra


def test_template_passes_cfn_lint() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", str(ROOT / "template.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    # cfn-lint exits 2 for errors, 4 for warnings, 8 for informational findings.
    assert result.returncode & 2 == 0, result.stdout
