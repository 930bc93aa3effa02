"""PieceService.attach_files: originals kept, processed pages derived, one transaction."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import first_sample, mc, text_pdf
from pypdf import PdfReader

from permis_desktop.errors import BadInput
from permis_desktop.models.blobstore import sha256_bytes
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.pieces import PieceService

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"


def _dossier(desk) -> str:
    return DossierService(desk.db).create(
        {
            "procedure": "exam_registration_first",
            "categories": ["B"],
            "applicant": {
                "birth_name": "DURAND",
                "given_names": ["Léa"],
                "birth_date": "2006-02-03",
            },
        }
    )


def test_card_sides_attached_one_at_a_time_end_on_one_page(desk, tmp_path):
    dossier_id = _dossier(desk)
    before = DossierService(desk.db).get(dossier_id).version
    recto = tmp_path / "recto.jpg"
    shutil.copy(FIXTURES / "card-photo.jpg", recto)
    verso_sample = next(
        s
        for s in mc.generate(9, 40, scan_share=0.0, conditions=("ok",), kinds=("identity",))
        if s.side == "verso"
    )
    verso = mc.save_jpeg(verso_sample, tmp_path / "verso.jpg")
    service = PieceService(desk)
    calls: list[tuple[int, int]] = []
    first = service.attach_files(
        dossier_id, "identity", [recto], progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (2, 2)
    assert first.status == "provided" and len(first.pages) == 1
    second = service.attach_files(dossier_id, "identity", [verso])
    assert [p.position for p in second.pages] == [0, 1]
    # Both sides point to the same processed page (recto/verso on one sheet).
    assert second.pages[0].processed_sha256 == second.pages[1].processed_sha256
    assert second.pages[0].processed_sha256 != first.pages[0].processed_sha256
    # The recto was re-derived from its stored original and parameters, not recaptured.
    assert second.pages[0].original_sha256 == sha256_bytes(recto.read_bytes())
    assert second.pages[0].params["corners"] == first.pages[0].params["corners"]
    assert desk.blobs.get(second.pages[0].original_sha256) == recto.read_bytes()
    processed = service.processed_bytes(second.pages[0].id)
    assert processed[:2] == b"\xff\xd8" and len(processed) <= 500_000
    detail = DossierService(desk.db).get(dossier_id)
    piece = next(p for p in detail.pieces if p.kind == "identity")
    assert piece.status == "provided"
    assert [pg.params["verdict"] for pg in piece.pages] == [p.verdict for p in second.pages]
    for key in ("corners", "rotation", "filter", "verdict", "reasons", "dpi", "bytes"):
        assert key in piece.pages[0].params
    assert detail.version == before + 2


def test_degraded_page_keeps_its_verdict_until_accepted(desk, tmp_path):
    dossier_id = _dossier(desk)
    sample = first_sample(3, kind="proof_of_address", condition="blurry")
    path = mc.save_jpeg(sample, tmp_path / "facture.jpg")
    service = PieceService(desk)
    result = service.attach_files(dossier_id, "proof_of_address", [path])
    assert result.pages[0].verdict == "blurry"
    service.accept_page(result.pages[0].id)
    page = DossierService(desk.db).get(dossier_id).pieces[0].pages[0]
    assert page.params["accepted"] is True and page.params["verdict"] == "blurry"


def test_born_digital_pdf_is_stored_as_a_pdf_page(desk, tmp_path):
    dossier_id = _dossier(desk)
    ebill = tmp_path / "facture.pdf"
    ebill.write_bytes(text_pdf(["Facture electricite"], pages=2))
    result = PieceService(desk).attach_files(dossier_id, "proof_of_address", [ebill])
    assert len(result.pages) == 2
    assert all(p.params["vector"] for p in result.pages)
    assert result.pages[0].original_sha256 == result.pages[1].original_sha256
    data = desk.blobs.get(result.pages[1].processed_sha256)
    assert data.startswith(b"%PDF")
    assert "page 2" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_bad_input_changes_nothing(desk, tmp_path):
    dossier_id = _dossier(desk)
    version = DossierService(desk.db).get(dossier_id).version
    junk = tmp_path / "scan.jpg"
    junk.write_bytes(b"not an image" * 20)
    with pytest.raises(BadInput):
        PieceService(desk).attach_files(dossier_id, "proof_of_address", [junk])
    with pytest.raises(BadInput):
        PieceService(desk).attach_files(dossier_id, "nonsense", [FIXTURES / "card-photo.jpg"])
    with pytest.raises(BadInput):
        PieceService(desk).attach_files("does-not-exist", "identity", [FIXTURES / "card-photo.jpg"])
    detail = DossierService(desk.db).get(dossier_id)
    assert detail.version == version
    assert all(not p.pages for p in detail.pieces)
