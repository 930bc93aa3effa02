"""Reading attached pieces (MRZ, 2D-Doc) through the desk service: real generated documents,
the real capture pipeline, a real SQLite file, a trust store made from a test CA."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from permis_desktop.procedures.checklist import evaluate
from permis_desktop.procedures.facts import skeleton
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.pieces import PieceService
from permis_desktop.services.recognition import (
    RecognitionService,
    apply_choices,
    compare_rows,
    mismatches,
    rows_to_fill,
)
from tests.recognize.kit2ddoc import make_doc, make_pki, vector_pdf
from tests.recognize.kitmrz import font_available, make_truth, render_document, scan_quality

needs_font = pytest.mark.skipif(
    not font_available(), reason="OCR-B font missing: apt-get install fonts-ocr-b"
)


def _dossier(desk, **applicant) -> str:
    facts = skeleton("exam_registration_first")
    facts["applicant"].update(applicant)
    return DossierService(desk.db).create(facts)


def _card(tmp_path: Path, seed: int = 11) -> tuple[Path, object]:
    rng = random.Random(seed)
    truth = make_truth("TD1", rng)
    path = tmp_path / "cni.jpg"
    path.write_bytes(scan_quality(render_document(truth, rng), rng, turns=False))
    return path, truth


@needs_font
def test_identity_card_is_read_its_expiry_stored_and_the_identity_filled(desk, tmp_path) -> None:
    dossier_id = _dossier(
        desk, birth_name="", given_names=[], birth_date="", sex=None, nationality=""
    )
    card, truth = _card(tmp_path)
    PieceService(desk).attach_files(dossier_id, "identity", [card])
    outcome = RecognitionService(desk).recognise_piece(dossier_id, "identity")
    assert outcome.found and outcome.level == "ok", outcome.message
    assert outcome.recognised["mrz"]["document_number"] == truth.document_number
    # The expiry goes into the piece by itself (all checks passed), with its type.
    assert outcome.expires == truth.expiry_date and outcome.dates_set == ["expires"]
    detail = DossierService(desk.db).get(dossier_id)
    piece = next(p for p in detail.pieces if p.kind == "identity")
    assert piece.expires == truth.expiry_date and piece.recognised["mrz"]["valid"]
    assert piece.document_type in ("cni", "residence_permit")
    rows = {r.field: r for r in outcome.rows}
    assert rows["birth_name"].read == truth.surname and rows["birth_name"].typed is None
    assert rows["given_names"].value == truth.given_names
    # One call fills every empty field, through the facts parser.
    applied = RecognitionService(desk).apply(
        dossier_id, "identity", [r.field for r in rows_to_fill(outcome.rows)]
    )
    assert "applicant.birth_name" in applied.applied and not applied.refused
    facts = DossierService(desk.db).get(dossier_id).facts
    a = facts["applicant"]
    assert (a["birth_name"], a["given_names"], a["birth_date"], a["sex"]) == (
        truth.surname,
        truth.given_names,
        truth.birth_date,
        truth.sex,
    )
    assert a["nationality"] == truth.nationality
    # The checklist now applies the expiry rule to the piece's date.
    later = dt.date.fromisoformat(truth.expiry_date) + dt.timedelta(days=365 * 6)
    line = next(x for x in evaluate(facts, later).pieces if x.kind == "identity")
    assert line.status == "expired"


@needs_font
def test_a_typed_expiry_is_kept_and_a_typed_name_that_differs_is_a_mismatch(desk, tmp_path) -> None:
    dossier_id = _dossier(desk, birth_name="DURANDE", given_names=["Zoé"])
    card, truth = _card(tmp_path, seed=12)
    PieceService(desk).attach_files(dossier_id, "identity", [card])
    service = DossierService(desk.db)
    facts = service.get(dossier_id).facts
    for entry in facts["pieces"]:
        if entry["kind"] == "identity":
            entry["expires"] = "2031-01-01"
    service.update(dossier_id, facts)
    outcome = RecognitionService(desk).recognise_piece(dossier_id, "identity")
    assert outcome.expires == "2031-01-01" and outcome.dates_set == []
    rows = {r.field: r for r in outcome.rows}
    assert not rows["expires"].match and rows["expires"].path == "pieces.identity.expires"
    warned = mismatches("identity", outcome.recognised, service.get(dossier_id).facts)
    assert "applicant.birth_name" in warned and truth.surname in warned["applicant.birth_name"]
    # Replacing the chosen rows writes them; the other typed values stay.
    applied = apply_choices(service.get(dossier_id).facts, [rows["expires"]])
    entry = next(p for p in applied.facts["pieces"] if p["kind"] == "identity")
    assert entry["expires"] == truth.expiry_date
    assert applied.facts["applicant"]["birth_name"] == "DURANDE"


def test_a_value_the_facts_parser_refuses_is_reported_not_written(desk) -> None:
    from permis_desktop.services.recognition import ComparisonRow

    facts = skeleton("exam_registration_first")
    bad = ComparisonRow("sex", "Sexe", "X", None, False, "applicant.sex", "X")
    good = ComparisonRow(
        "birth_name", "Nom", "MARTIN", None, False, "applicant.birth_name", "MARTIN"
    )
    applied = apply_choices(facts, [bad, good])
    assert applied.applied == ["applicant.birth_name"]
    assert "applicant.sex" in applied.refused and applied.facts["applicant"]["sex"] is None


def test_page_without_mrz_stores_a_french_message(desk, tmp_path) -> None:
    from PIL import Image

    dossier_id = _dossier(desk)
    blank = tmp_path / "blanc.png"
    Image.new("RGB", (1000, 640), (235, 235, 235)).save(blank)
    PieceService(desk).attach_files(dossier_id, "identity", [blank])
    outcome = RecognitionService(desk).recognise_piece(dossier_id, "identity")
    assert not outcome.found and outcome.level == "error"
    assert "Aucune bande MRZ" in outcome.message and outcome.rows == []
    piece = next(p for p in DossierService(desk.db).get(dossier_id).pieces if p.kind == "identity")
    assert "Aucune bande MRZ" in piece.recognised["error"] and piece.expires is None


@pytest.fixture(scope="module")
def pki():
    return make_pki("FR00")


def _bill(tmp_path: Path, pki, issue: dt.date, tamper: bool = False) -> tuple[Path, object]:
    doc = make_doc(pki, random.Random(21), document_type="01")
    payload = doc.payload
    if issue != doc.issue_date:
        from permis_desktop.scan.recognize.twoddoc_parse import assemble, build_content
        from tests.recognize.kit2ddoc import sign

        fields = [
            ("10", "M/" + doc.holder.split(" ", 1)[1].replace(" ", "/")),
            ("22", doc.address_line),
            ("24", doc.postal_code),
            ("25", doc.city),
        ]
        signed = build_content(
            ca_id="FR00",
            certificate_id="0001",
            document_type="01",
            fields=fields,
            issue_date=issue,
            signature_date=issue,
            version=4,
        )
        payload = assemble(signed, sign(pki.signers["0001"], signed), 4)
        doc.issue_date = issue
    if tamper:
        raw = bytearray(payload)
        index = raw.index(doc.postal_code.encode())
        raw[index] = ord("9") if raw[index] != ord("9") else ord("8")
        payload = bytes(raw)
    path = tmp_path / "facture.pdf"
    path.write_bytes(vector_pdf(payload))
    return path, doc


def test_bill_with_a_valid_2ddoc_is_verified_and_dated(desk, tmp_path, pki) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    dossier_id = _dossier(desk)
    issue = dt.date.today() - dt.timedelta(days=20)
    bill, doc = _bill(tmp_path, pki, issue)
    PieceService(desk).attach_files(dossier_id, "proof_of_address", [bill])
    outcome = RecognitionService(desk).recognise_piece(dossier_id, "proof_of_address")
    assert outcome.message.startswith("2D-Doc vérifié"), outcome.message
    assert outcome.issued == issue.isoformat() and outcome.document_type == "bill"
    rows = {r.field: r for r in outcome.rows}
    assert rows["address.postal_code"].read == doc.postal_code
    assert rows["address.postal_code"].path == "applicant.address.postal_code"
    facts = DossierService(desk.db).get(dossier_id).facts
    line = next(x for x in evaluate(facts).pieces if x.kind == "proof_of_address")
    assert line.status == "provided"


def test_an_old_bill_turns_the_piece_too_old(desk, tmp_path, pki) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    dossier_id = _dossier(desk)
    bill, _doc = _bill(tmp_path, pki, dt.date.today() - dt.timedelta(days=250))
    PieceService(desk).attach_files(dossier_id, "proof_of_address", [bill])
    RecognitionService(desk).recognise_piece(dossier_id, "proof_of_address")
    facts = DossierService(desk.db).get(dossier_id).facts
    line = next(x for x in evaluate(facts).pieces if x.kind == "proof_of_address")
    assert line.status == "too_old"


def test_a_tampered_bill_says_why_it_is_not_verified_and_is_not_dated(desk, tmp_path, pki) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    dossier_id = _dossier(
        desk, address={"line1": "1 rue Autre", "postal_code": "01000", "city": "BOURG"}
    )
    bill, _doc = _bill(tmp_path, pki, dt.date.today() - dt.timedelta(days=20), tamper=True)
    PieceService(desk).attach_files(dossier_id, "proof_of_address", [bill])
    outcome = RecognitionService(desk).recognise_piece(dossier_id, "proof_of_address")
    assert outcome.message.startswith("2D-Doc non vérifié : signature invalide")
    assert outcome.level == "warning" and outcome.issued is None and outcome.dates_set == []
    facts = DossierService(desk.db).get(dossier_id).facts
    warned = mismatches("proof_of_address", outcome.recognised, facts)
    assert "applicant.address.postal_code" in warned
    assert "applicant.birth_name" not in warned or "titulaire" in warned["applicant.birth_name"]
    assert compare_rows("proof_of_address", outcome.recognised, facts)[0].field == "holder"


def test_guardian_card_fills_the_representative_without_a_nationality_field() -> None:
    from permis_desktop.scan.recognize import parse_mrz

    truth = make_truth("TD1", random.Random(51))
    recognised = {"source": "mrz", "mrz": parse_mrz(truth.lines).to_json()}
    facts = skeleton("exam_registration_first")
    facts["legal_representative"] = {"birth_name": "", "given_names": [], "quality": "Mère"}
    rows = {r.field: r for r in compare_rows("guardian_identity", recognised, facts)}
    assert rows["birth_name"].path == "legal_representative.birth_name"
    assert rows["nationality"].path is None  # the representative has none in the facts
    applied = apply_choices(facts, rows_to_fill(rows.values()))
    rep = applied.facts["legal_representative"]
    assert rep["birth_name"] == truth.surname and rep["birth_date"] == truth.birth_date
    assert "nationality" not in rep and not applied.refused
    entry = next(p for p in applied.facts["pieces"] if p["kind"] == "guardian_identity")
    assert entry["expires"] == truth.expiry_date


def test_hosted_applicant_bill_is_compared_with_the_host(pki) -> None:
    from permis_desktop.scan.recognize import TrustStore
    from permis_desktop.scan.recognize.twoddoc import read_payload

    doc = make_doc(pki, random.Random(52), document_type="01")
    reading = read_payload(doc.payload, TrustStore.load(include_ants=False)).to_json()
    recognised = {"source": "2ddoc", "2ddoc": reading}
    surname, given = doc.holder.split(" ")[1:3]
    facts = skeleton("exam_registration_first")
    facts["applicant"].update({"birth_name": "AUTRE", "given_names": ["Zoé"], "hosted": True})
    facts["host"] = {"birth_name": surname.title(), "given_names": [given.title()]}
    rows = {r.field: r for r in compare_rows("proof_of_address", recognised, facts)}
    assert rows["holder"].match, rows["holder"]
    warned = mismatches("proof_of_address", recognised, facts)
    assert "host.birth_name" not in warned and "applicant.birth_name" not in warned
    facts["host"]["birth_name"] = "Inconnu"
    assert "host.birth_name" in mismatches("proof_of_address", recognised, facts)


@needs_font
def test_other_pages_that_read_nothing_take_back_the_date_the_first_reading_set(
    desk, tmp_path
) -> None:
    from PIL import Image

    dossier_id = _dossier(desk)
    card, truth = _card(tmp_path, seed=13)
    service = RecognitionService(desk)
    PieceService(desk).attach_files(dossier_id, "identity", [card])
    assert service.recognise_piece(dossier_id, "identity").expires == truth.expiry_date
    blank = tmp_path / "autre.png"
    Image.new("RGB", (1000, 640), (235, 235, 235)).save(blank)
    PieceService(desk).attach_files(dossier_id, "identity", [blank], replace=True)
    outcome = service.recognise_piece(dossier_id, "identity")
    assert outcome.expires is None and outcome.dates_cleared == ["expires"]
    piece = next(p for p in DossierService(desk.db).get(dossier_id).pieces if p.kind == "identity")
    assert piece.expires is None


def test_street_goes_to_line_1_and_the_complement_to_line_2(pki) -> None:
    from permis_desktop.scan.recognize import TrustStore
    from permis_desktop.scan.recognize.twoddoc import read_payload
    from permis_desktop.scan.recognize.twoddoc_parse import assemble, build_content
    from tests.recognize.kit2ddoc import sign

    signed = build_content(
        ca_id="FR00",
        certificate_id="0001",
        document_type="01",
        fields=[
            ("10", "MME/MARTIN/LEA"),
            ("20", "APPARTEMENT 12"),
            ("22", "3 RUE DES LILAS"),
            ("24", "69003"),
            ("25", "LYON"),
        ],
        issue_date=dt.date(2026, 10, 1),
        signature_date=dt.date(2026, 10, 1),
        version=4,
    )
    payload = assemble(signed, sign(pki.signers["0001"], signed), 4)
    reading = read_payload(payload, TrustStore.load(include_ants=False)).to_json()
    facts = skeleton("exam_registration_first")
    facts["applicant"].update({"birth_name": "Martin", "given_names": ["Léa"]})
    facts["applicant"]["address"].update({"line1": "3 rue des Lilas", "line2": ""})
    rows = {r.field: r for r in compare_rows("proof_of_address", {"2ddoc": reading}, facts)}
    assert rows["holder"].match
    assert rows["address.line1"].read == "3 RUE DES LILAS" and rows["address.line1"].match
    line2 = rows["address.line2"]
    assert (line2.read, line2.typed, line2.path) == (
        "APPARTEMENT 12",
        None,
        "applicant.address.line2",
    )
    filled = apply_choices(facts, rows_to_fill(rows.values())).facts["applicant"]["address"]
    assert (filled["line1"], filled["line2"]) == ("3 rue des Lilas", "APPARTEMENT 12")


@needs_font
def test_a_phone_photo_of_a_passport_is_read_from_its_original(desk, tmp_path) -> None:
    from tests.recognize.kitmrz import make_sample

    dossier_id = _dossier(desk)
    data, truth = make_sample("TD3", "photo", random.Random(14))
    photo = tmp_path / "passeport.jpg"
    photo.write_bytes(data)
    PieceService(desk).attach_files(dossier_id, "identity", [photo])
    outcome = RecognitionService(desk).recognise_piece(dossier_id, "identity")
    assert outcome.recognised["mrz"]["valid"], outcome.message
    assert outcome.recognised["mrz"]["document_number"] == truth.document_number
    assert outcome.expires == truth.expiry_date
    expected_type = "passport_biometric" if truth.nationality == "FRA" else None
    assert outcome.document_type == expected_type
