"""Stand-in for SciPy, shipped in the ingest Lambda package only (see docs/deploy.md).

SciPy is ~95 MB of the 250 MB Lambda limit. datasketch imports
``scipy.integrate.quad`` when its package is imported, but calls it only to
choose LSH bands when ``MinHashLSH`` is given no ``params``; MinHash itself
needs numpy alone. Anything that really needs SciPy fails here with a clear
error instead of running on a half-installed library. The development
environment and the tests use the real SciPy.
"""

from __future__ import annotations

__version__ = "0+newsfacet.lambda.shim"

SHIM_MESSAGE = (
    "SciPy is not shipped in the ingest Lambda package (size limit). "
    "Pass MinHashLSH(params=(bands, rows)) or add scipy to functions/ingest/requirements.txt "
    "and package the function as a container image."
)


def __getattr__(name: str) -> object:
    raise ImportError(f"scipy.{name}: {SHIM_MESSAGE}")
