"""Settings, validated once from ``NEWSFACET_*`` variables.

Nothing reads the environment at import time: handlers call :func:`get_settings`
on first use, tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import Field, HttpUrl, SecretStr, field_validator
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
    s3_endpoint_url: HttpUrl | None = Field(
        default=None,
        description="S3 endpoint for development (moto_server under `sam local invoke`); "
        "empty means the AWS default.",
    )
    index_prefix: str = Field(
        default="newsfacet",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$",
        description="Prefix of every index, alias and template this deployment owns.",
    )
    max_object_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Objects larger than this are refused."
    )
    max_object_chars: int = Field(
        default=600_000,
        gt=0,
        description="The per-object budget: characters of text one object may bring; the "
        "article that crosses it and those after it are recorded as over_budget.",
    )
    chars_per_s: float = Field(
        default=25_000,
        gt=0,
        description="Characters of text ingest is expected to process per second (entity "
        "tagging on one vCPU, with a safety margin); decides whether work fits the time left.",
    )
    time_reserve_s: float = Field(
        default=15,
        ge=0,
        description="Seconds kept free at the end of an invocation for the last write.",
    )
    retry_base_s: int = Field(
        default=30,
        ge=0,
        le=43200,
        description="A message retried for a transient fault waits this long after its first "
        "receive, twice as long after each further one (ChangeMessageVisibility).",
    )
    retry_max_s: int = Field(
        default=900, ge=0, le=43200, description="The longest such wait (SQS allows 12 h)."
    )
    max_receive_count: int = Field(
        default=12,
        ge=1,
        description="The queue's maxReceiveCount: the receive after which a retried message "
        "moves to the dead-letter queue (logged as such).",
    )
    max_redrives: int = Field(
        default=3,
        ge=0,
        description="The scheduled redrive moves a dead-lettered message back at most this often.",
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
    curation_queue_url: str = Field(
        default="",
        description="The curation queue: the admin function asks it for background passes.",
    )
    sqs_endpoint_url: HttpUrl | None = Field(
        default=None,
        description="SQS endpoint for development (moto_server on the local stack); "
        "empty means the AWS default.",
    )
    curation_probe_s: float = Field(
        default=1.0,
        ge=0,
        le=300,
        description="How often a search container asks whether the curation table changed "
        "(one realtime GET of a small document); a change shows in searches after at most this.",
    )
    curation_settle_s: int = Field(
        default=240,
        ge=0,
        le=900,
        description="Delay of the second background pass of each curation change, which files "
        "entries an ingest batch wrote with the table it read before the change (longer than "
        "the ingest function's timeout); 0 for none.",
    )
    # No default: a key anyone can read in the source would let anyone forge cursors.
    # The local stack sets one; a deployment names its Secrets Manager secret.
    cursor_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key that makes search cursors tamper-evident (local stack, tests).",
    )
    cursor_secret_arn: str | None = Field(
        default=None,
        description="Secrets Manager secret holding the cursor key, read once per container "
        "(the template sets it); used when NEWSFACET_CURSOR_SECRET is not set.",
    )

    @field_validator(
        "s3_endpoint_url", "sqs_endpoint_url", "cursor_secret", "cursor_secret_arn", mode="before"
    )
    @classmethod
    def _blank_is_default(cls, value: object) -> object:
        # The template declares the variable empty so `sam local --env-vars` may set it.
        return None if value == "" else value

    @property
    def index_names(self) -> IndexNames:
        return IndexNames(self.index_prefix)


@dataclass(frozen=True)
class IndexNames:
    """Every index and alias one deployment owns, derived from its prefix."""

    prefix: str

    @property
    def entries(self) -> str:
        """The alias readers and writers use; the index behind it is versioned."""
        return f"{self.prefix}-entries"

    @property
    def lines(self) -> str:
        return f"{self.prefix}-lines"

    @property
    def failures(self) -> str:
        return f"{self.prefix}-failures"

    @property
    def aliases(self) -> str:
        return f"{self.prefix}-entities"

    @property
    def curation(self) -> str:
        """Curation changes and their head (newsfacet.curation.store)."""
        return f"{self.prefix}-curation"

    @property
    def recent(self) -> str:
        """What ingest wrote in the last minutes, by band key and cluster (index/recent.py)."""
        return f"{self.prefix}-recent"


def get_settings() -> Settings:
    """The settings of the current ``NEWSFACET_*`` environment, validated once per value.

    Keyed by the variables' values, so a process whose environment changes (the
    local runner invoking functions with other settings) gets new settings and,
    through the factories in ``wiring.py``, new clients, with no cache to clear.
    """
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("NEWSFACET_")))
    return _settings_for(env)


@lru_cache(maxsize=8)
def _settings_for(env: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()
