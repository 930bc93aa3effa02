"""The print path on a real file printer (QPrinter in PdfFormat): duplex, two-up fallback,
pictures of the pages at the printer's resolution, and the PDF export."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSize
from PySide6.QtPrintSupport import QPrinter

from permis_desktop.errors import BadInput
from permis_desktop.ui.papers import printing
from tests.outputs.conftest import pdf_bytes
from tests.outputs.test_outputs_pure import ATTESTATION_LINES


@pytest.fixture
def attestation() -> bytes:
    return pdf_bytes(ATTESTATION_LINES, pages=2)


def file_printer(path, dpi: int = 150) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    return printer


def text_of(page) -> str:
    return " ".join(page.extract_text().split())


def test_a_file_printer_has_no_duplex_so_the_attestation_is_imposed(
    qapp, attestation, tmp_path
) -> None:
    printer = file_printer(tmp_path / "out.pdf")
    assert printing.duplex_supported(printer) is False
    mode = printing.choose_mode(duplex_required=True, supported=False)
    assert mode == printing.TWO_UP
    outcome = printing.print_pdf(printer, printing.prepare(attestation, mode), mode)
    assert (outcome.pages, outcome.sheets, outcome.to_file) == (1, 1, str(tmp_path / "out.pdf"))
    reader = PdfReader(tmp_path / "out.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = text_of(reader.pages[0])
    assert "ATTESTATION D'INSCRIPTION" in text
    assert "Page 1" in text and "Page 2" in text  # recto and verso on one side
    assert printer.duplex() == QPrinter.DuplexMode.DuplexNone


def test_duplex_keeps_both_pages_and_asks_the_printer_for_long_side(
    qapp, attestation, tmp_path
) -> None:
    printer = file_printer(tmp_path / "duplex.pdf")
    mode = printing.choose_mode(duplex_required=True, supported=True)
    assert mode == printing.DUPLEX
    outcome = printing.print_pdf(printer, printing.prepare(attestation, mode), mode)
    assert (outcome.pages, outcome.sheets) == (2, 1)
    assert outcome.mode == printing.DUPLEX
    reader = PdfReader(tmp_path / "duplex.pdf")
    # A file printer keeps no duplex setting: the PDF asks its reader for recto/verso.
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Duplex"] == "/DuplexFlipLongEdge"
    assert len(reader.pages) == 2
    assert "Page 1" in text_of(reader.pages[0]) and "Page 2" in text_of(reader.pages[1])
    box = reader.pages[0].mediabox
    assert float(box.height) > float(box.width)


def ink(image, left: float, right: float) -> int:
    """Dark pixels in a vertical band of the image (fractions of its width)."""
    count = 0
    for x in range(int(image.width() * left), int(image.width() * right), 2):
        for y in range(0, image.height(), 2):
            if image.pixelColor(x, y).lightness() < 128:
                count += 1
    return count


def test_pictures_of_both_pages_land_on_one_landscape_sheet(qapp, attestation, tmp_path) -> None:
    """The path a real printer takes: pages rendered by QtPdf and painted on the QPrinter."""
    printer = file_printer(tmp_path / "raster.pdf", dpi=100)
    imposed = printing.prepare(attestation, printing.TWO_UP)
    outcome = printing.print_pdf(printer, imposed, printing.TWO_UP, rasterise=True)
    assert outcome.pages == 1
    reader = PdfReader(tmp_path / "raster.pdf")
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    images = list(page.images)
    assert len(images) == 1
    # Rendered at the printer's resolution: about 100 dpi over a landscape A4 sheet.
    assert 1000 <= images[0].image.width <= 1170
    # Read the printed sheet back: text ink in the left half and in the right half.
    printed = printing.LoadedPdf((tmp_path / "raster.pdf").read_bytes())
    sheet = printed.render(0, QSize(600, 424))
    printed.close()
    left, right = ink(sheet, 0.02, 0.48), ink(sheet, 0.52, 0.98)
    assert left > 20 and right > 20
    assert ink(sheet, 0.0, 1.0) == pytest.approx(left + right, abs=5)


def test_render_resolution_is_capped(qapp, attestation, tmp_path) -> None:
    printer = file_printer(tmp_path / "hi.pdf", dpi=1200)
    printing.print_pdf(printer, attestation, printing.SIMPLE, rasterise=True)
    reader = PdfReader(tmp_path / "hi.pdf")
    assert len(reader.pages) == 2
    width = reader.pages[0].images[0].image.width
    assert width <= 8.27 * printing.MAX_RENDER_DPI + 1  # not 1200 dpi (9,900 px)
    assert width >= 8.27 * printing.MAX_RENDER_DPI * 0.9


def test_print_runs_on_the_worker_with_progress(qtbot, worker, attestation, tmp_path) -> None:
    printer = file_printer(tmp_path / "w.pdf", dpi=72)
    seen: list[tuple[int, int]] = []
    results: list[printing.PrintOutcome] = []
    worker.run_task(
        lambda state: printing.print_pdf(
            printer, attestation, printing.SIMPLE, state.progress, lambda: state.cancelled, True
        ),
        on_success=results.append,
        on_progress=lambda done, total, _m: seen.append((done, total)),
    )
    qtbot.waitUntil(lambda: bool(results), timeout=20000)
    assert results[0].pages == 2 and seen[-1] == (2, 2)
    assert len(PdfReader(tmp_path / "w.pdf").pages) == 2


def test_damaged_pdf_is_refused_in_french(qapp, tmp_path) -> None:
    with pytest.raises(BadInput, match="endommagé"):
        printing.print_pdf(file_printer(tmp_path / "x.pdf"), b"%PDF-1.4 garbage", "simple")
    assert not (tmp_path / "x.pdf").exists()


def test_export_writes_the_same_bytes_with_a_pdf_suffix(attestation, tmp_path) -> None:
    written = printing.export_pdf(tmp_path / "attestation", attestation)
    assert written.name == "attestation.pdf" and written.read_bytes() == attestation
    two_up = printing.export_pdf(
        tmp_path / "cote.pdf", printing.prepare(attestation, printing.TWO_UP)
    )
    assert len(PdfReader(io.BytesIO(two_up.read_bytes())).pages) == 1
