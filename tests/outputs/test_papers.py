"""ANTS documents, filing and the mandate's signature and retention (real store, real PDFs)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from permis_desktop.errors import BadInput
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.papers import PapersService
from permis_desktop.services.workflow import WorkflowService
from tests.outputs.conftest import ADULT_B, HOSTED_MINOR, TODAY, facts, pdf_bytes
from tests.outputs.test_outputs_pure import ATTESTATION_LINES, RECEIPT_LINES


def test_import_stores_lists_and_shows_the_receipt(papers: PapersService, ready_dossier) -> None:
    before = papers.receipt_status(ready_dossier)
    assert before.applies and not before.present
    assert "ne peut pas encore conduire" in before.message
    data = pdf_bytes(RECEIPT_LINES)
    doc = papers.import_document(ready_dossier, data, "recepisse.pdf")
    assert (doc.kind, doc.issued_on, doc.pages) == ("receipt", dt.date(2026, 11, 25), 1)
    assert doc.label == "Récépissé de dépôt" and not doc.duplex_required
    assert papers.document_bytes(doc.id) == data
    listed = papers.documents(ready_dossier)
    assert [d.id for d in listed] == [doc.id]
    after = papers.receipt_status(ready_dossier)
    assert after.present and after.document is not None and after.document.id == doc.id
    assert "25/11/2026" in after.message and "voie publique" in after.message
    # Importing the same file again keeps one entry.
    assert papers.import_document(ready_dossier, data, "copie.pdf").id == doc.id
    assert len(papers.documents(ready_dossier)) == 1
    history = DossierService(papers.db).get(ready_dossier).history
    assert history[-1].message == "Document ANTS importé : Récépissé de dépôt du 25/11/2026"


def test_attestation_is_marked_for_duplex_printing(
    papers: PapersService, ready_dossier, tmp_path
) -> None:
    source = tmp_path / "attestation.pdf"
    source.write_bytes(pdf_bytes(ATTESTATION_LINES, pages=2))
    doc = papers.import_document(ready_dossier, source)
    assert doc.kind == "registration_attestation" and doc.duplex_required
    assert doc.pages == 2 and doc.filename == "attestation.pdf"
    assert doc.recognised["neph"] == "123456789012"
    assert len(PdfReader(io.BytesIO(papers.document_bytes(doc.id))).pages) == 2


def test_user_corrects_the_kind_and_date_of_a_scanned_document(papers, ready_dossier) -> None:
    doc = papers.import_document(ready_dossier, pdf_bytes(["Scan sans titre"]), "scan.pdf")
    assert doc.kind == "other"
    fixed = papers.update_document(doc.id, kind="receipt", issued_on=dt.date(2026, 11, 20))
    assert (fixed.kind, fixed.issued_on, fixed.recognised["by"]) == (
        "receipt",
        dt.date(2026, 11, 20),
        "user",
    )
    assert papers.receipt_status(ready_dossier).present
    with pytest.raises(BadInput, match="inconnu"):
        papers.update_document(doc.id, kind="passport")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not a pdf", "n'est pas un PDF"),
        (b"%PDF-1.7\n1 0 obj <<>> garbage", "endommagé"),
    ],
)
def test_bad_files_are_refused_in_french(papers, ready_dossier, data, message) -> None:
    with pytest.raises(BadInput, match=message):
        papers.import_document(ready_dossier, data, "x.pdf")
    assert papers.documents(ready_dossier) == []


def test_encrypted_pdf_is_refused(papers, ready_dossier) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(RECEIPT_LINES)))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(BadInput, match="mot de passe"):
        papers.import_document(ready_dossier, out.getvalue(), "protege.pdf")


def test_receipt_status_does_not_apply_to_a_licence_request(papers, school) -> None:
    dossier_id = DossierService(school.db).create(
        facts(ADULT_B, procedure="licence_after_exam_first")
    )
    assert not papers.receipt_status(dossier_id).applies


def test_gc_keeps_ants_documents(papers, ready_dossier, paths) -> None:
    from permis_desktop.cli import main

    doc = papers.import_document(ready_dossier, pdf_bytes(RECEIPT_LINES), "r.pdf")
    orphan = papers.blobs.put(b"nobody refers to this")
    assert main(["--data-dir", str(paths.data), "gc"]) == 0
    assert papers.blobs.exists(doc.sha256)
    assert not papers.blobs.exists(orphan)


def test_deleting_the_dossier_deletes_its_ants_documents(papers, ready_dossier) -> None:
    papers.import_document(ready_dossier, pdf_bytes(RECEIPT_LINES), "r.pdf")
    DossierService(papers.db).delete(ready_dossier)
    assert papers.referenced_blobs() == set()


# -- filing ---------------------------------------------------------------------------------


def test_recording_the_request_number_moves_a_ready_dossier_to_submitted(
    papers, ready_dossier
) -> None:
    info = papers.record_filing(ready_dossier, " 24PC1234567 ", dt.date(2026, 11, 25))
    assert (info.request_number, info.filed_on, info.status, info.moved) == (
        "24PC1234567",
        dt.date(2026, 11, 25),
        "submitted",
        True,
    )
    detail = DossierService(papers.db).get(ready_dossier)
    assert detail.status == "submitted"
    last = detail.history[-1]
    assert (last.from_status, last.to_status) == ("ready", "submitted")
    assert "demande n° 24PC1234567" in last.message and "25/11/2026" in last.message
    # A correction later keeps the status and says what it replaced.
    again = papers.record_filing(ready_dossier, "24PC7654321", dt.date(2026, 11, 25))
    assert (again.status, again.moved) == ("submitted", False)
    assert (
        "remplace le n° 24PC1234567"
        in DossierService(papers.db).get(ready_dossier).history[-1].message
    )
    assert papers.filing(ready_dossier).request_number == "24PC7654321"


def test_with_a_sync_server_the_number_is_recorded_without_moving(papers, ready_dossier) -> None:
    papers.settings.set("sync.server_url", "https://agence.example/")
    info = papers.record_filing(ready_dossier, "24PC1234567", dt.date(2026, 11, 26))
    assert (info.status, info.moved) == ("ready", False)
    assert papers.filing(ready_dossier).request_number == "24PC1234567"


def test_filing_is_refused_for_a_draft_a_bad_number_or_a_future_date(papers, school) -> None:
    draft = DossierService(school.db).create(ADULT_B)
    with pytest.raises(BadInput, match="validez-le"):
        papers.record_filing(draft, "24PC1234567", TODAY)
    WorkflowService(school.db, today=TODAY).validate(draft)
    with pytest.raises(BadInput, match="Numéro de demande ANTS invalide"):
        papers.record_filing(draft, "<>", TODAY)
    with pytest.raises(BadInput, match="futur"):
        papers.record_filing(draft, "24PC1234567", TODAY + dt.timedelta(days=1))
    assert papers.filing(draft).status == "ready"


# -- mandate --------------------------------------------------------------------------------


def test_mandate_signature_is_recorded_and_listed_while_retention_runs(papers, school) -> None:
    service = DossierService(school.db)
    signed = service.create(ADULT_B)
    info = papers.record_mandate_signed(signed, dt.date(2026, 6, 1))
    assert (info.signed_on, info.keep_until) == (dt.date(2026, 6, 1), dt.date(2026, 12, 1))
    old = service.create(facts(ADULT_B))
    papers.record_mandate_signed(old, dt.date(2026, 5, 20))  # kept until 20/05/2026 + 6 months
    running = papers.mandates_in_retention()
    assert [m.dossier_id for m in running] == [signed]
    assert running[0].applicant == "MARTIN Léa Éloïse"
    assert [m.dossier_id for m in papers.mandates_in_retention(dt.date(2026, 11, 20))] == [
        old,
        signed,
    ]
    assert service.get(signed).history[-1].message == "Mandat signé le 01/06/2026"
    cleared = papers.record_mandate_signed(signed, None)
    assert cleared.signed_on is None
    assert papers.mandates_in_retention() == []


def test_mandate_signature_is_refused_when_not_allowed_or_not_asked(papers, school) -> None:
    service = DossierService(school.db)
    no_mandate = service.create(facts(ADULT_B, mandate=False))
    with pytest.raises(BadInput, match="sans mandat"):
        papers.record_mandate_signed(no_mandate, TODAY)
    corsica = facts(HOSTED_MINOR, mandate=True)
    dossier_id = service.create(corsica)
    assert "Corse" in (papers.mandate(dossier_id).warning or "")
    with pytest.raises(BadInput, match="Corse"):
        papers.record_mandate_signed(dossier_id, TODAY)
    with pytest.raises(BadInput, match="futur"):
        papers.record_mandate_signed(service.create(ADULT_B), TODAY + dt.timedelta(days=3))


def test_service_pdfs_use_the_school_settings(papers, ready_dossier) -> None:
    for data in (papers.client_checklist_pdf(ready_dossier), papers.mandate_pdf(ready_dossier)):
        reader = PdfReader(io.BytesIO(data))
        text = " ".join(reader.pages[0].extract_text().split())
        assert "Auto-école des Lilas" in text and "MARTIN Léa" in text
    with pytest.raises(BadInput):
        papers.hosting_attestation_pdf(ready_dossier)


def test_summary_lists_data_pieces_verdicts_documents_and_history(papers, ready_dossier) -> None:
    papers.import_document(ready_dossier, pdf_bytes(RECEIPT_LINES), "r.pdf")
    papers.record_filing(ready_dossier, "24PC1234567", dt.date(2026, 11, 25))
    papers.record_mandate_signed(ready_dossier, dt.date(2026, 11, 20))
    reader = PdfReader(io.BytesIO(papers.summary_pdf(ready_dossier)))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Récapitulatif du dossier" in text and "MARTIN Léa Éloïse" in text
    assert "Envoyé" in text  # status label
    assert "n° 24PC1234567, déposée le 25/11/2026" in text
    assert "signé le 20/11/2026" in text and "20/05/2027" in text
    assert "Justificatif d'identité" in text and "Fournie" in text
    assert "correcte" in text  # page verdicts
    assert "Récépissé de dépôt" in text
    assert "Historique" in text and "Dossier validé" in text
    assert "ABCD1234EFGH5678IJKL90" in text  # every datum, e.g. the e-photo code


def test_migration_0004_keeps_dossiers_and_adds_the_filing_fields(tmp_path) -> None:
    import sqlite3

    from alembic import command

    from permis_desktop.models.db import alembic_config, make_engine, open_database

    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    command.upgrade(alembic_config(engine), "0003_wizard_step")
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO applicant (id, birth_name, usage_name, given_names, email, mobile, neph,"
            " under_guardianship, hosted, details) VALUES (1, 'Durand', '', '[]', '', '', '', 0, 0,"
            " '{}')"
        )
        conn.execute(
            "INSERT INTO dossier (id, applicant_id, procedure, categories, status, mandate, data,"
            " search_text, created_at, updated_at, version) VALUES ('d-1', 1,"
            " 'exam_registration_first', '[\"B\"]', 'ready', 1, '{}', 'durand',"
            " '2026-01-01 10:00:00', '2026-01-01 10:00:00', 2)"
        )
    db = open_database(path, tmp_path / "backups")
    try:
        from permis_desktop.models.blobstore import BlobStore

        papers = PapersService(db, BlobStore(tmp_path / "blobs"), today=TODAY)
        assert papers.filing("d-1").request_number == ""
        assert papers.documents("d-1") == []
        assert papers.record_filing("d-1", "24PC0000001", TODAY).status == "submitted"
    finally:
        db.close()


def test_importing_a_missing_file_is_bad_input(papers, ready_dossier, tmp_path) -> None:
    with pytest.raises(BadInput, match="introuvable"):
        papers.import_document(ready_dossier, tmp_path / "absent.pdf")
    with pytest.raises(BadInput, match="Aucun dossier"):
        papers.import_document("inconnu", pdf_bytes(RECEIPT_LINES), "r.pdf")
