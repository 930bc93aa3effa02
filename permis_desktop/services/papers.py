"""Papers and filing: the documents the desk hands out, keeps and files for a dossier.

- ANTS documents: the PDFs ANTS issues (récépissé de dépôt, attestation d'inscription…) are
  imported into the dossier, recognised from their text, stored in the blob store and listed
  with their date. A category B registration shows whether its récépissé is there: with it
  the student may start driving lessons on the road (seed/ leaflet).
- Filing: after typing the request on the ANTS portal the user records the request number
  and the date; a `ready` dossier then moves to `submitted` when it is not synced through
  the agency's server (with a server, the server's feed moves it).
- Mandate: the dossier records that the paper mandate is signed and when; the school keeps
  it at least 6 months (ANTS mandat page, reference/domain-ants.md §0), so the desk lists the
  signed mandates whose retention is still running. No mandate in a regional-tax territory:
  the rules engine's `mandate_not_allowed`.
- Generated PDFs (client checklist, mandate, hosting attestation, summary) and the
  submission kit, from the dossier's stored data.

Every public method is one transaction and returns plain dataclasses or bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.models.blobstore import BlobStore
from permis_desktop.models.db import Database
from permis_desktop.models.entities import (
    AntsDocument,
    Dossier,
    OutboxItem,
    StatusEvent,
    utcnow,
)
from permis_desktop.outputs import ants_documents as recog
from permis_desktop.outputs.pdfbase import SchoolInfo, short_date
from permis_desktop.procedures import lifecycle
from permis_desktop.procedures.dates import add_months
from permis_desktop.services.dossiers import DossierDetail, DossierService

if TYPE_CHECKING:
    from permis_desktop.outputs.ants_form import FormStep
    from permis_desktop.outputs.kit import Kit

log = logging.getLogger(__name__)

MANDATE_RETENTION_MONTHS = 6
_REQUEST_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /.-]{2,39}$")
# Statuses whose data is the validated version (not editable, not cancelled).
KIT_STATUSES = frozenset(
    {
        "ready",
        "submitted",
        "awaiting_applicant",
        "in_review",
        "accepted",
        "title_in_production",
        "title_sent",
        "rejected",
    }
)
# Statuses after filing: recording the number again only corrects it.
_FILED = frozenset(
    {
        "submitted",
        "awaiting_applicant",
        "in_review",
        "complement_requested",
        "accepted",
        "title_in_production",
        "title_sent",
    }
)


@dataclass(frozen=True)
class AntsDocumentInfo:
    id: int
    dossier_id: str
    kind: str
    label: str
    issued_on: dt.date | None
    filename: str
    sha256: str
    size_bytes: int
    pages: int
    imported_at: dt.datetime
    recognised: dict[str, Any]

    @property
    def duplex_required(self) -> bool:
        """Print recto/verso on one sheet (the attestation d'inscription, seed/)."""
        return self.kind in recog.DUPLEX_KINDS

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "filename": self.filename,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "pages": self.pages,
            "imported_at": self.imported_at.isoformat(timespec="seconds") + "Z",
            "duplex_required": self.duplex_required,
            "recognised": self.recognised,
        }


@dataclass(frozen=True)
class ReceiptStatus:
    """For a category B registration: is the récépissé de dépôt in the dossier?"""

    applies: bool
    present: bool
    document: AntsDocumentInfo | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "applies": self.applies,
            "present": self.present,
            "document": self.document.id if self.document else None,
            "message": self.message,
        }


@dataclass(frozen=True)
class FilingInfo:
    request_number: str
    filed_on: dt.date | None
    status: str
    moved: bool = False  # this recording changed the dossier's status

    def to_json(self) -> dict[str, Any]:
        return {
            "request_number": self.request_number,
            "filed_on": self.filed_on.isoformat() if self.filed_on else None,
            "status": self.status,
            "moved": self.moved,
        }


@dataclass(frozen=True)
class MandateInfo:
    requested: bool  # the facts say the school files with a mandate
    signed_on: dt.date | None
    keep_until: dt.date | None
    warning: str | None  # mandate_not_allowed message, when it applies to this applicant

    def to_json(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "keep_until": self.keep_until.isoformat() if self.keep_until else None,
            "warning": self.warning,
        }


@dataclass(frozen=True)
class MandateRetention:
    dossier_id: str
    applicant: str
    status: str
    signed_on: dt.date
    keep_until: dt.date

    def to_json(self) -> dict[str, Any]:
        return {
            "dossier_id": self.dossier_id,
            "applicant": self.applicant,
            "status": self.status,
            "signed_on": self.signed_on.isoformat(),
            "keep_until": self.keep_until.isoformat(),
        }


@dataclass(frozen=True)
class AssistantPiece:
    """A piece to upload on the portal, with its file in the kit (None: nothing to upload or
    no kit exported yet)."""

    position: int
    kind: str
    label: str
    path: Path | None
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "label": self.label,
            "path": str(self.path) if self.path else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class FilingAssistant:
    """What the filing assistant shows beside the dossier: the validated fields in the order
    of the ANTS form (a copy button each), the pieces in order with their kit files, and
    where the filing stands."""

    dossier_id: str
    dossier_version: int
    applicant: str
    steps: tuple[FormStep, ...]
    pieces: tuple[AssistantPiece, ...]
    kit_folder: Path | None
    filing: FilingInfo
    mandate: MandateInfo
    receipt: ReceiptStatus

    def to_json(self) -> dict[str, Any]:
        return {
            "dossier_id": self.dossier_id,
            "dossier_version": self.dossier_version,
            "applicant": self.applicant,
            "steps": [s.to_json() for s in self.steps],
            "pieces": [p.to_json() for p in self.pieces],
            "kit_folder": str(self.kit_folder) if self.kit_folder else None,
            "filing": self.filing.to_json(),
            "mandate": self.mandate.to_json(),
            "receipt": self.receipt.to_json(),
        }


def _label(facts: dict[str, Any]) -> str:
    a = facts.get("applicant") or {}
    surname = a.get("usage_name") or a.get("birth_name") or ""
    return " ".join([surname, *(a.get("given_names") or [])])


def _info(row: AntsDocument) -> AntsDocumentInfo:
    return AntsDocumentInfo(
        id=row.id,
        dossier_id=row.dossier_id,
        kind=row.kind,
        label=recog.KINDS.get(row.kind, row.kind),
        issued_on=row.issued_on,
        filename=row.filename,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        pages=row.pages,
        imported_at=row.imported_at,
        recognised=dict(row.recognised or {}),
    )


def _check_kind(kind: str) -> str:
    if kind not in recog.KINDS:
        raise BadInput(
            f"Type de document ANTS inconnu « {kind} » : choisissez parmi {', '.join(recog.KINDS)}."
        )
    return kind


def category_b_registration(detail: DossierDetail) -> bool:
    procedure = str(detail.facts.get("procedure") or "")
    return procedure.startswith("exam_registration") and "B" in (
        detail.facts.get("categories") or []
    )


class PapersService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        settings: Any = None,
        today: dt.date | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self._today = today
        self.dossiers = DossierService(db)

    @classmethod
    def from_context(cls, ctx: Any, today: dt.date | None = None) -> PapersService:
        return cls(ctx.db, ctx.blobs, ctx.settings, today)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def school(self) -> SchoolInfo:
        return SchoolInfo.from_settings(self.settings) if self.settings else SchoolInfo()

    @property
    def synced_through_server(self) -> bool:
        return bool(self.settings and str(self.settings.get("sync.server_url") or "").strip())

    # -- ANTS documents ----------------------------------------------------------------

    def import_document(
        self,
        dossier_id: str,
        source: Path | bytes,
        filename: str | None = None,
        kind: str | None = None,
    ) -> AntsDocumentInfo:
        """Store an ANTS PDF in the dossier, recognising its kind and date from its text.

        The same file imported twice into a dossier is kept once (the existing entry is
        returned). `kind` forces the kind (the user knows better than the recogniser)."""
        if isinstance(source, Path):
            name = filename or source.name
            try:
                data = source.read_bytes()
            except FileNotFoundError:
                raise BadInput(f"Fichier introuvable : {source}.") from None
            except OSError as exc:
                raise BadInput(f"Impossible de lire {source} : {exc.strerror or exc}.") from None
        else:
            data, name = source, filename or "document-ants.pdf"
        if kind is not None:
            _check_kind(kind)
        content = recog.read_pdf(data, name)
        found = recog.recognise(content.text, today=self.today)
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            sha = self.blobs.put(data)
            existing = session.scalars(
                select(AntsDocument).where(
                    AntsDocument.dossier_id == dossier.id, AntsDocument.sha256 == sha
                )
            ).first()
            if existing is not None:
                log.info("ANTS document %s already in dossier %s", sha[:12], dossier.id)
                return _info(existing)
            row = AntsDocument(
                dossier_id=dossier.id,
                kind=kind or found.kind,
                issued_on=found.issued_on,
                sha256=sha,
                filename=Path(name).name[:255],
                size_bytes=len(data),
                pages=content.pages,
                recognised={**found.to_json(), "by": "user" if kind else "text"},
                imported_at=utcnow(),
            )
            session.add(row)
            label = recog.KINDS.get(row.kind, row.kind)
            dated = f" du {short_date(row.issued_on)}" if row.issued_on else ""
            session.add(
                StatusEvent(
                    dossier=dossier,
                    from_status=dossier.status,
                    to_status=dossier.status,
                    source="desk",
                    message=f"Document ANTS importé : {label}{dated}",
                )
            )
            session.flush()
            log.info(
                "ANTS document %s (%s, %s) imported into dossier %s",
                sha[:12],
                row.kind,
                row.issued_on,
                dossier.id,
            )
            return _info(row)

    def documents(self, dossier_id: str) -> list[AntsDocumentInfo]:
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            rows = session.scalars(
                select(AntsDocument)
                .where(AntsDocument.dossier_id == dossier.id)
                .order_by(AntsDocument.issued_on.is_(None), AntsDocument.issued_on, AntsDocument.id)
            ).all()
            return [_info(r) for r in rows]

    def document(self, document_id: int) -> AntsDocumentInfo:
        with self.db.transaction() as session:
            return _info(self._document(session, document_id))

    def document_bytes(self, document_id: int) -> bytes:
        """The PDF as ANTS issued it (verified against its sha256)."""
        return self.blobs.get(self.document(document_id).sha256)

    def update_document(
        self, document_id: int, kind: str | None = None, issued_on: dt.date | None = None
    ) -> AntsDocumentInfo:
        """Correct what recognition found (kind, date)."""
        with self.db.transaction() as session:
            row = self._document(session, document_id)
            if kind is not None:
                row.kind = _check_kind(kind)
                row.recognised = {**(row.recognised or {}), "by": "user"}
            if issued_on is not None:
                if issued_on > self.today:
                    raise BadInput("La date du document est dans le futur : vérifiez-la.")
                row.issued_on = issued_on
            return _info(row)

    def remove_document(self, document_id: int) -> None:
        """Forget the document; its file goes with the next `permis gc`."""
        with self.db.transaction() as session:
            row = self._document(session, document_id)
            session.delete(row)

    def referenced_blobs(self) -> set[str]:
        with self.db.transaction() as session:
            return set(session.scalars(select(AntsDocument.sha256)))

    @staticmethod
    def _document(session: Any, document_id: int) -> AntsDocument:
        row = session.get(AntsDocument, document_id)
        if row is None:
            raise BadInput(f"Aucun document ANTS ne porte le numéro {document_id}.")
        return row  # type: ignore[no-any-return]

    def receipt_status(self, dossier_id: str) -> ReceiptStatus:
        detail = self.dossiers.get(dossier_id)
        if not category_b_registration(detail):
            return ReceiptStatus(False, False, None, "")
        receipts = [d for d in self.documents(detail.id) if d.kind == recog.RECEIPT]
        if receipts:
            doc = receipts[-1]
            dated = f" du {short_date(doc.issued_on)}" if doc.issued_on else ""
            return ReceiptStatus(
                True,
                True,
                doc,
                f"Récépissé de dépôt{dated} reçu : l'élève peut conduire sur la voie publique "
                "en leçon.",
            )
        return ReceiptStatus(
            True,
            False,
            None,
            "Récépissé de dépôt pas encore importé : l'élève ne peut pas encore conduire sur "
            "la voie publique. Téléchargez-le sur le site de l'ANTS une fois la demande déposée.",
        )

    # -- filing ------------------------------------------------------------------------

    def filing(self, dossier_id: str) -> FilingInfo:
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            return FilingInfo(dossier.ants_request_number, dossier.ants_filed_on, dossier.status)

    def record_filing(
        self,
        dossier_id: str,
        request_number: str,
        filed_on: dt.date | None = None,
        source: str = "desk",
    ) -> FilingInfo:
        """Record the ANTS request number and filing date; a `ready` dossier not synced
        through a server moves to `submitted`."""
        from permis_desktop.services.workflow import WorkflowService

        number = " ".join(request_number.split())
        if not _REQUEST_NUMBER.match(number):
            raise BadInput(
                "Numéro de demande ANTS invalide : recopiez-le tel qu'il apparaît sur le site "
                "(lettres, chiffres et tirets, 3 à 40 caractères)."
            )
        filed_on = filed_on or self.today
        if filed_on > self.today:
            raise BadInput("La date de dépôt est dans le futur : vérifiez-la.")
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            if dossier.status not in _FILED and dossier.status != "ready":
                label = lifecycle.status(dossier.status).label
                raise BadInput(
                    f"Ce dossier est « {label} » : validez-le avant de le déposer sur le site "
                    "de l'ANTS."
                )
            message = f"Déposé sur le site de l'ANTS le {short_date(filed_on)}, demande n° {number}"
            if dossier.ants_request_number and dossier.ants_request_number != number:
                message += f" (remplace le n° {dossier.ants_request_number})"
            dossier.ants_request_number = number
            dossier.ants_filed_on = filed_on
            moved = dossier.status == "ready" and not self.synced_through_server
            if moved:
                WorkflowService._move(session, dossier, "submitted", source, message)
            else:
                session.add(
                    StatusEvent(
                        dossier=dossier,
                        from_status=dossier.status,
                        to_status=dossier.status,
                        source=source,
                        message=message,
                    )
                )
                dossier.updated_at = utcnow()
            log.info("dossier %s filed on ANTS as %s (%s)", dossier.id, number, filed_on)
            return FilingInfo(number, filed_on, dossier.status, moved)

    # -- mandate -----------------------------------------------------------------------

    def mandate(self, dossier_id: str) -> MandateInfo:
        from permis_desktop.outputs.client import mandate_warning

        detail = self.dossiers.get(dossier_id)
        with self.db.transaction() as session:
            signed = self.dossiers._load(session, detail.id).mandate_signed_on
        return MandateInfo(
            requested=bool(detail.facts.get("mandate")),
            signed_on=signed,
            keep_until=add_months(signed, MANDATE_RETENTION_MONTHS) if signed else None,
            warning=mandate_warning(detail.facts, self.today),
        )

    def record_mandate_signed(
        self, dossier_id: str, signed_on: dt.date | None, source: str = "desk"
    ) -> MandateInfo:
        """Record the signature date of the paper mandate (None: not signed after all)."""
        info = self.mandate(dossier_id)
        if signed_on is not None:
            if not info.requested:
                raise BadInput(
                    "Ce dossier est sans mandat papier : cochez « mandat » dans le dossier "
                    "avant d'enregistrer la signature."
                )
            if info.warning:
                raise BadInput(info.warning)
            if signed_on > self.today:
                raise BadInput("La date de signature du mandat est dans le futur : vérifiez-la.")
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            dossier.mandate_signed_on = signed_on
            session.add(
                StatusEvent(
                    dossier=dossier,
                    from_status=dossier.status,
                    to_status=dossier.status,
                    source=source,
                    message=(
                        f"Mandat signé le {short_date(signed_on)}"
                        if signed_on
                        else "Signature du mandat annulée"
                    ),
                )
            )
        return self.mandate(dossier_id)

    def mandates_in_retention(self, on: dt.date | None = None) -> list[MandateRetention]:
        """Signed mandates the school must still keep on `on` (signature + 6 months),
        the ones to keep the shortest first."""
        on = on or self.today
        earliest = add_months(on, -MANDATE_RETENTION_MONTHS)
        with self.db.transaction() as session:
            rows = session.execute(
                select(
                    Dossier.id, Dossier.applicant_label, Dossier.status, Dossier.mandate_signed_on
                )
                .where(Dossier.mandate_signed_on.is_not(None))
                .where(Dossier.mandate_signed_on >= earliest)
                .order_by(Dossier.mandate_signed_on, Dossier.id)
            ).all()
        out = []
        for row in rows:
            keep = add_months(row.mandate_signed_on, MANDATE_RETENTION_MONTHS)
            if keep >= on:
                out.append(
                    MandateRetention(
                        row.id, row.applicant_label, row.status, row.mandate_signed_on, keep
                    )
                )
        return out

    # -- generated documents -----------------------------------------------------------

    def client_checklist_pdf(self, dossier_id: str) -> bytes:
        from permis_desktop.outputs.client import client_checklist_pdf

        return client_checklist_pdf(
            self.dossiers.get(dossier_id).facts, self.school, self.today, self._rule_options()
        )

    def mandate_pdf(self, dossier_id: str) -> bytes:
        from permis_desktop.outputs.client import mandate_pdf

        return mandate_pdf(self.dossiers.get(dossier_id).facts, self.school, self.today)

    def hosting_attestation_pdf(self, dossier_id: str) -> bytes:
        from permis_desktop.outputs.client import hosting_attestation_pdf

        return hosting_attestation_pdf(self.dossiers.get(dossier_id).facts, self.school, self.today)

    def hosting_needed(self, dossier_id: str) -> bool:
        """Whether the hosting attestation applies (hosted applicant or minor)."""
        from permis_desktop.outputs.client import hosting_needed

        return hosting_needed(self.dossiers.get(dossier_id).facts, self.today)

    def summary_pdf(self, dossier_id: str) -> bytes:
        from permis_desktop.outputs.sheets import SummaryInput, dossier_summary_pdf
        from permis_desktop.procedures.checklist import evaluate
        from permis_desktop.procedures.facts import FactsError

        detail = self.dossiers.get(dossier_id)
        try:
            checklist = evaluate(detail.facts, today=self.today, options=self._rule_options())
        except FactsError:
            checklist = None
        return dossier_summary_pdf(
            SummaryInput(
                detail=detail,
                checklist=checklist,
                documents=self.documents(detail.id),
                filing=self.filing(detail.id),
                mandate=self.mandate(detail.id) if checklist is not None else None,
            ),
            self.school,
            self.today,
        )

    # -- submission kit ---------------------------------------------------------------

    def export_kit(self, dossier_id: str, target_dir: Path) -> Kit:
        """Write the submission kit of a validated dossier into `target_dir` (folder + zip).

        Refused (OperationFailed, exit 1) unless the dossier is at least `ready` and nothing
        changed since it was validated: the kit is made from the validated version only."""
        from permis_desktop.outputs import kit as kitmod
        from permis_desktop.procedures.checklist import evaluate

        detail, validated_on = self._validated(dossier_id)
        checklist = evaluate(detail.facts, today=validated_on, options=self._rule_options())
        card_kb, a4_kb = self._budgets()
        content, warnings = kitmod.assemble_kit(
            detail,
            checklist,
            self.blobs.get,
            card_kb=card_kb,
            a4_kb=a4_kb,
            school=self.school,
            on=self.today,
        )
        slug = kitmod.kit_slug(_label(detail.facts), detail.id)
        kit = kitmod.write_kit(
            Path(target_dir),
            slug,
            content,
            dossier_id=detail.id,
            dossier_version=detail.version,
            on=self.today,
            warnings=warnings,
        )
        log.info("kit of dossier %s v%d written to %s", detail.id, detail.version, kit.folder)
        return kit

    def filing_assistant(self, dossier_id: str, kit: Kit | None = None) -> FilingAssistant:
        """The filing assistant's content for a validated dossier (OperationFailed for a
        draft or a dossier changed since validation, as for the kit). Pass the `Kit` from
        `export_kit` to get each piece's file path."""
        from permis_desktop.outputs.ants_form import form_steps

        detail, _ = self._validated(dossier_id)
        files = {f.kind: f.filename for f in kit.files} if kit is not None else {}
        steps = tuple(form_steps(detail.facts, self.school, files))
        pieces_step = next(s for s in steps if s.id == "pieces")
        pieces = tuple(
            AssistantPiece(
                p.position,
                p.kind,
                p.label,
                kit.folder / p.filename if kit is not None and p.filename else None,
                p.note,
            )
            for p in pieces_step.pieces
        )
        return FilingAssistant(
            dossier_id=detail.id,
            dossier_version=detail.version,
            applicant=_label(detail.facts),
            steps=steps,
            pieces=pieces,
            kit_folder=kit.folder if kit is not None else None,
            filing=self.filing(detail.id),
            mandate=self.mandate(detail.id),
            receipt=self.receipt_status(detail.id),
        )

    def _validated(self, dossier_id: str) -> tuple[DossierDetail, dt.date]:
        """The dossier as validated, and the validation day; OperationFailed otherwise."""
        with self.db.transaction() as session:
            dossier = self.dossiers._load(session, dossier_id)
            if dossier.status not in KIT_STATUSES:
                label = lifecycle.status(dossier.status).label
                raise OperationFailed(
                    f"Le dossier est « {label} » : validez-le avant de préparer le kit de dépôt "
                    "(le kit ne contient que des données validées)."
                )
            item = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.dossier_id == dossier.id)
                .where(OutboxItem.state != "withdrawn")
                .order_by(OutboxItem.id.desc())
                .limit(1)
            ).first()
            if item is None:
                raise OperationFailed(
                    "Ce dossier n'a jamais été validé : validez-le avant de préparer le kit."
                )
            changed = item.dossier_version != dossier.version or any(
                piece.updated_at > item.created_at
                or any(page.created_at > item.created_at for page in piece.pages)
                for piece in dossier.pieces
            )
            if changed:
                raise OperationFailed(
                    "Le dossier a été modifié depuis sa validation : validez-le à nouveau "
                    "avant de préparer le kit."
                )
            return self.dossiers._detail(dossier), item.created_at.date()

    def _budgets(self) -> tuple[int, int]:
        if self.settings is None:
            return 500, 300
        return (
            int(self.settings.get("capture.budget_card_kb")),
            int(self.settings.get("capture.budget_a4_kb")),
        )

    def _rule_options(self) -> Any:
        from permis_desktop.procedures.checklist import RuleOptions

        if self.settings is None:
            return RuleOptions()
        return RuleOptions(photo_code_length=int(self.settings.get("rules.photo_code_length")))


__all__ = [
    "AntsDocumentInfo",
    "AssistantPiece",
    "FilingAssistant",
    "FilingInfo",
    "MandateInfo",
    "MandateRetention",
    "PapersService",
    "ReceiptStatus",
]
