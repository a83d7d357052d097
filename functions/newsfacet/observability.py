"""Logger and Metrics, built once for both functions.

Domain modules log through the standard library (``logging.getLogger(__name__)``
with ``extra=`` fields): their loggers all descend from ``newsfacet``, the
Powertools logger built here, so every record, fields included, reaches
CloudWatch as one structured JSON line with the invocation's context. The
domain never imports Powertools. There is no Tracer: Lambda's active tracing
(``template.yaml``) records every invocation, its cold start and its duration
without the X-Ray SDK in either package, whose import alone cost the ingest
function's cold start about as much as everything else it imports.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

# Also the name of the standard-library logger every ``newsfacet.*`` logger propagates to.
SERVICE = "newsfacet"
# Every metric in one namespace (the template's POWERTOOLS_METRICS_NAMESPACE says the same).
NAMESPACE = "Newsfacet"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE)
