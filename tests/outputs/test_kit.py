"""The submission kit: ordered files within budget, the data sheet, validated data only."""

from __future__ import annotations

import json
import zipfile

import pytest
from pypdf import PdfReader

from permis_desktop.cli import main
from permis_desktop.errors import OperationFailed
from permis_desktop.outputs.ants_form import facts_from_datasheet
from permis_desktop.procedures.facts import facts_to_json, parse_facts
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.workflow import WorkflowService
from tests.outputs.conftest import ADULT_B, TODAY, add_pages, jpeg_bytes, pdf_bytes


def _text(path) -> str:
    reader = PdfReader(str(path))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_kit_has_each_piece_as_one_file_in_form_order(papers, ready_dossier, tmp_path) -> None:
    kit = papers.export_kit(ready_dossier, tmp_path / "kits")
    names = sorted(p.name for p in kit.folder.iterdir())
    assert names == [
        "00-fiche-de-saisie.json",
        "00-fiche-de-saisie.pdf",
        "01-justificatif-identite.pdf",
        "02-justificatif-domicile.pdf",
    ]
    assert [f.filename for f in kit.files] == names[2:]
    assert [(f.kind, f.pages) for f in kit.files] == [("identity", 1), ("proof_of_address", 2)]
    for entry in kit.files:
        size = (kit.folder / entry.filename).stat().st_size
        assert size == entry.size_bytes and entry.within_budget
        assert len(PdfReader(str(kit.folder / entry.filename)).pages) == entry.pages
    assert kit.warnings == ()
    assert kit.folder.name.startswith("kit-martin-lea-eloise-")
    with zipfile.ZipFile(kit.zip_path) as archive:
        assert sorted(archive.namelist()) == names
        for name in names:
            assert archive.read(name) == (kit.folder / name).read_bytes()


def test_jpeg_pages_are_embedded_without_re_encoding(papers, ready_dossier, tmp_path) -> None:
    detail = DossierService(papers.db).get(ready_dossier)
    identity = next(p for p in detail.pieces if p.kind == "identity")
    blob = papers.blobs.get(identity.pages[0].processed_sha256)
    kit = papers.export_kit(ready_dossier, tmp_path)
    page = PdfReader(str(kit.folder / "01-justificatif-identite.pdf")).pages[0]
    images = [o.get_object() for o in page["/Resources"]["/XObject"].values()]
    assert images[0]["/Filter"] == "/DCTDecode"
    assert images[0]._data == blob
    # A card is placed at true size (1011 px at 300 dpi = 85.6 mm) on an A4 sheet, like a
    # photocopy, as the capture pipeline lays it out.
    assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
    content = page.get_contents().get_data().decode()
    assert f"{1011 / 300 * 72:.3f} 0 0" in content


def test_card_sides_sharing_one_processed_page_appear_once(papers, school, tmp_path) -> None:
    dossier_id = DossierService(school.db).create(ADULT_B)
    composed = jpeg_bytes(1011, 1276, dpi=300)
    add_pages(school, dossier_id, "identity", [composed, composed])  # recto + verso rows
    add_pages(school, dossier_id, "proof_of_address", [jpeg_bytes(400, 560, dpi=50)])
    WorkflowService(school.db, today=TODAY).validate(dossier_id)
    kit = papers.export_kit(dossier_id, tmp_path)
    assert kit.files[0].pages == 1


def test_datasheet_json_round_trips_to_the_same_facts(papers, ready_dossier, tmp_path) -> None:
    kit = papers.export_kit(ready_dossier, tmp_path)
    sheet = json.loads(kit.datasheet_json.read_text(encoding="utf-8"))
    stored = DossierService(papers.db).get(ready_dossier).facts
    assert facts_to_json(parse_facts(facts_from_datasheet(sheet))) == facts_to_json(
        parse_facts(stored)
    )
    steps = [s["id"] for s in sheet["steps"]]
    assert steps == ["motif", "etat_civil", "adresse", "photo", "pieces"]
    pieces = sheet["steps"][-1]["pieces"]
    assert [(p["kind"], p["file"]) for p in pieces] == [
        ("identity", "01-justificatif-identite.pdf"),
        ("proof_of_address", "02-justificatif-domicile.pdf"),
        ("photo_signature", None),
    ]
    first = sheet["steps"][0]["fields"][0]
    assert (first["label"], first["text"]) == ("Numéro d'agrément de l'école", "E1206900010")


def test_datasheet_pdf_prints_the_fields(papers, ready_dossier, tmp_path) -> None:
    kit = papers.export_kit(ready_dossier, tmp_path)
    text = _text(kit.datasheet_pdf)
    assert "Fiche de saisie ANTS" in text and "MARTIN Léa Éloïse" in text
    for expected in (
        "1. Motif de la demande",
        "2. État civil",
        "Nom de naissance",
        "Martin",
        "14/05/1996",
        "ABCD1234EFGH5678IJKL90",
        "01-justificatif-identite.pdf",
    ):
        assert expected in text


def test_export_is_refused_for_a_draft_and_after_changes(papers, school, tmp_path) -> None:
    service = DossierService(school.db)
    dossier_id = service.create(ADULT_B)
    out = tmp_path / "out"
    with pytest.raises(OperationFailed, match="Brouillon.*validez-le") as refused:
        papers.export_kit(dossier_id, out)
    assert refused.value.exit_code == 1
    add_pages(school, dossier_id, "identity", [jpeg_bytes(300, 200)])
    WorkflowService(school.db, today=TODAY).validate(dossier_id)
    # A page added after validation (bypassing the editing lock) is never exported.
    add_pages(school, dossier_id, "proof_of_address", [jpeg_bytes(300, 400)])
    with pytest.raises(OperationFailed, match="modifié depuis sa validation"):
        papers.export_kit(dossier_id, out)
    assert not out.exists()


def test_missing_scans_and_over_budget_files_are_reported(papers, school, tmp_path) -> None:
    school.settings.set("capture.budget_a4_kb", 1)
    dossier_id = DossierService(school.db).create(ADULT_B)
    add_pages(school, dossier_id, "proof_of_address", [jpeg_bytes(900, 1200, dpi=100)])
    WorkflowService(school.db, today=TODAY).validate(dossier_id)
    kit = papers.export_kit(dossier_id, tmp_path)
    assert [f.filename for f in kit.files] == ["01-justificatif-domicile.pdf"]
    assert not kit.files[0].within_budget
    assert any("Justificatif d'identité : aucune page" in w for w in kit.warnings)
    assert any("01-justificatif-domicile.pdf fait" in w for w in kit.warnings)


def test_re_export_replaces_the_previous_kit(papers, ready_dossier, tmp_path) -> None:
    out = tmp_path / "out"
    first = papers.export_kit(ready_dossier, out)
    (first.folder / "stale.txt").write_text("old")
    second = papers.export_kit(ready_dossier, out)
    assert second.folder == first.folder
    assert not (second.folder / "stale.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == [first.folder.name, first.zip_path.name]


def test_cli_export_writes_the_kit_and_refuses_a_draft(
    ready_dossier, school, paths, tmp_path, capsys
) -> None:
    out = tmp_path / "kit"
    assert (
        main(["--data-dir", str(paths.data), "dossier", "export", ready_dossier, "--kit", str(out)])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert [f["file"] for f in report["files"]] == [
        "01-justificatif-identite.pdf",
        "02-justificatif-domicile.pdf",
    ]
    assert (out / report["zip"].rsplit("/", 1)[-1]).exists()
    draft = DossierService(school.db).create(ADULT_B)
    assert main(["--data-dir", str(paths.data), "dossier", "export", draft, "--kit", str(out)]) == 1
    assert "validez-le avant de préparer le kit" in capsys.readouterr().err


def test_cli_papers_commands(ready_dossier, paths, tmp_path, capsys) -> None:
    from tests.outputs.test_outputs_pure import RECEIPT_LINES

    base = ["--data-dir", str(paths.data), "dossier"]
    receipt = tmp_path / "recepisse.pdf"
    receipt.write_bytes(pdf_bytes(RECEIPT_LINES))
    assert main([*base, "ants-import", ready_dossier, str(receipt)]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert imported["documents"][0]["kind"] == "receipt" and imported["receipt"]["present"]
    assert main([*base, "filed", ready_dossier, "24PC1234567", "--date", "2026-11-25"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "submitted"
    assert main([*base, "mandate", ready_dossier, "--signed", "2026-11-20"]) == 0
    assert json.loads(capsys.readouterr().out)["keep_until"] == "2027-05-20"
    assert main([*base, "papers", ready_dossier]) == 0
    papers_report = json.loads(capsys.readouterr().out)
    assert papers_report["filing"]["request_number"] == "24PC1234567"
    assert main(["--data-dir", str(paths.data), "mandates", "--on", "2026-12-01"]) == 0
    assert [m["dossier_id"] for m in json.loads(capsys.readouterr().out)] == [ready_dossier]
    pdf = tmp_path / "mandat.pdf"
    assert main([*base, "pdf", ready_dossier, "mandate", "-o", str(pdf)]) == 0
    capsys.readouterr()
    assert "Bon pour mandat" in _text(pdf)
    assert main([*base, "mandate", ready_dossier, "--signed", "27/11/2026"]) == 2
    assert "Date invalide" in capsys.readouterr().err


def test_filing_assistant_shows_fields_in_form_order_and_kit_files(
    papers, ready_dossier, tmp_path
) -> None:
    bare = papers.filing_assistant(ready_dossier)
    assert [s.id for s in bare.steps] == ["motif", "etat_civil", "adresse", "photo", "pieces"]
    assert all(p.path is None for p in bare.pieces) and bare.kit_folder is None
    kit = papers.export_kit(ready_dossier, tmp_path / "kit")
    assistant = papers.filing_assistant(ready_dossier, kit)
    copy = {f.key: f.text for s in assistant.steps for f in s.fields}
    assert copy["applicant.birth_name"] == "Martin"
    assert copy["applicant.birth_date"] == "14/05/1996"
    assert copy["photo_signature.code"] == "ABCD1234EFGH5678IJKL90"
    paths = [p.path for p in assistant.pieces]
    assert paths[:2] == [
        kit.folder / "01-justificatif-identite.pdf",
        kit.folder / "02-justificatif-domicile.pdf",
    ]
    assert all(p.exists() for p in paths[:2]) and paths[2] is None  # e-photo: nothing to upload
    assert assistant.receipt.applies and not assistant.receipt.present
    assert assistant.filing.status == "ready"
    papers.record_filing(ready_dossier, "24PC1234567", TODAY)
    assert papers.filing_assistant(ready_dossier, kit).filing.request_number == "24PC1234567"


def test_filing_assistant_refuses_unvalidated_data(papers, school) -> None:
    draft = DossierService(school.db).create(ADULT_B)
    with pytest.raises(OperationFailed, match="validez-le"):
        papers.filing_assistant(draft)


def test_cli_assistant_with_kit(ready_dossier, paths, tmp_path, capsys) -> None:
    args = [
        "--data-dir",
        str(paths.data),
        "dossier",
        "assistant",
        ready_dossier,
        "--kit",
        str(tmp_path / "k"),
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pieces"][0]["path"].endswith("01-justificatif-identite.pdf")
    assert report["steps"][0]["fields"][1]["text"] == "Inscription au permis, primo-accédant"


def test_kit_into_a_read_only_folder_fails_with_a_french_message(
    papers, ready_dossier, tmp_path, make_read_only
) -> None:
    target = tmp_path / "locked"
    target.mkdir()
    make_read_only(target)
    with pytest.raises(OperationFailed, match="lecture seule|n'a pas pu être écrit"):
        papers.export_kit(ready_dossier, target)


def test_a_lost_page_file_stops_the_kit_with_a_french_message(
    papers, ready_dossier, tmp_path
) -> None:
    detail = DossierService(papers.db).get(ready_dossier)
    sha = next(p for p in detail.pieces if p.kind == "identity").pages[0].processed_sha256
    papers.blobs.path(sha).unlink()
    with pytest.raises(OperationFailed, match="introuvable.*Recapturez"):
        papers.export_kit(ready_dossier, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_hosting_needed(papers, school) -> None:
    from tests.outputs.conftest import HOSTED_MINOR

    service = DossierService(school.db)
    assert papers.hosting_needed(service.create(HOSTED_MINOR))
    assert not papers.hosting_needed(service.create(ADULT_B))


def test_cli_ants_pdf_writes_the_attestation_as_is_or_two_up(
    ready_dossier, paths, tmp_path, capsys
) -> None:
    from tests.outputs.test_outputs_pure import ATTESTATION_LINES

    base = ["--data-dir", str(paths.data), "dossier"]
    source = tmp_path / "attestation.pdf"
    source.write_bytes(pdf_bytes(ATTESTATION_LINES, pages=2))
    assert main([*base, "ants-import", ready_dossier, str(source)]) == 0
    doc_id = json.loads(capsys.readouterr().out)["documents"][0]["id"]
    same, sheet = tmp_path / "same.pdf", tmp_path / "sheet.pdf"
    assert main([*base, "ants-pdf", ready_dossier, str(doc_id), "-o", str(same)]) == 0
    assert json.loads(capsys.readouterr().out)["duplex_required"] is True
    assert same.read_bytes() == source.read_bytes()
    assert main([*base, "ants-pdf", ready_dossier, str(doc_id), "-o", str(sheet), "--two-up"]) == 0
    capsys.readouterr()
    assert len(PdfReader(str(sheet)).pages) == 1
    assert main([*base, "ants-pdf", ready_dossier, "999", "-o", str(sheet)]) == 2
    assert "pas de document ANTS n° 999" in capsys.readouterr().err
