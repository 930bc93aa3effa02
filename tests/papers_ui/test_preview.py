"""The preview dialog: pages shown by QtPdf, printing with the duplex warning, PDF export."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from permis_desktop.ui.papers import printing
from permis_desktop.ui.papers.preview import DocumentPreview
from tests.outputs.conftest import pdf_bytes
from tests.outputs.test_outputs_pure import ATTESTATION_LINES


def make_preview(qtbot, worker, pdf: bytes, duplex: bool) -> DocumentPreview:
    preview = DocumentPreview(worker, "Attestation d'inscription", pdf, "attestation", duplex)
    qtbot.addWidget(preview)
    preview.show()
    return preview


def file_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_printer_without_duplex_warns_and_imposes_both_pages_on_one_sheet(
    qtbot, worker, tmp_path
) -> None:
    preview = make_preview(qtbot, worker, pdf_bytes(ATTESTATION_LINES, pages=2), True)
    assert preview.pages == 2 and preview.note.isVisible()
    assert not preview.warning.isVisible()
    with qtbot.waitSignal(preview.printed, timeout=20000) as done:
        mode = preview.start_print(file_printer(tmp_path / "p.pdf"), duplex_supported=False)
    assert mode == printing.TWO_UP
    assert preview.warning.isVisible() and "côte à côte" in preview.warning.text()
    assert done.args[0].sheets == 1
    assert "côte à côte" in preview.status.text()
    reader = PdfReader(tmp_path / "p.pdf")
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) > float(reader.pages[0].mediabox.height)


def test_printer_with_duplex_prints_recto_verso_without_warning(qtbot, worker, tmp_path) -> None:
    preview = make_preview(qtbot, worker, pdf_bytes(ATTESTATION_LINES, pages=2), True)
    with qtbot.waitSignal(preview.printed, timeout=20000) as done:
        mode = preview.start_print(file_printer(tmp_path / "d.pdf"), duplex_supported=True)
    assert mode == printing.DUPLEX and not preview.warning.isVisible()
    assert (done.args[0].pages, done.args[0].sheets) == (2, 1)
    assert "recto verso" in preview.status.text()
    assert len(PdfReader(tmp_path / "d.pdf").pages) == 2


def test_every_print_has_a_pdf_export(qtbot, worker, tmp_path) -> None:
    data = pdf_bytes(["Pièces à fournir"], pages=1)
    preview = make_preview(qtbot, worker, data, False)
    assert not preview.export_two_up_button.isVisible()
    with qtbot.waitSignal(preview.exported, timeout=10000) as done:
        preview.export_to(tmp_path / "liste")
    assert done.args[0] == tmp_path / "liste.pdf"
    assert (tmp_path / "liste.pdf").read_bytes() == data
    assert str(tmp_path / "liste.pdf") in preview.status.text()


def test_damaged_pdf_shows_a_french_message_instead_of_pages(qtbot, worker) -> None:
    preview = make_preview(qtbot, worker, b"%PDF-1.4 nothing", False)
    assert preview.error.isVisible() and "endommagé" in preview.error.text()
    assert not preview.print_button.isEnabled() and not preview.export_button.isEnabled()
