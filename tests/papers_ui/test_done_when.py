"""Issue "Done when", through the main window: from a ready dossier, print the client
checklist and the mandate, export the kit, file with the assistant, record the ANTS number,
import the récépissé and print the attestation recto/verso (file printers stand in for the
real ones)."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter

from permis_desktop.services.dossiers import DossierService
from tests.outputs.conftest import pdf_bytes
from tests.outputs.test_outputs_pure import ATTESTATION_LINES, RECEIPT_LINES
from tests.ui.helpers import open_window


def file_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def print_preview(qtbot, preview, path, duplex_supported=False) -> PdfReader:
    with qtbot.waitSignal(preview.printed, timeout=20000):
        preview.start_print(file_printer(path), duplex_supported=duplex_supported)
    return PdfReader(path)


def test_a_ready_dossier_from_the_counter_to_the_examiner(
    qtbot, school, worker, ready_dossier, tmp_path
) -> None:
    window = open_window(qtbot, school, worker)
    actions, dock = window.papers_actions, window.papers_dock
    window.open_dossier(ready_dossier)
    qtbot.waitUntil(dock.isVisible, timeout=20000)

    # The client checklist and the mandate, printed.
    for action, name, text in (
        (actions.action_checklist, "checklist.pdf", "Martin"),
        (actions.action_mandate, "mandate.pdf", "mandat"),
    ):
        with qtbot.waitSignal(actions.preview_opened, timeout=20000) as opened:
            action.trigger()
        reader = print_preview(qtbot, opened.args[0], tmp_path / name)
        assert text.lower() in " ".join(p.extract_text() for p in reader.pages).lower()
        opened.args[0].close()

    # The submission kit.
    with qtbot.waitSignal(actions.kit_exported, timeout=20000) as exported:
        actions.export_kit(tmp_path / "kits")
    assert exported.args[0].zip_path.is_file()
    actions.dialog.close()

    # Filing with the assistant: copy, tick, record the number.
    assistant = dock.assistant
    qtbot.waitUntil(lambda: assistant.assistant is not None, timeout=20000)
    assistant.copy_number(1)
    assert QGuiApplication.clipboard().text() == assistant.rows["motif"][0].field.text
    assistant.tick_and_next()
    assistant.number_edit.setText("24PC1234567")
    assistant.record_button.click()
    qtbot.waitUntil(
        lambda: (
            window.editor is not None
            and window.editor.status == "submitted"
            and dock.assistant is not None
            and dock.assistant.assistant is not None
        ),
        timeout=20000,
    )
    assert DossierService(school.db).get(ready_dossier).status == "submitted"

    # The récépissé, then the attestation printed on a printer without duplex.
    documents = dock.documents
    receipt = tmp_path / "recepisse.pdf"
    receipt.write_bytes(pdf_bytes(RECEIPT_LINES))
    attestation = tmp_path / "attestation.pdf"
    attestation.write_bytes(pdf_bytes(ATTESTATION_LINES, pages=2))
    documents.import_files([receipt, attestation])
    qtbot.waitUntil(lambda: documents.table.rowCount() == 2, timeout=10000)
    assert documents.receipt_label.property("present") is True
    row = next(i for i, d in enumerate(documents.rows) if d.duplex_required)
    documents.table.selectRow(row)
    with qtbot.waitSignal(documents.preview_opened, timeout=10000) as opened:
        documents.open_selected()
    preview = opened.args[0]
    reader = print_preview(qtbot, preview, tmp_path / "attestation-printed.pdf")
    assert len(reader.pages) == 1 and preview.warning.isVisible()
    reader = print_preview(qtbot, preview, tmp_path / "attestation-duplex.pdf", True)
    assert len(reader.pages) == 2 and not preview.warning.isVisible()
    preview.close()
