"""``newsfacet replay-dlq``: the dead-letter redrive the ingest function also runs on a schedule."""

from newsfacet.redrive import ReplayReport, replay_dlq

__all__ = ["ReplayReport", "replay_dlq"]
