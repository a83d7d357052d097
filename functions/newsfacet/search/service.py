"""The search service: validated parameters in, API models out, one OpenSearch call."""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from newsfacet.errors import SearchBackendError
from newsfacet.models.api import HealthResponse, SearchParams, SearchResponse
from newsfacet.search.cursor import decode_cursor, encode_cursor
from newsfacet.search.query import build_query, query_key
from newsfacet.search.response import map_response


class SearchService:
    def __init__(self, client: OpenSearch, alias: str, cursor_secret: bytes) -> None:
        self.client = client
        self.alias = alias
        self.cursor_secret = cursor_secret

    def search(self, params: SearchParams, cursor: str | None = None) -> SearchResponse:
        key = query_key(params)
        if cursor:
            params = params.model_copy(
                update={"search_after": decode_cursor(cursor, key, self.cursor_secret)}
            )
        raw = self._call(lambda: self.client.search(index=self.alias, body=build_query(params)))
        hits = raw["hits"]["hits"]
        next_cursor = None
        if len(hits) == params.size and hits[-1].get("sort") is not None:
            next_cursor = encode_cursor(hits[-1]["sort"], key, self.cursor_secret)
        return map_response(raw, params, next_cursor)

    def health(self) -> HealthResponse:
        try:
            info = self.client.cluster.health(request_timeout=2)
            exists = bool(self.client.indices.exists_alias(name=self.alias))
            count = self.client.count(index=self.alias)["count"] if exists else None
        except (OSConnectionError, ConnectionTimeout, TransportError) as exc:
            raise SearchBackendError(
                f"OpenSearch is unreachable: {exc.__class__.__name__}"
            ) from exc
        status = "ok" if exists and info.get("status") in {"green", "yellow"} else "degraded"
        return HealthResponse(
            status=status, opensearch=str(info.get("status")), index=exists, entries=count
        )

    @staticmethod
    def _call(fn: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = fn()
        except NotFoundError as exc:
            raise SearchBackendError("the entries index does not exist yet") from exc
        except (OSConnectionError, ConnectionTimeout) as exc:
            raise SearchBackendError(
                f"OpenSearch is unreachable: {exc.__class__.__name__}"
            ) from exc
        return result
