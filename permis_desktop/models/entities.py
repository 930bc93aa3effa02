"""The ORM models of the local store (SQLAlchemy 2, typed).

The dossier's facts are split between typed columns (what the list, search, sync and rules
need to query) and JSON columns for the nested parts of the facts document (address, licence,
medical flags…), which are read and written whole. Ids of dossiers are UUIDs so that a dossier
keeps its identity when it is synced to the agency's server.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so that batch migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (SQLite keeps no time zone; everything stored is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Applicant(Base):
    __tablename__ = "applicant"

    id: Mapped[int] = mapped_column(primary_key=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_name: Mapped[str] = mapped_column(String(120), default="")
    usage_name: Mapped[str] = mapped_column(String(120), default="")
    given_names: Mapped[list[Any]] = mapped_column(default=list)
    # Kept as text: a partial birth date such as 1990-00-00 is legal (foreign civil status).
    birth_date: Mapped[str | None] = mapped_column(String(10), index=True)
    nationality: Mapped[str | None] = mapped_column(String(3))
    email: Mapped[str] = mapped_column(String(254), default="")
    mobile: Mapped[str] = mapped_column(String(32), default="")
    neph: Mapped[str] = mapped_column(String(12), default="")
    under_guardianship: Mapped[bool] = mapped_column(Boolean, default=False)
    hosted: Mapped[bool] = mapped_column(Boolean, default=False)
    # birth_place, address, licence, medical: nested parts of the facts document.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_status_updated", "status", "updated_at"),
        Index("ix_dossier_updated", "updated_at"),
        Index("ix_dossier_applicant_label", "applicant_label"),
        Index("ix_dossier_procedure", "procedure"),
        Index("ix_dossier_archived_status", "archived_at", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    applicant_id: Mapped[int] = mapped_column(
        ForeignKey("applicant.id", ondelete="RESTRICT"), index=True
    )
    procedure: Mapped[str] = mapped_column(String(40))
    categories: Mapped[list[Any]] = mapped_column(default=list)
    training_mode: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="draft")
    mandate: Mapped[bool] = mapped_column(Boolean, default=False)
    mandate_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    # photo_signature, training, host and other parts of the facts document.
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Accent- and case-folded text of the fields the desk searches on (name, dates, contact).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Denormalised for the dossier list, so that 100,000 rows sort and page without joins or
    # re-evaluating the rules: refreshed by the services on every save.
    applicant_label: Mapped[str] = mapped_column(String(250), default="")
    pieces_done: Mapped[int] = mapped_column(Integer, default=0)
    pieces_required: Mapped[int] = mapped_column(Integer, default=0)
    # local (never queued), queued, sent, failed: the desk's view of the outbox.
    sync_state: Mapped[str] = mapped_column(String(20), default="local")
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The wizard page the desk left the dossier on (desk state, not part of the facts).
    wizard_step: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Incremented on every change; the sync service uses it to order and de-duplicate.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The ANTS request number and filing date the desk records after filing on the portal.
    ants_request_number: Mapped[str] = mapped_column(String(40), default="")
    ants_filed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Steps of the ANTS form ticked in the filing assistant (desk state, not facts).
    filing_ticks: Mapped[list[Any]] = mapped_column(default=list)

    applicant: Mapped[Applicant] = relationship(lazy="joined")
    legal_representative: Mapped[LegalRepresentative | None] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", uselist=False
    )
    pieces: Mapped[list[Piece]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Piece.id"
    )
    events: Mapped[list[StatusEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="StatusEvent.id"
    )


class LegalRepresentative(Base):
    __tablename__ = "legal_representative"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), unique=True
    )
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_name: Mapped[str] = mapped_column(String(120), default="")
    usage_name: Mapped[str] = mapped_column(String(120), default="")
    given_names: Mapped[list[Any]] = mapped_column(default=list)
    birth_date: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str] = mapped_column(String(254), default="")
    mobile: Mapped[str] = mapped_column(String(32), default="")
    quality: Mapped[str] = mapped_column(String(40), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    dossier: Mapped[Dossier] = relationship(back_populates="legal_representative")


class Piece(Base):
    __tablename__ = "piece"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="missing")
    document_type: Mapped[str | None] = mapped_column(String(40))
    issued: Mapped[dt.date | None] = mapped_column(Date)
    expires: Mapped[dt.date | None] = mapped_column(Date)
    # What was read from the document (MRZ, 2D-Doc…), as JSON.
    recognised: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="pieces")
    pages: Mapped[list[Page]] = relationship(
        back_populates="piece", cascade="all, delete-orphan", order_by="Page.position"
    )


class Page(Base):
    __tablename__ = "page"

    id: Mapped[int] = mapped_column(primary_key=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("piece.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    original_sha256: Mapped[str] = mapped_column(String(64), index=True)
    processed_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # Corners, rotation, filter…: the processed page is derived from the original with these.
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    piece: Mapped[Piece] = relationship(back_populates="pages")


class StatusEvent(Base):
    __tablename__ = "status_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    # Who moved it: desk, cli, server.
    source: Mapped[str] = mapped_column(String(20), default="desk")
    message: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class OutboxItem(Base):
    __tablename__ = "outbox_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    dossier_version: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    # pending, failed (permanent), done
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AntsDocument(Base):
    """A PDF that ANTS issued for a dossier (récépissé de dépôt, attestation d'inscription…),
    kept in the blob store; `kind` is recognised from its text or set by the user."""

    __tablename__ = "ants_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30), default="other")
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # What was read from the text: request number, NEPH, how the kind was recognised.
    recognised: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
