"""``scipy.integrate`` stand-in: see the package docstring."""

from __future__ import annotations

from typing import Any

from scipy import SHIM_MESSAGE


def quad(*args: Any, **kwargs: Any) -> Any:
    """Fail loudly: datasketch calls this only to pick LSH parameters it was not given."""
    raise RuntimeError(f"scipy.integrate.quad: {SHIM_MESSAGE}")
