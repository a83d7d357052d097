"""Logger, Metrics and Tracer, built once for both functions.

Domain modules log through the standard library (``logging.getLogger(__name__)``
with ``extra=`` fields): their loggers all descend from ``newsfacet``, the
Powertools logger built here, so every record, fields included, reaches
CloudWatch as one structured JSON line with the invocation's context. The
domain never imports Powertools. The X-Ray SDK behind the Tracer is loaded on
first use (:func:`tracer`), so a cold start that does not trace never pays for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

# Also the name of the standard-library logger every ``newsfacet.*`` logger propagates to.
SERVICE = "newsfacet"
# Every metric in one namespace (the template's POWERTOOLS_METRICS_NAMESPACE says the same).
NAMESPACE = "Newsfacet"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE)


@cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)
