"""Reading the documents in the wizard, through its real widgets: an identity card imported
into the identity piece opens the comparison dialog and fills the identity in one click; a
bill with a signed 2D-Doc is verified and dated on its row; mismatches are field warnings."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from permis_desktop.procedures.facts import skeleton
from permis_desktop.services.dossiers import DossierService
from permis_desktop.ui.wizard.editor import DossierEditor
from permis_desktop.ui.wizard.recognition import line_text
from tests.recognize.kit2ddoc import make_doc, sign, vector_pdf
from tests.recognize.kitmrz import font_available, make_truth, render_document, scan_quality
from tests.ui.helpers import field, saved

needs_font = pytest.mark.skipif(
    not font_available(), reason="OCR-B font missing: apt-get install fonts-ocr-b"
)


def _editor(qtbot, desk, worker, today: dt.date | None = None, **applicant) -> DossierEditor:
    facts = skeleton("exam_registration_first")
    facts["applicant"].update(applicant)
    dossier_id = DossierService(desk.db).create(facts)
    editor = DossierEditor(desk, worker, DossierService(desk.db).get(dossier_id), today=today)
    qtbot.addWidget(editor)
    editor.resize(1200, 800)
    editor.show()
    editor.focus_piece("identity")
    return editor


def card_file(tmp_path: Path, seed: int = 31, fmt: str = "TD1") -> tuple[Path, object]:
    rng = random.Random(seed)
    truth = make_truth(fmt, rng)
    path = tmp_path / f"carte-{seed}.jpg"
    path.write_bytes(scan_quality(render_document(truth, rng), rng, turns=False))
    return path, truth


def bill_file(tmp_path: Path, pki, issue: dt.date, tamper: bool = False) -> tuple[Path, object]:
    from permis_desktop.scan.recognize.twoddoc_parse import assemble, build_content

    doc = make_doc(pki, random.Random(41), document_type="01", version=4)
    fields = [
        ("10", "MME/MARTIN/LEA"),
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
    if tamper:  # one byte of the city changed after signing
        raw = bytearray(payload)
        index = raw.rindex(doc.city.encode())
        raw[index] = ord("X") if raw[index] != ord("X") else ord("Y")
        payload = bytes(raw)
    path = tmp_path / ("facture-modifiee.pdf" if tamper else "facture.pdf")
    path.write_bytes(vector_pdf(payload))
    return path, doc


def _line(editor, kind: str):
    return editor.recognition.lines[kind]


def _text(editor, kind: str) -> str:
    return line_text(_line(editor, kind))


@needs_font
def test_identity_card_fills_the_identity_in_one_click(qtbot, desk, worker, tmp_path) -> None:
    card, truth = card_file(tmp_path)
    expiry = dt.date.fromisoformat(truth.expiry_date)
    editor = _editor(
        qtbot,
        desk,
        worker,
        today=expiry + dt.timedelta(days=365 * 6),  # beyond any grace: the rule shows
        birth_name="",
        given_names=[],
        birth_date="",
        sex=None,
        nationality="",
    )
    editor.pieces_page.import_files("identity", [str(card)])
    qtbot.waitUntil(lambda: editor.recognition.dialog is not None, timeout=60000)
    dialog = editor.recognition.dialog
    assert dialog.isVisible()
    read = {dialog.table.item(i, 0).text(): dialog.table.item(i, 1).text() for i in range(4)}
    assert read["Nom de naissance"] == truth.surname
    assert read["Prénoms"] == ", ".join(truth.given_names)
    assert "Bande MRZ lue" in dialog.verdict.text()
    # The expiry went into the piece by itself: the checklist applies the expiry rule.
    identity = next(line for line in editor.checklist.pieces if line.kind == "identity")
    assert identity.status == "expired", identity
    assert editor.pieces_page.rows["identity"].dates["expires"].edit.text() == (
        expiry.strftime("%d/%m/%Y")
    )
    qtbot.mouseClick(dialog.fill_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.recognition.dialog is None)
    a = editor.facts["applicant"]
    assert (a["birth_name"], a["given_names"], a["birth_date"], a["sex"], a["nationality"]) == (
        truth.surname,
        truth.given_names,
        truth.birth_date,
        truth.sex,
        truth.nationality,
    )
    assert field(editor, "applicant.birth_name").edit.text() == truth.surname
    assert field(editor, "applicant.birth_date").edit.text() == (
        dt.date.fromisoformat(truth.birth_date).strftime("%d/%m/%Y")
    )
    qtbot.waitUntil(lambda: saved(editor))
    stored = DossierService(desk.db).get(editor.dossier_id)
    assert stored.facts["applicant"]["birth_name"] == truth.surname
    piece = next(p for p in stored.pieces if p.kind == "identity")
    assert piece.expires == truth.expiry_date and piece.recognised["mrz"]["valid"]
    assert "Bande MRZ lue" in _text(editor, "identity")


@needs_font
def test_a_typed_value_unlike_the_mrz_is_a_warning_on_its_field(
    qtbot, desk, worker, tmp_path
) -> None:
    card, truth = card_file(tmp_path, seed=32)
    editor = _editor(
        qtbot, desk, worker, birth_name="AUTRENOM", given_names=list(truth.given_names)
    )
    editor.pieces_page.import_files("identity", [str(card)])
    qtbot.waitUntil(lambda: "identity" in editor.recognition.readings, timeout=60000)
    message = field(editor, "applicant.birth_name").message
    assert message.text().startswith("⚠") and truth.surname in message.text()
    assert "applicant.given_names" not in editor.recognition.warnings(editor.facts)
    # The mismatched row is not ticked by itself; ticking it and replacing fixes it.
    qtbot.waitUntil(lambda: editor.recognition.dialog is not None)
    dialog = editor.recognition.dialog
    index = next(i for i, r in enumerate(dialog.rows) if r.field == "birth_name")
    item = dialog.table.item(index, 0)
    assert item.checkState() == Qt.CheckState.Unchecked
    assert dialog.table.item(index, 3).text() == "⚠"
    for i in range(dialog.table.rowCount()):
        other = dialog.table.item(i, 0)
        if i != index and other.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            other.setCheckState(Qt.CheckState.Unchecked)
    item.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.replace_button, Qt.MouseButton.LeftButton)
    assert editor.facts["applicant"]["birth_name"] == truth.surname
    assert editor.facts["applicant"]["birth_date"] == ""  # not ticked: left as it was
    assert not field(editor, "applicant.birth_name").message.isVisible()


def test_page_without_mrz_says_so_in_french_and_opens_nothing(
    qtbot, desk, worker, tmp_path
) -> None:
    from PIL import Image

    blank = tmp_path / "verso.png"
    Image.new("RGB", (1011, 638), (236, 236, 236)).save(blank)
    editor = _editor(qtbot, desk, worker)
    editor.pieces_page.import_files("identity", [str(blank)])
    qtbot.waitUntil(lambda: "identity" in editor.recognition.readings, timeout=60000)
    line = _line(editor, "identity")
    assert line.isVisible() and "Aucune bande MRZ" in line_text(line)
    assert editor.recognition.dialog is None


def test_bill_with_a_signed_2ddoc_is_verified_and_dated_on_its_row(
    qtbot, desk, worker, tmp_path, pki
) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    issue = dt.date.today() - dt.timedelta(days=30)
    bill, doc = bill_file(tmp_path, pki, issue)
    editor = _editor(qtbot, desk, worker, birth_name="MARTIN", given_names=["Léa"])
    editor.pieces_page.import_files("proof_of_address", [str(bill)])
    qtbot.waitUntil(lambda: "proof_of_address" in editor.recognition.readings, timeout=60000)
    text = _text(editor, "proof_of_address")
    assert text.startswith("2D-Doc vérifié") and issue.strftime("%d/%m/%Y") in text
    assert "Différent" not in text
    row = editor.pieces_page.rows["proof_of_address"]
    assert row.dates["issued"].edit.text() == issue.strftime("%d/%m/%Y")
    assert row.document_type.currentData() == "bill"
    status = {x.kind: x.status for x in editor.checklist.pieces}
    assert status["proof_of_address"] == "provided"
    # The address typed is empty: the dialog offers the one read.
    qtbot.waitUntil(lambda: editor.recognition.dialog is not None)
    dialog = editor.recognition.dialog
    qtbot.mouseClick(dialog.fill_button, Qt.MouseButton.LeftButton)
    address = editor.facts["applicant"]["address"]
    assert (address["line1"], address["postal_code"], address["city"]) == (
        doc.address_line,
        doc.postal_code,
        doc.city,
    )
    assert not field(editor, "applicant.birth_name").message.isVisible()  # holder matches
    qtbot.waitUntil(lambda: saved(editor))
    piece = next(
        p
        for p in DossierService(desk.db).get(editor.dossier_id).pieces
        if p.kind == "proof_of_address"
    )
    assert piece.issued == issue.isoformat()


def test_an_old_bill_turns_the_piece_too_old(qtbot, desk, worker, tmp_path, pki) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    bill, _doc = bill_file(tmp_path, pki, dt.date.today() - dt.timedelta(days=240))
    editor = _editor(qtbot, desk, worker, birth_name="MARTIN", given_names=["Léa"])
    editor.pieces_page.import_files("proof_of_address", [str(bill)])
    qtbot.waitUntil(
        lambda: (
            {x.kind: x.status for x in editor.checklist.pieces}["proof_of_address"] == "too_old"
        ),
        timeout=60000,
    )
    assert _text(editor, "proof_of_address").startswith("2D-Doc vérifié")


def test_a_tampered_bill_says_why_it_is_not_verified_and_other_holder_warns(
    qtbot, desk, worker, tmp_path, pki
) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    bill, _doc = bill_file(tmp_path, pki, dt.date.today() - dt.timedelta(days=10), tamper=True)
    editor = _editor(
        qtbot,
        desk,
        worker,
        birth_name="DURAND",
        given_names=["Paul"],
        address={"line1": "5 rue Haute", "postal_code": "01000", "city": "BOURG", "country": "FRA"},
    )
    editor.pieces_page.import_files("proof_of_address", [str(bill)])
    qtbot.waitUntil(lambda: "proof_of_address" in editor.recognition.readings, timeout=60000)
    text = _text(editor, "proof_of_address")
    assert text.startswith("2D-Doc non vérifié : signature invalide"), text
    assert "Différent de la saisie" in text and "code postal" in text
    assert editor.pieces_page.rows["proof_of_address"].dates["issued"].edit.text() == ""
    holder = field(editor, "applicant.birth_name").message.text()
    assert holder.startswith("⚠") and "MARTIN" in holder
    postal = field(editor, "applicant.address.postal_code").message.text()
    assert postal.startswith("⚠") and "2D-Doc" in postal


@needs_font
def test_card_and_bill_together_get_their_dialogs_one_after_the_other(
    qtbot, desk, worker, tmp_path, pki
) -> None:
    desk.settings.set("recognition.trust_store", str(pki.write_store(tmp_path / "trust")))
    card, truth = card_file(tmp_path, seed=33)
    bill, doc = bill_file(tmp_path, pki, dt.date.today() - dt.timedelta(days=5))
    editor = _editor(qtbot, desk, worker, birth_name="", given_names=[])
    editor.pieces_page.import_files("identity", [str(card)])
    editor.pieces_page.import_files("proof_of_address", [str(bill)])
    qtbot.waitUntil(lambda: len(editor.recognition.readings) == 2, timeout=60000)
    first = editor.recognition.dialog
    assert first is not None and editor.recognition.pending == [
        "proof_of_address" if first.kind == "identity" else "identity"
    ]
    qtbot.mouseClick(first.fill_button, Qt.MouseButton.LeftButton)
    second = editor.recognition.dialog
    assert second is not None and second.kind != first.kind and second.isVisible()
    qtbot.mouseClick(second.fill_button, Qt.MouseButton.LeftButton)
    assert editor.recognition.dialog is None
    assert editor.facts["applicant"]["birth_name"] == truth.surname
    assert editor.facts["applicant"]["address"]["city"] == doc.city


@needs_font
def test_pages_captured_elsewhere_are_read_and_warnings_come_back_when_reopened(
    qtbot, desk, worker, tmp_path
) -> None:
    from permis_desktop.services.pieces import PieceService
    from permis_desktop.ui.capture.hooks import refresh_page

    card, truth = card_file(tmp_path, seed=34)
    editor = _editor(qtbot, desk, worker, birth_name="AUTRE", given_names=["Jean"])
    # A scan or photo dialog attaches pages itself, then refreshes the pieces page.
    PieceService(desk).attach_files(editor.dossier_id, "identity", [card])
    refresh_page(editor.pieces_page)
    qtbot.waitUntil(lambda: editor.recognition.dialog is not None, timeout=60000)
    editor.recognition.dialog.reject()
    qtbot.waitUntil(lambda: saved(editor))
    # Reopened: the stored reading is used at once (no new reading), warnings included.
    again = DossierEditor(desk, worker, DossierService(desk.db).get(editor.dossier_id))
    qtbot.addWidget(again)
    assert "identity" in again.recognition.readings and not again.recognition.running
    message = field(again, "applicant.birth_name").message
    assert not message.isHidden() and truth.surname in message.text()
    assert "Différent de la saisie" in _text(again, "identity")
