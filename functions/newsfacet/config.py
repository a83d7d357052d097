"""Settings, validated once from ``NEWSFACET_*`` variables.

Nothing reads the environment at import time: handlers call :func:`get_settings`
on first use, tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, HttpUrl, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the functions and the CLI can be told from outside."""

    model_config = SettingsConfigDict(env_prefix="NEWSFACET_", extra="ignore", frozen=True)

    opensearch_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:9200"),
        description="Endpoint of the OpenSearch cluster or Amazon OpenSearch Service domain.",
    )
    opensearch_auth: Literal["none", "sigv4"] = Field(
        default="none", description="sigv4 signs requests with the function's IAM role."
    )
    opensearch_timeout_s: float = Field(default=5.0, gt=0, le=60)
    aws_region: str = Field(default="us-east-1")
    index_prefix: str = Field(
        default="newsfacet",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$",
        description="Prefix of every index, alias and template this deployment owns.",
    )
    max_object_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Objects larger than this are refused."
    )
    entities_enabled: bool = Field(default=True)
    template_line_min_docs: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="A line seen in this many earlier documents of an outlet is template, "
        "not story, and is removed (the learned boilerplate layer).",
    )
    template_learning: bool = Field(
        default=True, description="Count lines per outlet in <prefix>-lines and use the counts."
    )
    cursor_secret: SecretStr = Field(
        default=SecretStr("newsfacet-local-cursor-key"),
        description="HMAC key that makes search cursors tamper-evident.",
    )

    @property
    def entries_alias(self) -> str:
        return f"{self.index_prefix}-entries"

    @property
    def failures_index(self) -> str:
        return f"{self.index_prefix}-failures"

    @property
    def lines_index(self) -> str:
        return f"{self.index_prefix}-lines"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build and validate the settings once per process."""
    return Settings()
