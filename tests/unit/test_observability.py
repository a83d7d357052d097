"""Every field a domain module logs reaches CloudWatch as one structured JSON line."""

from __future__ import annotations

import io
import json
import logging

import pytest

pytestmark = pytest.mark.unit


def test_domain_logger_fields_reach_the_json_line() -> None:
    """The domain logs through the standard library; its records come out through Powertools."""
    from newsfacet.observability import SERVICE, logger

    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        domain = logging.getLogger("newsfacet.ingest.service")
        domain.warning("unit failed; its objects are retried", extra={"reason": "bulk refused"})
        logging.getLogger("elsewhere").warning("not ours")
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert len(lines) == 1  # a logger outside the package does not come through ours
    (line,) = lines
    assert line["message"] == "unit failed; its objects are retried"
    assert line["reason"] == "bulk refused"
    assert (line["level"], line["service"]) == ("WARNING", SERVICE)
