"""Every time zone the API accepts works in OpenSearch; the ones OpenSearch refuses are refused."""

from __future__ import annotations

from typing import Any

import pytest
from opensearchpy.exceptions import RequestError

from newsfacet.search.params import known_zones

pytestmark = pytest.mark.integration


def _histograms(zones: list[str]) -> dict[str, Any]:
    return {
        "size": 0,
        "aggs": {
            f"z{i}": {
                "date_histogram": {"field": "published", "calendar_interval": "day", "time_zone": z}
            }
            for i, z in enumerate(zones)
        },
    }


def test_every_accepted_zone_works_in_opensearch(os_client: Any, settings: Any) -> None:
    zones = sorted(known_zones())
    assert len(zones) > 500
    for start in range(0, len(zones), 200):
        os_client.search(
            index=settings.index_names.entries, body=_histograms(zones[start : start + 200])
        )


@pytest.mark.parametrize(
    "zone", ["EST", "HST", "MST", "ROC", "Factory", "localtime", "posixrules", "America/Coyhaique"]
)
def test_zones_opensearch_refuses_are_not_accepted(
    os_client: Any, settings: Any, zone: str
) -> None:
    assert zone not in known_zones()
    if zone == "America/Coyhaique":
        return  # newer than this JDK's tzdb; a newer JDK may know it
    with pytest.raises(RequestError):
        os_client.search(index=settings.index_names.entries, body=_histograms([zone]))
