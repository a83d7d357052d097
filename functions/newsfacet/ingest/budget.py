"""How much work one invocation takes on: a budget per object, and the time left for the batch.

Two limits, both derived from one measured figure, the characters of text
ingest gets through per second on one vCPU (``chars_per_s``; entity
tagging is most of it, docs/deploy.md):

* **Per object**, ``max_object_chars`` characters of text. It is counted as
  articles are read, so the outcome does not depend on the machine's speed:
  an object past it is indexed up to the article that crosses it, which is
  recorded (``over_budget``) with the articles after it. At the default
  600,000 characters and 25,000 characters/s an object costs at most ~24 s.
* **Per invocation**, the time the caller says is left. A unit of work is
  started only if its text fits in that time, less a reserve for the last
  write; otherwise the objects not reached are deferred (retried at once by
  the adapter) instead of running into the function's timeout, which would
  retry the whole batch, finished objects included.

The function's timeout is sized from these (``template.yaml``): a full batch
of objects at the per-object budget, plus the reserve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from newsfacet.models.article import Article

# Seconds left in the invocation (e.g. the Lambda context's remaining time).
Clock = Callable[[], float]


class _Limits(Protocol):
    @property
    def chars_per_s(self) -> float: ...

    @property
    def reserve_s(self) -> float: ...


class TimeBudget:
    """Whether a unit of articles fits the time this invocation has left."""

    def __init__(self, limits: _Limits, time_left: Clock | None) -> None:
        self.limits = limits
        self.time_left = time_left

    def cost_s(self, articles: Sequence[Article]) -> float:
        """Expected seconds to process ``articles`` as one unit."""
        return sum(len(a.text) for a in articles) / self.limits.chars_per_s

    def fits(self, articles: Sequence[Article]) -> bool:
        if self.time_left is None:
            return True
        return self.cost_s(articles) <= self.time_left() - self.limits.reserve_s

    def left(self) -> float | None:
        return None if self.time_left is None else round(self.time_left(), 1)
