"""Moving a dossier along its life: validate, reopen, archive, record a status.

Validation is where the rules engine has the last word: a dossier becomes `ready` only when
it is eligible and every required piece is provided, and in the same transaction an outbox
item is written for the sync worker (DESIGN.md, "Sync"), so a validated dossier can never be
forgotten by the sync. Every move is checked against the lifecycle and recorded in history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.models.db import Database
from permis_desktop.models.entities import Applicant, Dossier, OutboxItem, StatusEvent, utcnow
from permis_desktop.procedures import flow, lifecycle
from permis_desktop.procedures.checklist import Checklist, evaluate
from permis_desktop.procedures.facts import FactsError
from permis_desktop.services.dossiers import DossierRow, DossierService
from permis_desktop.textfold import fold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Obstacle:
    """Why a dossier cannot be validated yet: a problem of the facts or a piece to provide."""

    code: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


class ValidationRefused(OperationFailed):
    def __init__(self, obstacles: list[Obstacle]) -> None:
        self.obstacles = obstacles
        lines = "\n".join(f"  - {o.message}" for o in obstacles)
        super().__init__(f"Le dossier ne peut pas encore être validé :\n{lines}")


def _value_at(facts: Mapping[str, Any], path: str) -> Any:
    node: Any = facts
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def missing_fields(facts: Mapping[str, Any], today: dt.date | None = None) -> list[Obstacle]:
    """Required fields of the wizard's flow left blank (`missing_field`), in page order.

    The rules engine needs only some facts to decide; the ANTS form needs these too (names,
    birth place, address, contact, e-photo…), so a dossier is not "ready" without them."""
    found: list[Obstacle] = []
    try:
        steps = flow.steps(facts, today)
    except FactsError:
        return found
    seen: set[str] = set()
    for step in steps:
        for spec in step.fields:
            if not spec.required or spec.path == "pieces" or spec.path in seen:
                continue
            seen.add(spec.path)
            value = _value_at(facts, spec.path)
            if (
                value is None
                or value == ""
                or value == []
                or (isinstance(value, str) and not value.strip())
            ):
                found.append(
                    Obstacle(
                        "missing_field",
                        spec.path,
                        f"{step.title} : indiquez « {spec.label} ».",
                    )
                )
    return found


def obstacles(checklist: Checklist, facts: Mapping[str, Any] | None = None) -> list[Obstacle]:
    """Everything standing between the dossier and `ready`: problems of the rules engine,
    required fields left blank (when `facts` is given) and required pieces not in order."""
    found = [Obstacle(p.code, p.field, p.message) for p in checklist.problems]
    if facts is not None:
        known = {o.field for o in found}
        found += [
            o for o in missing_fields(facts, checklist.reference_date) if o.field not in known
        ]
    for line in checklist.pieces:
        if line.required and line.status != "provided":
            why = {
                "missing": "manquante",
                "expired": "périmée",
                "too_old": "trop ancienne",
            }.get(line.status, line.status)
            found.append(
                Obstacle(f"piece_{line.status}", f"pieces.{line.kind}", f"{line.label} : {why}.")
            )
    return found


class WorkflowService:
    def __init__(self, db: Database, today: dt.date | None = None) -> None:
        self.db = db
        self.dossiers = DossierService(db)
        self.today = today

    def checklist(self, dossier_id: str) -> Checklist:
        return evaluate(self.dossiers.get(dossier_id).facts, today=self.today)

    def validate(self, dossier_id: str, source: str = "desk") -> int:
        """Mark the dossier ready and queue it for sync; returns the queued version."""
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            facts = self.dossiers._detail(dossier).facts
            try:
                checklist = evaluate(facts, today=self.today)
            except FactsError as exc:
                raise ValidationRefused([Obstacle("invalid_facts", exc.field, str(exc))]) from exc
            found = obstacles(checklist, facts)
            if found:
                raise ValidationRefused(found)
            self._move(session, dossier, "ready", source, "Dossier validé")
            # Pending items of older versions are superseded by this one.
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.dossier_id == dossier.id, OutboxItem.state == "pending")
                .values(state="superseded")
            )
            session.add(OutboxItem(dossier_id=dossier.id, dossier_version=dossier.version))
            dossier.sync_state = "queued"
            log.info("dossier %s validated, version %d queued", dossier.id, dossier.version)
            return dossier.version

    def reopen(self, dossier_id: str, source: str = "desk") -> None:
        """Back to draft for editing; the queued sending is withdrawn."""
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            self._move(session, dossier, "draft", source, "Dossier rouvert pour modification")
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.dossier_id == dossier.id, OutboxItem.state == "pending")
                .values(state="withdrawn")
            )
            dossier.sync_state = "local"

    def set_status(
        self, dossier_id: str, to_status: str, source: str = "desk", message: str = ""
    ) -> None:
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            self._move(session, dossier, to_status, source, message)

    def archive(self, dossier_id: str, archived: bool = True, source: str = "desk") -> None:
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            dossier.archived_at = utcnow() if archived else None
            session.add(
                StatusEvent(
                    dossier=dossier,
                    from_status=dossier.status,
                    to_status=dossier.status,
                    source=source,
                    message="Dossier archivé" if archived else "Dossier sorti des archives",
                )
            )

    @staticmethod
    def _move(
        session: Session, dossier: Dossier, to_status: str, source: str, message: str
    ) -> None:
        try:
            lifecycle.check_transition(dossier.status, to_status)
        except lifecycle.TransitionError as exc:
            raise BadInput(str(exc)) from None
        session.add(
            StatusEvent(
                dossier=dossier,
                from_status=dossier.status,
                to_status=to_status,
                source=source,
                message=message,
            )
        )
        dossier.status = to_status
        dossier.updated_at = utcnow()

    def open_duplicates(
        self, birth_name: str, given_names: list[str], birth_date: str | None
    ) -> list[DossierRow]:
        """Open dossiers of the same person (same names and birth date, any accents/case)."""
        if not birth_name or not birth_date:
            return []
        wanted = (fold(birth_name), fold(" ".join(given_names)))
        final = [s.id for s in lifecycle.STATUSES.values() if s.final]
        with self.db.transaction() as session:
            candidates: list[Any] = list(
                session.execute(
                    select(Dossier.id, Applicant.birth_name, Applicant.given_names)
                    .join(Applicant, Dossier.applicant_id == Applicant.id)
                    .where(Applicant.birth_date == birth_date)
                    .where(Dossier.status.not_in(final))
                    .where(Dossier.archived_at.is_(None))
                )
            )
        ids = {
            c.id
            for c in candidates
            if (fold(c.birth_name), fold(" ".join(c.given_names or []))) == wanted
        }
        return self.dossiers.list(ids=ids) if ids else []
