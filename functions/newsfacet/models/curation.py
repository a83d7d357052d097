"""Curation changes and the admin API's requests and responses, declared once.

The admin function's resolver validates requests with these models and builds
its OpenAPI document from them; the change is also what ``<prefix>-curation``
stores (:mod:`newsfacet.curation.store`) and what ``newsfacet curate log`` prints.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from newsfacet.models.entry import ENTITY_TYPES

Op = Literal["merge", "rename", "hide", "undo"]
# pending: recorded, shown by search at once, stored entries not rewritten yet;
# applied: the background pass has filed every stored entry under the new value.
ChangeStatus = Literal["pending", "applied"]

# A facet value: "PERSON:Joe Biden". The name may hold spaces, not start with one.
KEY_PATTERN = rf"^({'|'.join(ENTITY_TYPES)}):\S.*$"
MAX_KEY_CHARS = 300
MAX_NAME_CHARS = 200
CHANGE_ID_PATTERN = r"^c[0-9]{1,12}$"


def change_id(seq: int) -> str:
    """The id users see and undo by: ``c`` and the change's sequence number."""
    return f"c{seq}"


class Change(BaseModel):
    """One recorded curation change: who did what, when, and whether stored entries follow yet."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Change id (`c12`): what `undo` takes.")
    seq: int = Field(description="Order of the change; the table is the changes replayed in it.")
    op: Op
    key: str | None = Field(
        default=None, description="merge: the source key; rename: the renamed key; hide: the key."
    )
    target: str | None = Field(
        default=None, description="merge: the key the source joins; rename: the new key."
    )
    undoes: str | None = Field(default=None, description="undo: the id of the change undone.")
    who: str = Field(
        description="The caller: an IAM ARN on AWS, `local:<user>` on the local stack."
    )
    at: datetime
    keys: list[str] = Field(
        default_factory=list,
        description="Entity keys (as the tagger gave them) whose value this change moved.",
    )
    values: list[str] = Field(
        default_factory=list, description="Facet values whose counts this change moved."
    )
    status: ChangeStatus = Field(
        default="pending",
        description="pending: search shows it, stored entries are being rewritten; applied: done.",
    )
    applied_at: datetime | None = None
    entries: int | None = Field(
        default=None, description="Stored entries the background pass rewrote."
    )
    undone_by: str | None = Field(default=None, description="The undo change, if undone.")


class MergeRequest(BaseModel):
    source: str = Field(pattern=KEY_PATTERN, max_length=MAX_KEY_CHARS, examples=["ORG:RDK"])
    target: str = Field(
        pattern=KEY_PATTERN, max_length=MAX_KEY_CHARS, examples=["ORG:Russian Volunteer Corps"]
    )


class RenameRequest(BaseModel):
    key: str = Field(pattern=KEY_PATTERN, max_length=MAX_KEY_CHARS, examples=["PERSON:Gladkov"])
    name: str = Field(
        min_length=1,
        max_length=MAX_NAME_CHARS,
        pattern=r"^\S(.*\S)?$",
        description="The new name; the type stays, unless the name is a key (`PERSON:Name`).",
        examples=["Vyacheslav Gladkov"],
    )


class HideRequest(BaseModel):
    key: str = Field(pattern=KEY_PATTERN, max_length=MAX_KEY_CHARS, examples=["ORG:Videos"])


class ChangesResponse(BaseModel):
    version: int = Field(description="Sequence number of the latest change (0: none yet).")
    changes: list[Change]
    next_after: int | None = Field(
        default=None, description="Pass as `after` for the next page; null on the last one."
    )
