"""The server's own tables (SQLAlchemy 2, typed). Independent of the desk's local models.

- `desk`: one row per desk token; only the sha256 of the token is stored.
- `dossier`: the current state of each dossier, keyed by the uuid the desk gave it, owned by
  one agency; `dossier_revision` keeps every version received (the back office may compare a
  resubmission with the previous one).
- `event`: the status feed. Ids come from `counter` (one row, incremented in the writing
  transaction) rather than from an autoincrement, so that ids become visible in increasing
  order: a reader that saw id N can never later find an id below N. With a plain sequence on
  PostgreSQL, two concurrent transactions can commit ids 11 then 10, and a desk that already
  moved its cursor past 11 would lose event 10 for good.
- `idempotency_key`: the stored answer of each `PUT /v1/dossiers` by (desk, key), so that a
  replay returns exactly the first answer (draft-ietf-httpapi-idempotency-key-header).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EVENT_COUNTER = "event"


def utcnow() -> dt.datetime:
    """Naive UTC timestamp: both SQLite and PostgreSQL store it as is."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Desk(Base):
    __tablename__ = "desk"
    __table_args__ = (UniqueConstraint("agency", "name", name="uq_desk_agency_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (Index("ix_dossier_agency_status", "agency", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency: Mapped[str] = mapped_column(String(100))
    first_desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"))
    # The desk that sent the current version.
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"))
    procedure: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    # sha256 of the canonical JSON of the version's upload: same version, same content?
    content_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # [{"kind": "identity", "pages": [sha256, ...]}, ...]
    pieces: Mapped[list[Any]] = mapped_column(default=list)
    # The last back-office message and, for a complement request, the pieces to redo.
    status_message: Mapped[str] = mapped_column(Text, default="")
    requested_pieces: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DossierRevision(Base):
    __tablename__ = "dossier_revision"
    __table_args__ = (
        UniqueConstraint("dossier_id", "version", name="uq_dossier_revision_dossier_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pieces: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_agency_id", "agency", "id"),)

    # Assigned from `counter`, not autoincremented (see the module docstring).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agency: Mapped[str] = mapped_column(String(100))
    dossier_id: Mapped[str] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    # "desk" (a dossier received) or "back_office" (set-status).
    source: Mapped[str] = mapped_column(String(20))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    pieces: Mapped[list[Any]] = mapped_column(default=list)


class Counter(Base):
    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("desk_id", "key", name="uq_idempotency_key_desk_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desk.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    dossier_id: Mapped[str] = mapped_column(String(36))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
