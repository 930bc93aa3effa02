"""The dossier editor, driven through its real widgets: flow, checklist, messages, autosave,
pieces import, validation and reopening."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from permis_desktop.procedures.facts import skeleton
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.workflow import WorkflowService
from tests.ui.helpers import (
    choose,
    field,
    keys,
    open_editor,
    open_window,
    page_image,
    page_pdf,
    saved,
    thaw,
    type_into,
)

TODAY = dt.date.today()


def _new(desk, procedure: str = "exam_registration_first", **applicant) -> str:
    facts = skeleton(procedure)
    facts["applicant"].update(applicant)
    return DossierService(desk.db).create(facts)


def _pieces(editor) -> dict[str, str]:
    return {line.kind: line.status for line in editor.checklist.pieces}


def _drop(qtbot, row, files) -> None:
    """A real drag enter + drop of local files onto a piece row."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    centre = QPointF(row.rect().center())
    enter = QDragEnterEvent(
        centre.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    row.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    row.dropEvent(drop)


def test_adult_b_registration_from_the_list_to_ready_with_imported_files(
    qtbot, desk, worker, tmp_path
) -> None:
    window = open_window(qtbot, desk, worker)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.new_dialog is not None)
    dialog = window.new_dialog
    dialog.select_procedure("exam_registration_first")
    keys(qtbot, dialog.birth_name, "Martin")
    keys(qtbot, dialog.given_names, "Léa")
    keys(qtbot, dialog.birth_date, "14/05/1996")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.editor is not None)
    editor = window.editor
    assert "representant_legal" not in editor.step_ids()

    choose(qtbot, editor, "applicant.sex", "Féminin")
    type_into(qtbot, editor, "applicant.birth_place.commune", "Lyon")
    type_into(qtbot, editor, "applicant.birth_place.insee", "69123")
    # Enter goes to the next page: Adresse et contact.
    qtbot.keyClick(field(editor, "applicant.birth_place.insee").input, Qt.Key.Key_Return)
    assert editor.current_step == "adresse"
    type_into(qtbot, editor, "applicant.address.line1", "3 rue des Lilas")
    type_into(qtbot, editor, "applicant.address.line2", "Bât. B, chez M. Dupont")
    type_into(qtbot, editor, "applicant.address.postal_code", "69003")
    type_into(qtbot, editor, "applicant.address.city", "Lyon")
    type_into(qtbot, editor, "applicant.email", "lea@example.fr")
    type_into(qtbot, editor, "applicant.mobile", "06 12 34 56 78")
    editor.focus_field("categories")
    qtbot.keyClick(field(editor, "categories").boxes["B"], Qt.Key.Key_Space)
    choose(qtbot, editor, "training_mode", "Formation traditionnelle")
    type_into(qtbot, editor, "photo_signature.code", "ABCD1234EFGH5678IJKL90")
    type_into(qtbot, editor, "photo_signature.taken", "01/" + TODAY.strftime("%m/%Y"))
    assert _pieces(editor) == {
        "identity": "missing",
        "proof_of_address": "missing",
        "photo_signature": "provided",
    }

    # Pieces: a PDF through drag and drop, an image through the import action.
    editor.focus_piece("identity")
    assert editor.current_step == "pieces"
    page = editor.pieces_page
    _drop(qtbot, page.rows["identity"], [page_pdf(tmp_path / "cni.pdf", "CARTE IDENTITE")])
    page.import_files("proof_of_address", [str(page_image(tmp_path / "edf.png", "Facture"))])
    qtbot.waitUntil(
        lambda: page.imports_running == 0 and _pieces(editor)["identity"] == "provided",
        timeout=30000,
    )
    qtbot.waitUntil(lambda: _pieces(editor)["proof_of_address"] == "provided", timeout=30000)
    qtbot.waitUntil(
        lambda: (
            page.rows["identity"].findChild(type(page.rows["identity"].title), "thumb:identity:1")
            is not None
        )
    )
    verdict = page.rows["identity"].findChild(
        type(page.rows["identity"].title), "verdict:identity:1"
    )
    assert verdict is not None and verdict.text().startswith("Page 1")
    issued = page.rows["proof_of_address"].dates["issued"].edit
    keys(qtbot, issued, TODAY.strftime("01/%m/%Y"))
    qtbot.waitUntil(lambda: saved(editor))

    editor.go_to("recapitulatif")
    qtbot.waitUntil(lambda: editor.summary.validate_button.isEnabled())
    assert "Tout est prêt" in editor.summary.verdict.text()
    qtbot.mouseClick(editor.summary.validate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.status == "ready")
    detail = DossierService(desk.db).get(editor.dossier_id)
    assert detail.status == "ready"
    assert [e.to_status for e in detail.history][-1] == "ready"
    assert {p.kind for p in detail.pieces if p.pages} == {"identity", "proof_of_address"}
    assert detail.facts["applicant"]["address"]["line2"] == "Bât. B, chez M. Dupont"
    # Ready is read-only until reopened.
    assert editor.locked.isVisible()
    assert not field(editor, "applicant.address.city").input.isEnabled()
    qtbot.mouseClick(editor.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.status == "draft")
    assert field(editor, "applicant.address.city").input.isEnabled()
    history = DossierService(desk.db).get(editor.dossier_id).history
    assert (history[-1].from_status, history[-1].to_status) == ("ready", "draft")


def test_a_minor_gets_the_legal_representative_page_and_piece(qtbot, desk, worker) -> None:
    minor = (TODAY.replace(year=TODAY.year - 16)).isoformat()
    dossier_id = _new(desk, birth_name="Nguyen", given_names=["Thomas"], birth_date=minor)
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    assert "representant_legal" in editor.step_ids()
    assert "guardian_identity" in _pieces(editor)
    panel = [editor.panel.pieces.item(i).text() for i in range(editor.panel.pieces.count())]
    assert any("Pièce d'identité du représentant légal" in text for text in panel)
    # For a minor, the representative's e-mail is the ANTS contact.
    assert field(editor, "applicant.email").spec.required is False
    choose(qtbot, editor, "legal_representative.quality", "Mère")
    type_into(qtbot, editor, "legal_representative.birth_name", "Nguyen")
    type_into(qtbot, editor, "legal_representative.email", "mere@example.fr")
    qtbot.waitUntil(lambda: saved(editor))
    stored = DossierService(desk.db).get(dossier_id).facts["legal_representative"]
    assert stored["email"] == "mere@example.fr" and stored["quality"] == "Mère"


def test_changing_the_birth_date_updates_the_checklist_and_the_pages(qtbot, desk, worker) -> None:
    dossier_id = _new(desk, birth_name="Martin", given_names=["Léa"])
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    type_into(qtbot, editor, "applicant.birth_date", "14/05/1996")
    assert "guardian_identity" not in _pieces(editor)
    assert "representant_legal" not in editor.step_ids()
    type_into(
        qtbot, editor, "applicant.birth_date", TODAY.strftime("%d/%m/") + str(TODAY.year - 16)
    )
    assert "guardian_identity" in _pieces(editor)
    assert "representant_legal" in editor.step_ids()
    assert editor.step_list.count() == len(editor.step_ids())
    assert editor.current_step == "demandeur"  # the page being typed in stays


def test_messages_next_to_fields_errors_and_warnings_never_block_typing(
    qtbot, desk, worker
) -> None:
    dossier_id = _new(desk, birth_name="Martin")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    birth = field(editor, "applicant.birth_date")
    type_into(qtbot, editor, "applicant.birth_date", "31/02/2001")
    assert birth.level == "error" and "n'existe pas" in birth.message.text()
    assert birth.edit.text() == "31/02/2001"  # kept as typed
    type_into(qtbot, editor, "applicant.birth_date", "00/00/1990")
    assert birth.level == "warning" and "incomplète" in birth.message.text()
    type_into(qtbot, editor, "applicant.neph", "1234")
    neph = field(editor, "applicant.neph")
    assert neph.level == "error" and "12 chiffres" in neph.message.text()
    type_into(qtbot, editor, "applicant.neph", "123456789012")
    assert neph.level == ""
    type_into(qtbot, editor, "photo_signature.code", "ABCD1234")
    code = field(editor, "photo_signature.code")
    assert code.level == "warning" and "22" in code.message.text()
    assert code.message.text().startswith("⚠") and birth.message.text().startswith("⚠")
    qtbot.waitUntil(lambda: saved(editor))
    stored = DossierService(desk.db).get(dossier_id).facts["applicant"]
    assert stored["birth_date"] == "1990-00-00" and stored["neph"] == "123456789012"


def test_autosave_within_half_a_second_and_the_page_is_remembered(qtbot, desk, worker) -> None:
    dossier_id = _new(desk, birth_name="Martin")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    type_into(qtbot, editor, "applicant.address.city", "Villeurbanne")
    assert editor.current_step == "adresse"
    assert editor.save_state.text() in ("Enregistrement…", "✔ Enregistré")
    qtbot.waitUntil(lambda: saved(editor))
    assert editor.save_state.text() == "✔ Enregistré"
    assert (
        DossierService(desk.db).get(dossier_id).facts["applicant"]["address"]["city"]
        == "Villeurbanne"
    )
    # Closing asks nothing; reopening returns to the same page.
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.editor is None
    editor = open_editor(qtbot, window, dossier_id)
    assert editor.current_step == "adresse"
    assert field(editor, "applicant.address.city").edit.text() == "Villeurbanne"


def test_a_failed_save_is_shown_and_recovered_from(qtbot, desk, worker, make_read_only) -> None:
    dossier_id = _new(desk, birth_name="Martin")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    qtbot.waitUntil(lambda: saved(editor))
    worker.wait_idle()
    make_read_only(desk.paths.database)
    desk.db.engine.dispose()
    type_into(qtbot, editor, "applicant.address.city", "Lyon")
    qtbot.waitUntil(lambda: editor.failure.isVisible(), timeout=5000)
    assert "lecture seule" in editor.failure_text.text()
    assert editor.save_state.text() == "Non enregistré"
    # The typing goes on; the data stays in memory; validation waits.
    type_into(qtbot, editor, "applicant.address.line1", "3 rue des Lilas")
    editor.go_to("recapitulatif")
    assert not editor.summary.validate_button.isEnabled()
    assert "pas enregistré" in editor.summary.browser.toPlainText()
    thaw(desk.paths.database)
    qtbot.mouseClick(editor.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: saved(editor) and not editor.failure.isVisible(), timeout=15000)
    address = DossierService(desk.db).get(dossier_id).facts["applicant"]["address"]
    assert (address["city"], address["line1"]) == ("Lyon", "3 rue des Lilas")


def test_problem_links_jump_to_the_field_and_pieces(qtbot, desk, worker) -> None:
    dossier_id = _new(desk, birth_name="Martin", birth_date="1996-05-14")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    editor.go_to("recapitulatif")
    text = editor.summary.browser.toHtml()
    assert 'href="field:applicant.address.postal_code"' in text
    assert 'href="piece:identity"' in text
    editor.summary.link_clicked.emit("field:applicant.address.postal_code")
    assert editor.current_step == "adresse"
    panel = editor.panel.pieces
    item = next(
        panel.item(i)
        for i in range(panel.count())
        if "Justificatif de domicile" in panel.item(i).text()
    )
    qtbot.mouseClick(
        panel.viewport(), Qt.MouseButton.LeftButton, pos=panel.visualItemRect(item).center()
    )
    assert editor.current_step == "pieces"


def test_mandate_page_warns_when_not_allowed_and_keeps_the_signature_date(
    qtbot, desk, worker
) -> None:
    dossier_id = _new(desk, birth_name="Martin", birth_date="1996-05-14")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    type_into(qtbot, editor, "applicant.address.postal_code", "97400")  # La Réunion
    editor.focus_field("mandate")
    qtbot.keyClick(field(editor, "mandate").box, Qt.Key.Key_Space)
    mandate = field(editor, "mandate")
    assert mandate.level == "error" and "La Réunion" in mandate.message.text()
    type_into(qtbot, editor, "desk.mandate_signed_on", TODAY.strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: saved(editor))
    assert DossierService(desk.db).get(dossier_id).mandate_signed_on == TODAY.isoformat()


def test_validation_refused_by_the_service_lists_the_obstacles(qtbot, desk, worker) -> None:
    dossier_id = _new(desk, birth_name="Martin")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    editor.go_to("recapitulatif")
    assert not editor.summary.validate_button.isEnabled()
    editor.validate()  # as if the button were pressed anyway
    qtbot.waitUntil(lambda: "Validation refusée" in editor.summary.verdict.text())
    assert WorkflowService(desk.db).dossiers.get(dossier_id).status == "draft"


def test_each_step_says_what_remains_on_it(qtbot, desk, worker) -> None:
    dossier_id = _new(desk, birth_name="Martin", birth_date="1996-05-14")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)

    def mark(step: str) -> str:
        row = editor.step_ids().index(step)
        return editor.step_list.item(row).text()

    assert "✖" in mark("adresse") and mark("sante").endswith("✔")
    for path, text in (
        ("applicant.address.line1", "3 rue des Lilas"),
        ("applicant.address.postal_code", "69003"),
        ("applicant.address.city", "Lyon"),
        ("applicant.email", "lea@example.fr"),
    ):
        type_into(qtbot, editor, path, text)
    assert mark("adresse") == "2. Adresse et contact  ✔"
    assert "✖ 3" in mark("pieces")  # identity, proof of address, e-photo code


def test_extension_licence_held_and_training_procedure_pages(qtbot, desk, worker) -> None:
    dossier_id = _new(desk, "licence_after_training_b96", birth_name="Rousseau")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    assert {"permis", "formation"} <= set(editor.step_ids())
    choose(qtbot, editor, "training.kind", "Formation B96 (7 heures)")
    type_into(qtbot, editor, "training.completed", "02/11/2026")
    held = field(editor, "applicant.licence.categories")
    editor.focus_field("applicant.licence.categories")
    qtbot.mouseClick(held.add_button, Qt.MouseButton.LeftButton)
    _line, _category, obtained, restrictions = held.rows[0]
    keys(qtbot, obtained, "14/03/2015")
    keys(qtbot, restrictions, "78")
    qtbot.waitUntil(lambda: saved(editor))
    facts = DossierService(desk.db).get(dossier_id).facts
    assert facts["applicant"]["licence"]["categories"] == [
        {"category": "B", "obtained": "2015-03-14", "restrictions": ["78"]}
    ]
    assert facts["training"] == {"kind": "b96", "completed": "2026-11-02"}
    keys(qtbot, obtained, "x")
    assert held.level == "error" and "JJ/MM/AAAA" in held.message.text()


def test_closing_while_saves_fail_keeps_the_typing_for_next_time(
    qtbot, desk, worker, make_read_only
) -> None:
    dossier_id = _new(desk, birth_name="Martin")
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, dossier_id)
    qtbot.waitUntil(lambda: saved(editor))
    worker.wait_idle()
    make_read_only(desk.paths.database)
    desk.db.engine.dispose()
    type_into(qtbot, editor, "applicant.address.city", "Vénissieux")
    qtbot.waitUntil(lambda: editor.failure.isVisible(), timeout=5000)
    window.close()  # no question asked
    kept = desk.paths.data / "recovery" / f"{dossier_id}.json"
    assert kept.exists()
    worker.wait_idle()
    thaw(desk.paths.database)
    desk.db.engine.dispose()
    again = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, again, dossier_id)
    assert editor.notice.isVisible() and "reprises" in editor.notice.text()
    assert field(editor, "applicant.address.city").edit.text() == "Vénissieux"
    qtbot.waitUntil(lambda: saved(editor) and not kept.exists(), timeout=5000)
    city = DossierService(desk.db).get(dossier_id).facts["applicant"]["address"]["city"]
    assert city == "Vénissieux"
