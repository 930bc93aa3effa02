"""Dossier use cases: create, list, open, update, delete.

The facts document (DESIGN.md) is the exchange format: it goes in on creation and update and
comes out of `get`. Here it is split over the tables of `models.entities` and put back
together. Every public function is one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from permis_desktop.errors import BadInput
from permis_desktop.models.db import Database
from permis_desktop.models.entities import (
    Applicant,
    Dossier,
    LegalRepresentative,
    Piece,
    StatusEvent,
    utcnow,
)
from permis_desktop.procedures import lifecycle
from permis_desktop.procedures.checklist import evaluate
from permis_desktop.procedures.facts import FactsError, parse_facts
from permis_desktop.textfold import fold

log = logging.getLogger(__name__)

# Applicant fields kept as columns; every other applicant field goes to `details`.
_PERSON_COLUMNS = (
    "sex",
    "birth_name",
    "usage_name",
    "given_names",
    "birth_date",
    "email",
    "mobile",
)
_APPLICANT_COLUMNS = (*_PERSON_COLUMNS, "nationality", "neph", "under_guardianship", "hosted")
_REPRESENTATIVE_COLUMNS = (*_PERSON_COLUMNS, "quality")
# Top-level facts kept as columns of the dossier; the rest goes to `data`.
_DOSSIER_COLUMNS = ("procedure", "categories", "training_mode", "mandate")
_NOT_STORED = ("applicant", "legal_representative", "pieces", "reference_date")


@dataclass(frozen=True)
class DossierRow:
    """One line of the dossier list."""

    id: str
    applicant: str
    birth_date: str
    procedure: str
    categories: list[str]
    status: str
    updated_at: dt.datetime
    version: int
    pieces_done: int = 0
    pieces_required: int = 0
    sync_state: str = "local"


class _Keep:
    """Marker: leave the stored value as it is."""


_KEEP = _Keep()


# Sort keys the dossier list offers, mapped to indexed columns.
SORT_COLUMNS = {
    "applicant": Dossier.applicant_label,
    "procedure": Dossier.procedure,
    "status": Dossier.status,
    "updated_at": Dossier.updated_at,
    "pieces": Dossier.pieces_done,
    "sync_state": Dossier.sync_state,
    "categories": Dossier.categories,
}


@dataclass(frozen=True)
class PageInfo:
    id: int
    position: int
    original_sha256: str
    processed_sha256: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class PieceInfo:
    id: int
    kind: str
    status: str
    document_type: str | None
    issued: str | None
    expires: str | None
    recognised: dict[str, Any]
    pages: list[PageInfo]


@dataclass(frozen=True)
class EventInfo:
    at: dt.datetime
    from_status: str | None
    to_status: str
    source: str
    message: str


@dataclass(frozen=True)
class DossierDetail:
    id: str
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    facts: dict[str, Any]
    pieces: list[PieceInfo] = field(default_factory=list)
    history: list[EventInfo] = field(default_factory=list)
    # Desk state beside the facts: the wizard page last shown, the day the mandate was signed.
    wizard_step: str | None = None
    mandate_signed_on: str | None = None
    archived: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `dossier show --json` shape: the facts plus id, status, pieces and history."""
        out = dict(self.facts)
        out["id"] = self.id
        out["status"] = self.status
        out["version"] = self.version
        out["pieces"] = [
            {
                "kind": p.kind,
                "status": p.status,
                "document_type": p.document_type,
                "issued": p.issued,
                "expires": p.expires,
                "pages": [
                    {
                        "position": pg.position,
                        "original": pg.original_sha256,
                        "processed": pg.processed_sha256,
                        **_page_report(pg.params),
                    }
                    for pg in p.pages
                ],
            }
            for p in self.pieces
        ]
        out["history"] = [
            {
                "at": e.at.isoformat(timespec="seconds") + "Z",
                "from": e.from_status,
                "to": e.to_status,
                "source": e.source,
                "message": e.message,
            }
            for e in self.history
        ]
        return out


def _page_report(params: dict[str, Any]) -> dict[str, Any]:
    return {k: params[k] for k in ("verdict", "reasons") if k in params}


def display_name(birth_name: str, usage_name: str, given_names: list[str]) -> str:
    surname = usage_name or birth_name
    given = " ".join(given_names)
    if surname and given:
        return f"{surname.upper()} {given}"
    return (surname.upper() if surname else given) or "(sans nom)"


def _split(
    source: dict[str, Any], columns: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    cols = {k: v for k, v in source.items() if k in columns}
    rest = {k: v for k, v in source.items() if k not in columns}
    return cols, rest


def _apply_person(row: Any, person: dict[str, Any], columns: tuple[str, ...]) -> None:
    cols, rest = _split(person, columns)
    for name in columns:
        value = cols.get(name)
        if name == "given_names":
            value = list(value or [])
        elif name in ("under_guardianship", "hosted"):
            value = bool(value)
        elif name in ("sex", "birth_date", "nationality"):
            value = value or None
        else:
            value = value or ""
        setattr(row, name, value)
    row.details = rest


def _person_facts(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in columns:
        value = getattr(row, name)
        if value not in (None, "", [], False) or name in ("given_names",):
            out[name] = value
    out.update(row.details or {})
    return out


def _search_text(dossier: Dossier) -> str:
    a = dossier.applicant
    parts = [a.birth_name, a.usage_name, *a.given_names, a.neph, a.email, a.mobile]
    if a.birth_date:
        parts.append(a.birth_date)
        y, m, d = (a.birth_date.split("-") + ["", ""])[:3]
        parts.append(f"{d}/{m}/{y}")
    digits = "".join(ch for ch in a.mobile if ch.isdigit())
    if digits:
        parts.append(digits)
        if digits.startswith("33"):
            parts.append("0" + digits[2:])
    return fold(" ".join(p for p in parts if p))


def _refresh_summary(dossier: Dossier) -> None:
    """Recount the dossier's required and provided pieces for the list (rules engine)."""
    try:
        checklist = evaluate(DossierService._detail(dossier).facts)
    except FactsError as exc:
        # A draft whose facts do not parse yet still saves; the list shows 0/0 until fixed.
        log.info("dossier %s facts not evaluable yet: %s", dossier.id, exc)
        dossier.pieces_done = dossier.pieces_required = 0
        return
    required = [line for line in checklist.pieces if line.required]
    dossier.pieces_required = len(required)
    dossier.pieces_done = sum(1 for line in required if line.status == "provided")


def _parse_date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadInput(
            f"Date invalide pour {where} : « {value} » (format attendu AAAA-MM-JJ)."
        ) from None


class DossierService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._fts: bool | None = None

    # -- create / update ------------------------------------------------------------------

    def create(self, facts: dict[str, Any], source: str = "desk") -> str:
        """Create a draft from a facts document; returns its id."""
        if not facts.get("procedure"):
            raise BadInput("Le document doit indiquer la démarche (« procedure »).")
        parse_facts(facts)  # structure errors (unknown field, bad date) are refused here
        with self.db.transaction() as session:
            applicant = Applicant()
            session.add(applicant)
            dossier = Dossier(applicant=applicant, status="draft")
            self._write_facts(session, dossier, facts)
            session.add(dossier)
            session.flush()
            _refresh_summary(dossier)
            session.add(
                StatusEvent(
                    dossier=dossier,
                    from_status=None,
                    to_status="draft",
                    source=source,
                    message="Dossier créé",
                )
            )
            log.info("dossier %s created (%s)", dossier.id, dossier.procedure)
            return dossier.id

    def update(
        self,
        dossier_id: str,
        facts: dict[str, Any],
        *,
        mandate_signed_on: str | None | _Keep = _KEEP,
    ) -> int:
        """Replace the dossier's facts; returns the new version number.

        `mandate_signed_on` (ISO date or None) is saved with the facts when given."""
        with self.db.transaction() as session:
            dossier = self._load(session, dossier_id)
            parse_facts(facts)
            if not lifecycle.status(dossier.status).editable:
                raise BadInput(
                    f"Ce dossier est « {lifecycle.status(dossier.status).label} » : "
                    "rouvrez-le pour le modifier."
                )
            if not isinstance(mandate_signed_on, _Keep):
                dossier.mandate_signed_on = _parse_date(mandate_signed_on, "la date du mandat")
            self._write_facts(session, dossier, facts)
            session.flush()
            _refresh_summary(dossier)
            dossier.version += 1
            dossier.updated_at = utcnow()
            return dossier.version

    def refresh_list_columns(self, dossier_id: str) -> None:
        """Recount the pieces shown in the list (after pages were attached elsewhere)."""
        with self.db.transaction() as session:
            _refresh_summary(self._load(session, dossier_id))

    def set_wizard_step(self, dossier_id: str, step: str) -> None:
        """Remember the wizard page shown, so that reopening the dossier returns there.

        Desk state only: neither the version nor the last-change date moves."""
        with self.db.transaction() as session:
            self._load(session, dossier_id).wizard_step = step[:30]

    def _write_facts(self, session: Session, dossier: Dossier, facts: dict[str, Any]) -> None:
        cols, rest = _split(facts, _DOSSIER_COLUMNS)
        dossier.procedure = str(cols.get("procedure") or "")
        dossier.categories = list(cols.get("categories") or [])
        dossier.training_mode = cols.get("training_mode") or None
        dossier.mandate = bool(cols.get("mandate"))
        _apply_person(dossier.applicant, dict(facts.get("applicant") or {}), _APPLICANT_COLUMNS)
        rep = facts.get("legal_representative")
        if rep:
            if dossier.legal_representative is None:
                dossier.legal_representative = LegalRepresentative()
            _apply_person(dossier.legal_representative, dict(rep), _REPRESENTATIVE_COLUMNS)
        elif dossier.legal_representative is not None:
            dossier.legal_representative = None
        dossier.data = {k: v for k, v in rest.items() if k not in _NOT_STORED}
        for provided in facts.get("pieces") or []:
            self._merge_piece_facts(dossier, provided)
        dossier.search_text = _search_text(dossier)
        a = dossier.applicant
        dossier.applicant_label = display_name(a.birth_name, a.usage_name, list(a.given_names))

    def _merge_piece_facts(self, dossier: Dossier, provided: dict[str, Any]) -> None:
        kind = provided.get("kind")
        if not kind:
            raise BadInput("Chaque pièce fournie doit indiquer sa nature (« kind »).")
        piece = next((p for p in dossier.pieces if p.kind == kind), None)
        if piece is None:
            piece = Piece(kind=kind)
            dossier.pieces.append(piece)
        piece.document_type = provided.get("document_type") or piece.document_type
        piece.issued = _parse_date(provided.get("issued"), f"la pièce {kind} (issued)")
        piece.expires = _parse_date(provided.get("expires"), f"la pièce {kind} (expires)")
        if piece.status in (None, "missing"):
            piece.status = "provided"
        piece.updated_at = utcnow()

    # -- read --------------------------------------------------------------------------

    def list(
        self,
        status: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        *,
        procedure: str | None = None,
        order_by: str = "updated_at",
        descending: bool = True,
        offset: int = 0,
        include_archived: bool = False,
        ids: Collection[str] | None = None,
    ) -> list[DossierRow]:
        """Rows of the dossier list: filtered, searched, sorted in SQL, one page at a time."""
        with self.db.transaction() as session:
            sort = SORT_COLUMNS.get(order_by, Dossier.updated_at)
            query = (
                select(
                    Dossier.id,
                    Dossier.applicant_label,
                    Applicant.birth_date,
                    Dossier.procedure,
                    Dossier.categories,
                    Dossier.status,
                    Dossier.updated_at,
                    Dossier.version,
                    Dossier.pieces_done,
                    Dossier.pieces_required,
                    Dossier.sync_state,
                )
                .join(Applicant, Dossier.applicant_id == Applicant.id)
                .order_by(sort.desc() if descending else sort.asc(), Dossier.id)
            )
            query = self._filtered(
                query, status, search, procedure, include_archived, self._has_search_index(session)
            )
            if ids is not None:
                query = query.where(Dossier.id.in_(list(ids)))
            if limit:
                query = query.limit(limit).offset(offset)
            return [
                DossierRow(
                    id=r.id,
                    applicant=r.applicant_label,
                    birth_date=r.birth_date or "",
                    procedure=r.procedure,
                    categories=list(r.categories or []),
                    status=r.status,
                    updated_at=r.updated_at,
                    version=r.version,
                    pieces_done=r.pieces_done,
                    pieces_required=r.pieces_required,
                    sync_state=r.sync_state,
                )
                for r in session.execute(query)
            ]

    def count(
        self,
        status: str | None = None,
        search: str | None = None,
        *,
        procedure: str | None = None,
        include_archived: bool = False,
    ) -> int:
        with self.db.transaction() as session:
            query = select(func.count()).select_from(Dossier)
            query = self._filtered(
                query, status, search, procedure, include_archived, self._has_search_index(session)
            )
            return int(session.scalar(query) or 0)

    @staticmethod
    def _filtered(
        query: Any,
        status: str | None,
        search: str | None,
        procedure: str | None,
        include_archived: bool,
        fts: bool = False,
    ) -> Any:
        if status:
            query = query.where(Dossier.status == status)
        if procedure:
            query = query.where(Dossier.procedure == procedure)
        if not include_archived:
            query = query.where(Dossier.archived_at.is_(None))
        if search:
            words = fold(search).split()
            # Words of 3 characters or more come from the trigram index when the database
            # has one (migration 0005, bench/desk.py); shorter ones, or no index: LIKE.
            indexed = [w for w in words if len(w) >= 3] if fts else []
            if indexed:
                match = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
                query = query.where(
                    text(
                        "dossier.rowid IN (SELECT rowid FROM dossier_search "
                        "WHERE dossier_search MATCH :search_match)"
                    ).bindparams(search_match=match)
                )
            for word in words:
                if word not in indexed:
                    query = query.where(Dossier.search_text.contains(word, autoescape=True))
        return query

    def _has_search_index(self, session: Session) -> bool:
        if self._fts is None:
            self._fts = bool(
                session.execute(
                    text(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                        "AND name = 'dossier_search'"
                    )
                ).first()
            )
        return self._fts

    def count_by_status(self) -> dict[str, int]:
        with self.db.transaction() as session:
            rows = session.execute(
                select(Dossier.status, func.count())
                .where(Dossier.archived_at.is_(None))
                .group_by(Dossier.status)
            )
            return {status: count for status, count in rows}

    def get(self, dossier_id: str) -> DossierDetail:
        with self.db.transaction() as session:
            return self._detail(self._load(session, dossier_id))

    def _load(self, session: Session, dossier_id: str) -> Dossier:
        dossier = session.get(Dossier, dossier_id)
        if dossier is None:
            matches = (
                session.scalars(
                    select(Dossier)
                    .where(Dossier.id.startswith(dossier_id, autoescape=True))
                    .limit(2)
                ).all()
                if len(dossier_id) >= 6
                else []
            )
            if len(matches) == 1:
                return matches[0]
            raise BadInput(f"Aucun dossier ne porte l'identifiant « {dossier_id} ».")
        return dossier

    @staticmethod
    def _detail(dossier: Dossier) -> DossierDetail:
        facts: dict[str, Any] = {
            "procedure": dossier.procedure,
            "categories": list(dossier.categories),
            "mandate": dossier.mandate,
        }
        if dossier.training_mode:
            facts["training_mode"] = dossier.training_mode
        facts["applicant"] = _person_facts(dossier.applicant, _APPLICANT_COLUMNS)
        if dossier.legal_representative is not None:
            facts["legal_representative"] = _person_facts(
                dossier.legal_representative, _REPRESENTATIVE_COLUMNS
            )
        facts.update(dossier.data or {})
        provided = [
            {
                k: v
                for k, v in {
                    "kind": p.kind,
                    "document_type": p.document_type,
                    "issued": p.issued.isoformat() if p.issued else None,
                    "expires": p.expires.isoformat() if p.expires else None,
                }.items()
                if v is not None
            }
            for p in dossier.pieces
            if p.status != "missing"
        ]
        if provided:
            facts["pieces"] = provided
        return DossierDetail(
            id=dossier.id,
            status=dossier.status,
            version=dossier.version,
            created_at=dossier.created_at,
            updated_at=dossier.updated_at,
            facts=facts,
            pieces=[
                PieceInfo(
                    id=p.id,
                    kind=p.kind,
                    status=p.status,
                    document_type=p.document_type,
                    issued=p.issued.isoformat() if p.issued else None,
                    expires=p.expires.isoformat() if p.expires else None,
                    recognised=dict(p.recognised or {}),
                    pages=[
                        PageInfo(
                            pg.id,
                            pg.position,
                            pg.original_sha256,
                            pg.processed_sha256,
                            dict(pg.params or {}),
                        )
                        for pg in p.pages
                    ],
                )
                for p in dossier.pieces
            ],
            history=[
                EventInfo(e.at, e.from_status, e.to_status, e.source, e.message)
                for e in dossier.events
            ],
            wizard_step=dossier.wizard_step,
            mandate_signed_on=(
                dossier.mandate_signed_on.isoformat() if dossier.mandate_signed_on else None
            ),
            archived=dossier.archived_at is not None,
        )

    # -- delete ------------------------------------------------------------------------

    def delete(self, dossier_id: str) -> None:
        """Delete a dossier and everything it owns. Page files are removed by `collect_blobs`."""
        with self.db.transaction() as session:
            dossier = self._load(session, dossier_id)
            applicant = dossier.applicant
            session.delete(dossier)
            session.flush()
            still_used = session.scalar(
                select(func.count())
                .select_from(Dossier)
                .where(Dossier.applicant_id == applicant.id)
            )
            if not still_used:
                session.delete(applicant)
            log.info("dossier %s deleted", dossier_id)

    def referenced_blobs(self) -> set[str]:
        """Every blob some row points to: pages, and any other table's `*sha256` column
        (ANTS documents…), so that `BlobStore.gc` never removes a file still in use."""
        from permis_desktop.models.entities import Base

        with self.db.transaction() as session:
            hashes: set[str] = set()
            for table in Base.metadata.tables.values():
                for column in table.columns:
                    if column.name.endswith("sha256"):
                        hashes.update(h for h in session.scalars(select(column).distinct()) if h)
            return hashes
