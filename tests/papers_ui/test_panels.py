"""The filing assistant and the ANTS documents panel on a real store (validated dossier)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication

from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.filing_progress import FilingProgress
from permis_desktop.ui.papers.assistant_panel import FilingAssistantPanel
from permis_desktop.ui.papers.documents_panel import AntsDocumentsPanel
from tests.outputs.conftest import TODAY, pdf_bytes
from tests.outputs.test_outputs_pure import ATTESTATION_LINES, RECEIPT_LINES


def open_assistant(qtbot, school, worker, dossier_id) -> FilingAssistantPanel:
    panel = FilingAssistantPanel(school, worker, dossier_id, today=TODAY)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        pass
    return panel


def test_copy_buttons_and_shortcuts_put_the_field_in_the_clipboard(
    qtbot, school, worker, ready_dossier
) -> None:
    panel = open_assistant(qtbot, school, worker, ready_dossier)
    panel.show()
    steps = [panel.step_list.item(i).text() for i in range(panel.step_list.count())]
    assert steps[:5] == [
        "1. Motif de la demande",
        "2. État civil",
        "3. Adresse et contact",
        "4. Photo et signature",
        "5. Pièces justificatives",
    ]
    panel.step_list.setCurrentRow(1)  # état civil
    rows = panel.rows["etat_civil"]
    birth_name = next(r for r in rows if r.field.key == "applicant.birth_name")
    qtbot.mouseClick(birth_name.button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Martin"
    assert "Alt+" in birth_name.button.toolTip() or rows.index(birth_name) >= 9
    # The focus moved on to the next field's button: Ctrl+Shift+C copies it.
    following = rows[rows.index(birth_name) + 1]
    qtbot.waitUntil(lambda: following.button.hasFocus())
    qtbot.keyClick(
        following.button,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert QGuiApplication.clipboard().text() == following.field.text
    # Alt+n copies the n-th field of the step shown.
    panel.step_list.setCurrentRow(2)  # adresse
    address = panel.rows["adresse"]
    qtbot.keyClick(panel.stack.currentWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert address[2].field.key == "applicant.address.postal_code"
    assert QGuiApplication.clipboard().text() == "69003"
    assert "Alt+3" in address[2].button.toolTip()


def test_pieces_come_in_form_order_with_their_kit_files_to_drag(
    qtbot, school, worker, ready_dossier
) -> None:
    panel = open_assistant(qtbot, school, worker, ready_dossier)
    files = [label for label in panel.piece_labels if label.path is not None]
    assert [label.path.name for label in files] == [
        "01-justificatif-identite.pdf",
        "02-justificatif-domicile.pdf",
    ]
    for label in files:
        assert label.path.is_file()
        urls = label.mime_data().urls()
        assert [u.toLocalFile() for u in urls] == [str(label.path)]
    assert panel.assistant is not None and panel.assistant.kit_folder is not None
    assert panel.kit_button.isEnabled()


def test_ticks_are_kept_and_the_assistant_resumes_at_the_first_open_step(
    qtbot, school, worker, ready_dossier
) -> None:
    panel = open_assistant(qtbot, school, worker, ready_dossier)
    assert panel.step_list.currentRow() == 0
    panel.tick_and_next()
    panel.tick_and_next()
    progress = FilingProgress(school.db)
    qtbot.waitUntil(lambda: progress.ticks(ready_dossier) == ["motif", "etat_civil"])
    assert panel.step_list.currentRow() == 2
    again = open_assistant(qtbot, school, worker, ready_dossier)
    assert again.step_list.item(0).checkState() == Qt.CheckState.Checked
    assert again.step_list.item(2).checkState() == Qt.CheckState.Unchecked
    assert again.step_list.currentRow() == 2


def test_recording_the_ants_number_moves_the_dossier_and_shows_it(
    qtbot, school, worker, ready_dossier
) -> None:
    panel = open_assistant(qtbot, school, worker, ready_dossier)
    assert "Pas encore déposé" in panel.filing_label.text()
    panel.number_edit.setText("x")  # too short for an ANTS number
    panel.record_button.click()
    qtbot.waitUntil(lambda: "invalide" in panel.message.text(), timeout=10000)
    assert DossierService(school.db).get(ready_dossier).status == "ready"
    panel.number_edit.setText("24PC1234567")
    panel.date_edit.setDate(dt.date(2026, 11, 25))
    with qtbot.waitSignal(panel.dossier_changed, timeout=10000):
        panel.record_button.click()
    detail = DossierService(school.db).get(ready_dossier)
    assert detail.status == "submitted"
    assert "24PC1234567" in panel.filing_label.text()
    assert "25/11/2026" in panel.filing_label.text()
    assert "Envoyé" in panel.message.text() or "envoy" in panel.message.text().lower()


def test_a_draft_has_no_assistant_and_says_why(qtbot, school, worker) -> None:
    from tests.outputs.conftest import ADULT_B

    draft = DossierService(school.db).create(ADULT_B)
    panel = open_assistant(qtbot, school, worker, draft)
    assert "validez-le" in panel.message.text()
    assert not panel.step_list.isEnabled()


def open_documents(qtbot, school, worker, dossier_id) -> AntsDocumentsPanel:
    panel = AntsDocumentsPanel(school, worker, dossier_id, today=TODAY)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.receipt is not None, timeout=10000)
    return panel


def drop(panel, files) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)


def test_dropped_receipt_is_stored_listed_with_its_date_and_flips_the_b_state(
    qtbot, school, worker, ready_dossier, tmp_path
) -> None:
    panel = open_documents(qtbot, school, worker, ready_dossier)
    panel.show()
    assert panel.receipt_label.isVisible()
    assert panel.receipt_label.property("present") is False
    assert "pas encore" in panel.receipt_label.text()
    assert panel.empty.isVisible() and not panel.table.isVisible()
    source = tmp_path / "recepisse.pdf"
    source.write_bytes(pdf_bytes(RECEIPT_LINES))
    with qtbot.waitSignal(panel.documents_changed, timeout=10000):
        drop(panel, [source, tmp_path / "notes.txt"])
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10000)
    assert panel.table.item(0, 0).text() == "Récépissé de dépôt"
    assert panel.table.item(0, 1).text() == "25/11/2026"
    assert panel.table.item(0, 2).text() == "recepisse.pdf"
    assert panel.receipt_label.property("present") is True
    assert "l'élève peut commencer la conduite sur route" in panel.receipt_label.text()
    # Stored in the dossier: a fresh panel over the same store lists it.
    again = open_documents(qtbot, school, worker, ready_dossier)
    qtbot.waitUntil(lambda: again.table.rowCount() == 1)
    from permis_desktop.services.papers import PapersService

    stored = PapersService.from_context(school).documents(ready_dossier)
    assert [d.filename for d in stored] == ["recepisse.pdf"]
    assert school.blobs.get(stored[0].sha256) == source.read_bytes()


def test_a_bad_file_is_refused_in_french_and_the_others_imported(
    qtbot, school, worker, ready_dossier, tmp_path
) -> None:
    panel = open_documents(qtbot, school, worker, ready_dossier)
    bad = tmp_path / "faux.pdf"
    bad.write_bytes(b"GIF89a")
    good = tmp_path / "attestation.pdf"
    good.write_bytes(pdf_bytes(ATTESTATION_LINES, pages=2))
    panel.import_files([bad, good])
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10000)
    assert "Refusé : faux.pdf" in panel.message.text()
    assert "Attestation d'inscription" in panel.table.item(0, 0).text()
    assert "recto verso" in panel.table.item(0, 0).toolTip()


def test_the_attestation_opens_in_the_preview_marked_for_duplex(
    qtbot, school, worker, ready_dossier, tmp_path
) -> None:
    panel = open_documents(qtbot, school, worker, ready_dossier)
    source = tmp_path / "attestation.pdf"
    source.write_bytes(pdf_bytes(ATTESTATION_LINES, pages=2))
    panel.import_files([source])
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10000)
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.preview_opened, timeout=10000) as opened:
        panel.open_selected()
    preview = opened.args[0]  # a child of the panel's window, deleted when closed
    assert preview.pages == 2 and preview.duplex_required
    assert preview.note.isVisible() and preview.export_two_up_button.isVisible()
    with qtbot.waitSignal(preview.destroyed, timeout=5000):
        preview.close()


def test_removing_a_document_unflips_the_receipt(qtbot, school, worker, ready_dossier) -> None:
    from permis_desktop.services.papers import PapersService

    PapersService.from_context(school, TODAY).import_document(
        ready_dossier, pdf_bytes(RECEIPT_LINES), "r.pdf"
    )
    panel = open_documents(qtbot, school, worker, ready_dossier)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1)
    assert panel.receipt_label.property("present") is True
    panel.table.selectRow(0)
    panel.remove_button.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=10000)
    assert panel.receipt_label.property("present") is False


def test_every_control_of_the_panels_has_an_accessible_name(
    qtbot, school, worker, ready_dossier
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget

    panels = [
        open_assistant(qtbot, school, worker, ready_dossier),
        open_documents(qtbot, school, worker, ready_dossier),
    ]
    unnamed = []
    for panel in panels:
        for widget in panel.findChildren(QWidget):
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
                continue  # the line edit inside the date edit
            if isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox) and not (
                widget.accessibleName()
            ):
                unnamed.append(widget.objectName() or type(widget).__name__)
            if (
                isinstance(widget, QAbstractButton)
                and widget.objectName() != "qt_tableview_cornerbutton"  # hidden, Qt's own
                and not (widget.text() or widget.accessibleName())
            ):
                unnamed.append(f"button {widget.objectName()}")
    assert unnamed == []
    copy_buttons = [b for rows in panels[0].rows.values() for r in rows for b in [r.button]]
    assert copy_buttons and all(b.accessibleName().startswith("Copier ") for b in copy_buttons)


def test_correcting_an_unrecognised_scan_makes_it_the_receipt(
    qtbot, school, worker, ready_dossier
) -> None:
    from permis_desktop.services.papers import PapersService
    from permis_desktop.ui.papers.documents_panel import DocumentEditDialog

    doc = PapersService.from_context(school, TODAY).import_document(
        ready_dossier, pdf_bytes(["Scan sans titre"]), "scan.pdf"
    )
    panel = open_documents(qtbot, school, worker, ready_dossier)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1)
    assert panel.table.item(0, 0).text() == "Autre document ANTS"
    assert panel.receipt_label.property("present") is False
    dialog = DocumentEditDialog(doc, panel)
    dialog.kind.setCurrentIndex(dialog.kind.findData("receipt"))
    dialog.date.setDate(dt.date(2026, 11, 20))
    kind, issued_on = dialog.values()
    assert (kind, issued_on) == ("receipt", dt.date(2026, 11, 20))
    with qtbot.waitSignal(panel.documents_changed, timeout=10000):
        panel.update_document(doc.id, kind, issued_on)
    qtbot.waitUntil(lambda: panel.table.item(0, 0).text() == "Récépissé de dépôt", timeout=10000)
    assert panel.table.item(0, 1).text() == "20/11/2026"
    qtbot.waitUntil(lambda: panel.receipt_label.property("present") is True)
