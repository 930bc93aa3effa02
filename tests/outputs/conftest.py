"""Fixtures for papers and filing: a school, dossiers with real page files, real PDFs."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image

TODAY = dt.date(2026, 11, 27)

SCHOOL = {
    "school.name": "Auto-école des Lilas",
    "school.address": "12 avenue Jean Jaurès, 69007 Lyon",
    "school.phone": "04 78 00 00 00",
    "school.email": "contact@ecole-lilas.fr",
    "school.approval_number": "E1206900010",
}

ADULT_B: dict[str, Any] = {
    "procedure": "exam_registration_first",
    "categories": ["B"],
    "training_mode": "traditional",
    "mandate": True,
    "applicant": {
        "sex": "F",
        "birth_name": "Martin",
        "given_names": ["Léa", "Éloïse"],
        "birth_date": "1996-05-14",
        "nationality": "FRA",
        "email": "lea@example.fr",
        "mobile": "0612345678",
        "birth_place": {"commune": "Lyon", "insee": "69123", "country": "FRA"},
        "address": {
            "line1": "3 rue des Lilas",
            "line2": "Bâtiment B",
            "postal_code": "69003",
            "city": "Lyon",
            "country": "FRA",
        },
    },
    "photo_signature": {"code": "ABCD1234EFGH5678IJKL90", "taken": "2026-11-01"},
    "pieces": [
        {"kind": "identity", "document_type": "cni", "expires": "2031-01-01"},
        {"kind": "proof_of_address", "document_type": "bill", "issued": "2026-10-15"},
        {"kind": "photo_signature"},
    ],
}

# A hosted minor in Corsica: many pieces missing, mandate not allowed (regional tax).
HOSTED_MINOR: dict[str, Any] = {
    "procedure": "exam_registration_first",
    "categories": ["B"],
    "training_mode": "accompanied",
    "mandate": False,
    "applicant": {
        "sex": "M",
        "birth_name": "Rossi",
        "given_names": ["Ange-Mathieu"],
        "birth_date": "2010-02-03",
        "nationality": "FRA",
        "hosted": True,
        "address": {"line1": "8 cours Napoléon", "postal_code": "20000", "city": "Ajaccio"},
    },
    "legal_representative": {
        "sex": "F",
        "birth_name": "Rossi",
        "given_names": ["Maria"],
        "quality": "mère",
        "email": "maria@example.fr",
    },
    "host": {
        "sex": "M",
        "birth_name": "Santoni",
        "given_names": ["Jean"],
        "birth_date": "1958-07-21",
    },
}


def facts(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.update(changes)
    return out


def jpeg_bytes(width: int, height: int, dpi: int = 200, colour=(180, 120, 60)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 7):  # some texture so the JPEG is not trivially small
        for y in range(0, height, 11):
            image.putpixel((x, y), (x % 255, y % 255, (x * y) % 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, dpi=(dpi, dpi))
    return buffer.getvalue()


def pdf_bytes(lines: list[str], pages: int = 1) -> bytes:
    """A real text PDF, as ANTS or a scanner might produce it."""
    from fpdf import FPDF

    from permis_desktop.resources.fonts import REGULAR

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(REGULAR))
    for number in range(pages):
        pdf.add_page()
        pdf.set_font("DejaVu", "", 12)
        for line in lines:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        if pages > 1:
            pdf.multi_cell(0, 7, f"Page {number + 1}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def add_pages(
    desk, dossier_id: str, kind: str, blobs: list[bytes], params: dict | None = None
) -> None:
    """Attach already-processed pages to a piece, as the capture pipeline leaves them."""
    from permis_desktop.models.entities import Dossier, Page, Piece, utcnow

    with desk.db.transaction() as session:
        dossier = session.get(Dossier, dossier_id)
        piece = next((p for p in dossier.pieces if p.kind == kind), None)
        if piece is None:
            piece = Piece(kind=kind, status="provided")
            dossier.pieces.append(piece)
        piece.status = "provided"
        piece.updated_at = utcnow()
        for position, data in enumerate(blobs):
            sha = desk.blobs.put(data)
            piece.pages.append(
                Page(
                    position=position,
                    original_sha256=sha,
                    processed_sha256=sha,
                    params={"verdict": "ok", "reasons": [], **(params or {})},
                )
            )


@pytest.fixture
def school(desk):
    for key, value in SCHOOL.items():
        desk.settings.set(key, value)
    return desk


@pytest.fixture
def papers(school):
    from permis_desktop.services.papers import PapersService

    return PapersService.from_context(school, today=TODAY)


@pytest.fixture
def ready_dossier(school) -> str:
    """A validated category B registration with real page files for its two pieces."""
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.services.workflow import WorkflowService

    dossier_id = DossierService(school.db).create(ADULT_B)
    add_pages(school, dossier_id, "identity", [jpeg_bytes(1011, 638, dpi=300)], {"output_dpi": 300})
    add_pages(
        school,
        dossier_id,
        "proof_of_address",
        [jpeg_bytes(827, 1169, dpi=100), pdf_bytes(["Facture d'électricité", "Page 2"])],
        {"output_dpi": 100},
    )
    WorkflowService(school.db, today=TODAY).validate(dossier_id)
    return dossier_id
