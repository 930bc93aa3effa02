"""Record sheets: the kit's data sheet (what to type into the ANTS form, in its order) and the
dossier summary kept by the school (all data, the pieces with their verdicts, the history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fpdf.enums import XPos, YPos

from permis_desktop.outputs.ants_form import FormStep, form_steps
from permis_desktop.outputs.pdfbase import (
    FAMILY,
    GREY,
    LIGHT,
    Document,
    SchoolInfo,
    clean,
    long_date,
    short_date,
)
from permis_desktop.procedures.catalog import PIECE_KINDS
from permis_desktop.procedures.lifecycle import STATUSES

if TYPE_CHECKING:
    from permis_desktop.procedures.checklist import Checklist

VERDICTS = {
    "provided": "Fournie",
    "missing": "Manquante",
    "expired": "Périmée",
    "too_old": "Trop ancienne",
}
PAGE_VERDICTS = {
    "ok": "correcte",
    "blurry": "floue",
    "glare": "reflet",
    "dark": "sombre",
    "overexposed": "surexposée",
    "cut_off": "coupée",
    "too_small": "résolution insuffisante",
    "blank": "blanche",
}


def _applicant_name(facts: dict[str, Any]) -> str:
    a = facts.get("applicant") or {}
    surname = (a.get("usage_name") or a.get("birth_name") or "").upper()
    return " ".join(p for p in (surname, " ".join(a.get("given_names") or [])) if p) or "(sans nom)"


def _steps(doc: Document, steps: Sequence[FormStep], with_pieces_step: bool = True) -> None:
    for step_no, step in enumerate(steps, start=1):
        if step.id == "pieces" and not with_pieces_step:
            continue
        doc.heading(f"{step_no}. {step.title}")
        if step.id == "pieces":
            if not step.pieces:
                doc.paragraph("Aucune pièce.")
            for piece in step.pieces:
                doc.rows(
                    [(f"{piece.position}. {piece.label}", piece.filename or piece.note)],
                    label_width=75,
                )
            continue
        if not step.fields:
            doc.paragraph("—")
        doc.rows([(f.label, f.text) for f in step.fields], label_width=70)


def datasheet_pdf(
    facts: dict[str, Any],
    school: SchoolInfo,
    on: dt.date,
    *,
    dossier_id: str,
    files: dict[str, str],
) -> bytes:
    """The data sheet of the kit: every field in the order of the ANTS form."""
    doc = Document("Fiche de saisie ANTS", school, on)
    doc.add_page()
    doc.title_block(
        "Fiche de saisie ANTS",
        f"{_applicant_name(facts)} – dossier {dossier_id[:8]} – données validées, dans l'ordre "
        "du formulaire en ligne",
    )
    _steps(doc, form_steps(facts, school, files))
    return doc.render()


@dataclass(frozen=True)
class SummaryInput:
    """Everything the summary prints; the services fill it (plain data, no session)."""

    detail: Any  # services.dossiers.DossierDetail
    checklist: Checklist | None
    documents: Sequence[Any] = ()  # services.papers.AntsDocumentInfo
    filing: Any = None  # services.papers.FilingInfo
    mandate: Any = None  # services.papers.MandateInfo


def dossier_summary_pdf(data: SummaryInput, school: SchoolInfo, on: dt.date) -> bytes:
    """Récapitulatif du dossier, for the school's records."""
    detail = data.detail
    facts = detail.facts
    status = STATUSES.get(detail.status)
    doc = Document("Récapitulatif du dossier", school, on)
    doc.add_page()
    doc.title_block(
        "Récapitulatif du dossier",
        f"{_applicant_name(facts)} – établi le {long_date(on)}",
    )
    rows = [
        ("Dossier", detail.id),
        ("Statut", status.label if status else detail.status),
        ("Version", str(detail.version)),
        ("Créé le", short_date(detail.created_at.date())),
        ("Modifié le", short_date(detail.updated_at.date())),
    ]
    if data.filing is not None and data.filing.request_number:
        rows.append(
            (
                "Demande ANTS",
                f"n° {data.filing.request_number}, déposée le {short_date(data.filing.filed_on)}",
            )
        )
    if data.mandate is not None and data.mandate.requested:
        signed = (
            f"signé le {short_date(data.mandate.signed_on)}, à conserver jusqu'au "
            f"{short_date(data.mandate.keep_until)}"
            if data.mandate.signed_on
            else "pas encore signé"
        )
        rows.append(("Mandat papier", signed))
    doc.rows(rows, label_width=40)
    if data.mandate is not None and data.mandate.warning and data.mandate.requested:
        doc.notice(data.mandate.warning)
    files = {p.kind: "" for p in detail.pieces}
    _steps(doc, [s for s in form_steps(facts, school, files) if s.id != "pieces"])
    _pieces(doc, data)
    if data.checklist is not None and (data.checklist.problems or data.checklist.warnings):
        doc.heading("Points à vérifier")
        for problem in data.checklist.problems:
            doc.paragraph(f"•  {problem.message}")
        for warning in data.checklist.warnings:
            doc.paragraph(f"•  {warning.message}", size=doc.base_size - 0.5)
    if data.documents:
        doc.heading("Documents de l'ANTS")
        doc.rows(
            [
                (
                    d.label,
                    (f"du {short_date(d.issued_on)}" if d.issued_on else "date inconnue")
                    + f" – {d.filename} ({d.pages} page(s))",
                )
                for d in data.documents
            ],
            label_width=70,
        )
    if detail.history:
        doc.heading("Historique")
        for event in detail.history:
            when = event.at.strftime("%d/%m/%Y %H:%M")
            label = STATUSES[event.to_status].label if event.to_status in STATUSES else ""
            text = event.message or label
            if event.from_status != event.to_status and label and event.message:
                text = f"{label} – {event.message}"
            doc.rows([(when, text)], label_width=35)
    return doc.render()


def _pieces(doc: Document, data: SummaryInput) -> None:
    detail = data.detail
    doc.heading("Pièces justificatives")
    stored = {p.kind: p for p in detail.pieces}
    lines = list(data.checklist.pieces) if data.checklist is not None else []
    kinds = [line.kind for line in lines] + [k for k in stored if k not in {x.kind for x in lines}]
    if not kinds:
        doc.paragraph("Aucune pièce.")
        return
    widths = (62, 26, 18, doc.epw - 106)
    if doc.will_page_break(doc.line_height() * 5):  # keep the header with a first row
        doc.add_page()
    _table_row(doc, ("Pièce", "Verdict", "Pages", "Détail"), widths, header=True)
    for kind in kinds:
        line = next((x for x in lines if x.kind == kind), None)
        piece = stored.get(kind)
        label = line.label if line else (PIECE_KINDS[kind].label if kind in PIECE_KINDS else kind)
        if line is not None and not line.required:
            label += " (facultative)"
        verdict = VERDICTS.get(line.status, line.status) if line else "Non demandée"
        pages = piece.pages if piece else []
        page_verdicts = [
            PAGE_VERDICTS.get(str(pg.params.get("verdict")), str(pg.params.get("verdict")))
            for pg in pages
            if pg.params.get("verdict")
        ]
        detail_parts = []
        if line is not None and line.detail:
            detail_parts.append(line.detail)
        if piece is not None and piece.issued:
            detail_parts.append(f"du {short_date(piece.issued)}")
        if piece is not None and piece.expires:
            detail_parts.append(f"valable jusqu'au {short_date(piece.expires)}")
        if page_verdicts:
            detail_parts.append("pages : " + ", ".join(page_verdicts))
        _table_row(
            doc,
            (label, verdict, str(len(pages)) if pages else "—", "; ".join(detail_parts)),
            widths,
        )


def _table_row(
    doc: Document, cells: Sequence[str], widths: Sequence[float], header: bool = False
) -> None:
    lh = doc.line_height() - 0.3
    size = doc.base_size - 1
    doc.set_font(FAMILY, "B" if header else "", size)
    # Height of the row: the tallest wrapped cell.
    heights = [
        len(doc.multi_cell(w, lh, clean(text) or "—", dry_run=True, output="LINES")) * lh
        for text, w in zip(cells, widths, strict=True)
    ]
    height = max(heights) + 1.5
    if doc.will_page_break(height):
        doc.add_page()
    y = doc.get_y()
    x = doc.l_margin
    if header:
        doc.set_fill_color(*LIGHT)
        doc.rect(x, y, sum(widths), height, style="F")
    for text, w in zip(cells, widths, strict=True):
        doc.set_xy(x, y + 0.75)
        doc.multi_cell(w - 1, lh, clean(text) or "—", align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        x += w
    doc.set_draw_color(*GREY)
    doc.line(doc.l_margin, y + height, doc.l_margin + sum(widths), y + height)
    doc.set_y(y + height)
    doc.set_font(FAMILY, "", doc.base_size)
