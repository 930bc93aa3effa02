"""The documents of the HTTP API (pydantic), as published in `docs/openapi.json`.

Field names are part of the contract between the desks and the server: add fields freely,
never rename one. Timestamps are ISO 8601 strings in UTC ending in `Z`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from permis_server.blobs import SHA256_PATTERN

Sha256 = Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
StableId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")]

MAX_PIECES = 100
MAX_PAGES_PER_PIECE = 200


class PieceUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StableId = Field(description="Piece kind (DESIGN.md stable id), e.g. `identity`.")
    pages: list[Sha256] = Field(
        max_length=MAX_PAGES_PER_PIECE,
        description="sha256 of each page file, in order; each must be uploaded first.",
    )


class DossierUpload(BaseModel):
    """What a desk sends: one version of a dossier."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The desk's version; it only ever increases.")
    procedure: StableId = Field(
        description="Procedure id (DESIGN.md), e.g. `exam_registration_first`."
    )
    document: dict[str, Any] = Field(
        default_factory=dict, description="The dossier's facts document, kept as sent."
    )
    pieces: list[PieceUpload] = Field(default_factory=list, max_length=MAX_PIECES)


Outcome = Literal["created", "updated", "unchanged", "superseded"]


class DossierReceipt(BaseModel):
    """The server's acknowledgement of `PUT /v1/dossiers/{id}`.

    `created`/`updated`: this version is now the server's. `unchanged`: the server already
    had this very version (a replay). `superseded`: the server already holds a newer version;
    this one was ignored. In all four cases the desk's outbox item is done.
    """

    id: str
    outcome: Outcome
    received_version: int = Field(description="The version this request carried.")
    version: int = Field(description="The version the server now holds.")
    status: str = Field(description="The dossier's status on the server.")


class EventOut(BaseModel):
    id: int = Field(description="Cursor: strictly increasing, never reused.")
    dossier_id: str
    at: str
    from_status: str | None
    to_status: str
    version: int = Field(description="The dossier's version when the event happened.")
    source: Literal["desk", "back_office"]
    message: str = ""
    pieces: list[str] = Field(
        default_factory=list,
        description="For `complement_requested`: the piece kinds to capture again.",
    )


class EventPage(BaseModel):
    events: list[EventOut]
    next_after: int = Field(description="Pass as `after` in the next call.")
    has_more: bool = Field(description="True when more events are waiting right now.")


class PieceOut(BaseModel):
    kind: str
    pages: list[str]


class DossierOut(BaseModel):
    id: str
    agency: str
    desk: str = Field(description="The desk that sent the current version.")
    first_desk: str
    procedure: str
    status: str
    version: int
    document: dict[str, Any]
    pieces: list[PieceOut]
    pages: list[str] = Field(description="sha256 of every page file, all pieces in order.")
    status_message: str
    requested_pieces: list[str]
    received_at: str
    updated_at: str
    history: list[EventOut]


class BlobReceipt(BaseModel):
    sha256: str
    size: int
    created: bool = Field(description="False when the server already had these bytes.")


class ErrorBody(BaseModel):
    """Every refusal: a stable machine code, a French message, and details by code."""

    error: str = Field(
        description="unauthorized, forbidden, not_found, invalid_request, hash_mismatch, "
        "too_large, missing_blobs, version_conflict, not_editable, idempotency_key_reused, "
        "unavailable"
    )
    message: str
    missing: list[str] | None = Field(default=None, description="missing_blobs: hashes to upload.")
    status: str | None = Field(default=None, description="not_editable: the server's status.")
    version: int | None = Field(default=None, description="version_conflict: the server's version.")
    detail: list[dict[str, Any]] | None = Field(
        default=None, description="invalid_request: each error."
    )
