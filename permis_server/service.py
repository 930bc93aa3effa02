"""The dossier service's use cases, shared by the HTTP API and the back-office commands.

Each public function is one database transaction (retried by `Database.run` when it lost a
race), so that correctness never depends on a lock inside one process: several server
processes may run them at once against the same database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from permis_desktop.errors import BadInput
from permis_server import lifecycle
from permis_server.blobs import BlobStore
from permis_server.db import Database
from permis_server.models import (
    EVENT_COUNTER,
    Counter,
    Desk,
    Dossier,
    DossierRevision,
    Event,
    IdempotencyKey,
    utcnow,
)
from permis_server.schemas import DossierOut, DossierReceipt, DossierUpload, EventOut, PieceOut

log = logging.getLogger(__name__)

TOKEN_PREFIX = "pds_"
MAX_NAME = 100


class Refused(Exception):
    """A request the API answers with an error document (see `schemas.ErrorBody`)."""

    def __init__(self, http_status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = http_status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


@dataclass(frozen=True)
class DeskInfo:
    id: int
    agency: str
    name: str


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"


def canonical_sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- desks and tokens ----------------------------------------------------------------------


def _check_name(value: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_NAME or any(ord(c) < 32 for c in value):
        raise BadInput(f"Nom {what} invalide : indiquez 1 à {MAX_NAME} caractères imprimables.")
    return value


def create_token(db: Database, agency: str, desk: str) -> tuple[str, bool]:
    """A new token for (agency, desk); returns it and whether the desk already existed.

    Only its sha256 is stored. An existing desk gets a new token (the old one stops working),
    which is how a lost or leaked token is replaced.
    """
    agency = _check_name(agency, "d'agence")
    desk = _check_name(desk, "de poste")
    # 32 random bytes (256 bits): a token cannot be guessed, so an unsalted hash is enough.
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = token_sha256(token)

    def work(session: Session) -> bool:
        row = session.scalars(
            select(Desk).where(Desk.agency == agency, Desk.name == desk)
        ).one_or_none()
        if row is None:
            session.add(Desk(agency=agency, name=desk, token_sha256=digest))
            return False
        row.token_sha256 = digest
        row.revoked_at = None
        return True

    existed = db.run(work)
    log.info(
        "token %s for desk %r of agency %r", "replaced" if existed else "created", desk, agency
    )
    return token, existed


def revoke_token(db: Database, agency: str, desk: str) -> None:
    def work(session: Session) -> None:
        row = session.scalars(
            select(Desk).where(Desk.agency == agency, Desk.name == desk)
        ).one_or_none()
        if row is None:
            raise BadInput(f"Aucun poste « {desk} » dans l'agence « {agency} ».")
        row.revoked_at = utcnow()

    db.run(work)
    log.info("token revoked for desk %r of agency %r", desk, agency)


def list_desks(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(Desk).order_by(Desk.agency, Desk.name)).all()
        return [
            {
                "agency": r.agency,
                "desk": r.name,
                "created_at": iso(r.created_at),
                "revoked": r.revoked_at is not None,
            }
            for r in rows
        ]


def authenticate(db: Database, token: str) -> DeskInfo | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with db.read() as session:
        row = session.scalars(
            select(Desk).where(Desk.token_sha256 == token_sha256(token))
        ).one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        return DeskInfo(row.id, row.agency, row.name)


# -- receiving dossiers --------------------------------------------------------------------


def _next_event_id(session: Session) -> int:
    # Row lock on the counter until commit: event ids become visible in increasing order.
    value = session.execute(
        update(Counter)
        .where(Counter.name == EVENT_COUNTER)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one()
    return int(value)


def _add_event(
    session: Session,
    dossier: Dossier,
    from_status: str | None,
    source: str,
    desk_id: int | None = None,
    message: str = "",
    pieces: list[str] | None = None,
) -> Event:
    session.flush()  # the dossier row first, so that the counter lock is held briefly
    row = Event(
        id=_next_event_id(session),
        agency=dossier.agency,
        dossier_id=dossier.id,
        at=utcnow(),
        from_status=from_status,
        to_status=dossier.status,
        version=dossier.version,
        source=source,
        desk_id=desk_id,
        message=message,
        pieces=list(pieces or []),
    )
    session.add(row)
    return row


def _missing(blobs: BlobStore, upload: DossierUpload) -> list[str]:
    seen: set[str] = set()
    missing: list[str] = []
    for piece in upload.pieces:
        for sha in piece.pages:
            if sha not in seen:
                seen.add(sha)
                if not blobs.exists(sha):
                    missing.append(sha)
    return missing


def _refuse_missing(missing: list[str]) -> Refused:
    return Refused(
        409,
        "missing_blobs",
        f"{len(missing)} fichier(s) de page manquent sur le serveur : envoyez-les d'abord.",
        missing=missing,
    )


def receive_dossier(
    db: Database,
    blobs: BlobStore,
    desk: DeskInfo,
    dossier_id: str,
    upload: DossierUpload,
    idempotency_key: str | None,
) -> tuple[int, dict[str, Any]]:
    """Apply `PUT /v1/dossiers/{id}`; returns (HTTP status, receipt) or raises Refused."""
    payload = upload.model_dump(mode="json")
    content = canonical_sha256(payload)
    request = canonical_sha256({"id": dossier_id, **payload})

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        if idempotency_key is not None:
            seen = session.scalars(
                select(IdempotencyKey).where(
                    IdempotencyKey.desk_id == desk.id, IdempotencyKey.key == idempotency_key
                )
            ).one_or_none()
            if seen is not None:
                if seen.request_sha256 != request:
                    raise Refused(
                        422,
                        "idempotency_key_reused",
                        "Cette clé d'idempotence a déjà servi pour un autre envoi.",
                    )
                return seen.status_code, dict(seen.response)
        code, receipt = _apply(session, blobs, desk, dossier_id, upload, payload, content)
        if idempotency_key is not None:
            session.add(
                IdempotencyKey(
                    desk_id=desk.id,
                    key=idempotency_key,
                    dossier_id=dossier_id,
                    request_sha256=request,
                    status_code=code,
                    response=receipt,
                )
            )
        return code, receipt

    return db.run(work)


def _apply(
    session: Session,
    blobs: BlobStore,
    desk: DeskInfo,
    dossier_id: str,
    upload: DossierUpload,
    payload: dict[str, Any],
    content: str,
) -> tuple[int, dict[str, Any]]:
    now = utcnow()
    dossier = session.scalars(
        select(Dossier).where(Dossier.id == dossier_id).with_for_update()
    ).one_or_none()

    def receipt(outcome: str, row: Dossier) -> dict[str, Any]:
        return DossierReceipt(
            id=dossier_id,
            outcome=outcome,  # type: ignore[arg-type]
            received_version=upload.version,
            version=row.version,
            status=row.status,
        ).model_dump(mode="json")

    if dossier is None:
        missing = _missing(blobs, upload)
        if missing:
            raise _refuse_missing(missing)
        dossier = Dossier(
            id=dossier_id,
            agency=desk.agency,
            first_desk_id=desk.id,
            desk_id=desk.id,
            procedure=upload.procedure,
            status=lifecycle.RECEIVED,
            version=upload.version,
            content_sha256=content,
            document=payload["document"],
            pieces=payload["pieces"],
            status_message="",
            requested_pieces=[],
            received_at=now,
            updated_at=now,
        )
        session.add(dossier)
        session.add(_revision(dossier, desk, now))
        _add_event(session, dossier, None, "desk", desk_id=desk.id)
        log.info(
            "dossier %s v%d received from %s/%s", dossier_id, upload.version, desk.agency, desk.name
        )
        return 201, receipt("created", dossier)

    if dossier.agency != desk.agency:
        log.warning(
            "desk %s/%s tried to send dossier %s of another agency",
            desk.agency,
            desk.name,
            dossier_id,
        )
        raise _forbidden()
    if upload.version < dossier.version:
        log.info(
            "dossier %s v%d ignored: the server has v%d",
            dossier_id,
            upload.version,
            dossier.version,
        )
        return 200, receipt("superseded", dossier)
    if upload.version == dossier.version:
        if content == dossier.content_sha256:
            return 200, receipt("unchanged", dossier)
        raise Refused(
            409,
            "version_conflict",
            f"Le serveur a déjà une version {dossier.version} différente de ce dossier "
            "(envoyée par un autre poste ?). Modifiez le dossier puis validez-le à nouveau.",
            version=dossier.version,
        )
    if not lifecycle.accepts_new_version(dossier.status):
        raise Refused(
            409,
            "not_editable",
            f"Ce dossier est déjà traité par l'agence (statut : {dossier.status}) ; "
            "il ne peut plus être modifié depuis le poste.",
            status=dossier.status,
        )
    missing = _missing(blobs, upload)
    if missing:
        raise _refuse_missing(missing)
    previous = dossier.status
    dossier.desk_id = desk.id
    dossier.procedure = upload.procedure
    dossier.version = upload.version
    dossier.content_sha256 = content
    dossier.document = payload["document"]
    dossier.pieces = payload["pieces"]
    dossier.updated_at = now
    session.add(_revision(dossier, desk, now))
    if previous != lifecycle.RECEIVED:
        dossier.status = lifecycle.RECEIVED
        dossier.status_message = ""
        dossier.requested_pieces = []
        _add_event(session, dossier, previous, "desk", desk_id=desk.id)
    log.info(
        "dossier %s v%d received from %s/%s (was %s)",
        dossier_id,
        upload.version,
        desk.agency,
        desk.name,
        previous,
    )
    return 200, receipt("updated", dossier)


def _revision(dossier: Dossier, desk: DeskInfo, now: dt.datetime) -> DossierRevision:
    return DossierRevision(
        dossier_id=dossier.id,
        version=dossier.version,
        desk_id=desk.id,
        content_sha256=dossier.content_sha256,
        document=dossier.document,
        pieces=dossier.pieces,
        received_at=now,
    )


def _forbidden() -> Refused:
    return Refused(403, "forbidden", "Ce dossier appartient à une autre agence.")


def prune_idempotency_keys(db: Database, days: int = 30) -> int:
    """Forget stored answers older than `days`: a desk retries within minutes or hours, and
    a later replay without its stored answer still gets `unchanged` or `superseded`."""
    from sqlalchemy import delete

    limit = utcnow() - dt.timedelta(days=days)

    def work(session: Session) -> int:
        result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < limit))
        return int(getattr(result, "rowcount", 0) or 0)

    removed = db.run(work)
    if removed:
        log.info("pruned %d idempotency keys older than %d days", removed, days)
    return removed


# -- reading -------------------------------------------------------------------------------


def _event_out(row: Event) -> EventOut:
    return EventOut(
        id=row.id,
        dossier_id=row.dossier_id,
        at=iso(row.at),
        from_status=row.from_status,
        to_status=row.to_status,
        version=row.version,
        source=row.source,  # type: ignore[arg-type]
        message=row.message,
        pieces=list(row.pieces),
    )


def events_after(db: Database, agency: str, after: int, limit: int) -> tuple[list[EventOut], bool]:
    with db.read() as session:
        rows = session.scalars(
            select(Event)
            .where(Event.agency == agency, Event.id > after)
            .order_by(Event.id)
            .limit(limit + 1)
        ).all()
        return [_event_out(r) for r in rows[:limit]], len(rows) > limit


def _desk_names(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.scalars(select(Desk))}


def _pages(pieces: list[Any]) -> list[str]:
    return [sha for piece in pieces for sha in piece.get("pages", [])]


def _dossier_out(session: Session, row: Dossier, names: dict[int, str]) -> DossierOut:
    history = session.scalars(
        select(Event).where(Event.dossier_id == row.id).order_by(Event.id)
    ).all()
    return DossierOut(
        id=row.id,
        agency=row.agency,
        desk=names.get(row.desk_id, ""),
        first_desk=names.get(row.first_desk_id, ""),
        procedure=row.procedure,
        status=row.status,
        version=row.version,
        document=dict(row.document),
        pieces=[PieceOut(kind=p["kind"], pages=list(p["pages"])) for p in row.pieces],
        pages=_pages(row.pieces),
        status_message=row.status_message,
        requested_pieces=list(row.requested_pieces),
        received_at=iso(row.received_at),
        updated_at=iso(row.updated_at),
        history=[_event_out(e) for e in history],
    )


def get_dossier(db: Database, dossier_id: str, agency: str | None) -> DossierOut:
    """The dossier as the API shows it; `agency` None means the back office (any agency)."""
    with db.read() as session:
        row = session.get(Dossier, dossier_id)
        if row is None:
            raise Refused(404, "not_found", "Ce dossier n'est pas (encore) sur le serveur.")
        if agency is not None and row.agency != agency:
            raise _forbidden()
        return _dossier_out(session, row, _desk_names(session))


def list_dossiers(
    db: Database, agency: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """One object per dossier for `permis-server dossier list --json`."""
    with db.read() as session:
        names = _desk_names(session)
        query = select(Dossier).order_by(Dossier.received_at, Dossier.id)
        if agency is not None:
            query = query.where(Dossier.agency == agency)
        if status is not None:
            query = query.where(Dossier.status == status)
        out = []
        for row in session.scalars(query):
            out.append(
                {
                    "id": row.id,
                    "status": row.status,
                    "version": row.version,
                    "procedure": row.procedure,
                    "agency": row.agency,
                    "desk": names.get(row.desk_id, ""),
                    "first_desk": names.get(row.first_desk_id, ""),
                    "pages": _pages(row.pieces),
                    "pieces": [{"kind": p["kind"], "pages": list(p["pages"])} for p in row.pieces],
                    "status_message": row.status_message,
                    "requested_pieces": list(row.requested_pieces),
                    "received_at": iso(row.received_at),
                    "updated_at": iso(row.updated_at),
                }
            )
        return out


# -- back office ---------------------------------------------------------------------------


def set_status(
    db: Database, dossier_id: str, status: str, message: str = "", pieces: list[str] | None = None
) -> EventOut:
    """Record what ANTS answered; the event goes into the agency's feed."""
    if status not in lifecycle.STATUSES:
        raise BadInput(
            f"Statut inconnu : {status}. Statuts possibles : {', '.join(lifecycle.STATUSES)}."
        )
    if status in lifecycle.DESK_ONLY:
        raise BadInput(f"Le statut {status} est propre au poste : le serveur ne l'enregistre pas.")
    message = message.strip()
    pieces = [p.strip() for p in (pieces or []) if p.strip()]
    if pieces and status != lifecycle.COMPLEMENT:
        raise BadInput(f"--pieces ne s'emploie qu'avec le statut {lifecycle.COMPLEMENT}.")
    if status == lifecycle.COMPLEMENT and not message:
        raise BadInput("Une demande de complément doit avoir un message pour le poste (--message).")

    def work(session: Session) -> EventOut:
        row = session.scalars(
            select(Dossier).where(Dossier.id == dossier_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise BadInput(f"Dossier introuvable sur le serveur : {dossier_id}.")
        if not lifecycle.can_transition(row.status, status):
            allowed = lifecycle.next_statuses(row.status)
            raise BadInput(
                f"Le dossier est au statut {row.status} : il ne peut pas passer à {status}. "
                + (
                    f"Statuts possibles : {', '.join(allowed)}."
                    if allowed
                    else "Ce statut est définitif."
                )
            )
        kinds = [p["kind"] for p in row.pieces]
        unknown = [p for p in pieces if p not in kinds]
        if unknown:
            raise BadInput(
                f"Pièce(s) absente(s) de ce dossier : {', '.join(unknown)}. "
                f"Pièces du dossier : {', '.join(kinds) or 'aucune'}."
            )
        previous = row.status
        row.status = status
        row.status_message = message
        row.requested_pieces = list(dict.fromkeys(pieces))
        row.updated_at = utcnow()
        event = _add_event(
            session, row, previous, "back_office", message=message, pieces=row.requested_pieces
        )
        session.flush()
        log.info("dossier %s: %s -> %s (event %d)", dossier_id, previous, status, event.id)
        return _event_out(event)

    return db.run(work)
