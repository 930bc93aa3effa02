#!/usr/bin/env python3
"""Speed and memory of printing and of the filing assistant, as the desk uses them.

The attestation d'inscription is printed while the student waits: rendering its two pages
for the printer (QtPdf, at the printer's resolution capped to 300 dpi) and imposing them
two-up must take about a second; the assistant beside a dossier (kit prepared for the
drag-out files, fields read) must be ready within two seconds. Peak memory of one print job
stays bounded by one page picture. Offscreen Qt, a file printer, a throw-away desk.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtPrintSupport import QPrinter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench._timing import median_seconds  # noqa: E402
from permis_desktop.paths import resolve_paths  # noqa: E402
from permis_desktop.services.context import DeskContext  # noqa: E402
from permis_desktop.services.dossiers import DossierService  # noqa: E402
from permis_desktop.services.filing_progress import FilingProgress  # noqa: E402
from permis_desktop.services.papers import PapersService  # noqa: E402
from permis_desktop.services.workflow import WorkflowService  # noqa: E402
from permis_desktop.ui.papers import printing  # noqa: E402
from tests.outputs.conftest import (  # noqa: E402
    ADULT_B,
    SCHOOL,
    TODAY,
    add_pages,
    jpeg_bytes,
    pdf_bytes,
)
from tests.outputs.test_outputs_pure import ATTESTATION_LINES  # noqa: E402

RUNS = 5


def timed(action: Callable[[], object]) -> float:
    return median_seconds(action, RUNS)


def printer(path: Path, dpi: int) -> QPrinter:
    made = QPrinter(QPrinter.PrinterMode.HighResolution)
    made.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    made.setOutputFileName(str(path))
    made.setResolution(dpi)
    return made


def main() -> int:
    app = QApplication.instance() or QApplication([])
    rows: list[tuple[str, str, str, bool]] = []
    attestation = pdf_bytes(ATTESTATION_LINES, pages=2)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def raster(mode: str, dpi: int) -> None:
            printing.print_pdf(
                printer(out / "p.pdf", dpi),
                printing.prepare(attestation, mode),
                mode,
                rasterise=True,
            )

        cases: list[tuple[str, Callable[[], object], float]] = [
            (
                "attestation, 2 pages rendered and printed at 300 dpi (duplex)",
                lambda: raster(printing.DUPLEX, 300),
                2.0,
            ),
            (
                "attestation two-up (impose + render + print, 300 dpi)",
                lambda: raster(printing.TWO_UP, 300),
                2.0,
            ),
            (
                "attestation to a PDF file (vector, two-up)",
                lambda: printing.print_pdf(
                    printer(out / "f.pdf", 300),
                    printing.prepare(attestation, printing.TWO_UP),
                    printing.TWO_UP,
                ),
                0.5,
            ),
            (
                "preview load (QPdfDocument over the bytes)",
                lambda: printing.LoadedPdf(attestation).close(),
                0.1,
            ),
        ]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for name, action, target in cases:
            median = timed(action)
            rows.append((name, f"<= {target:.1f} s", f"{median * 1000:.0f} ms", median <= target))
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        rows.append(
            ("peak memory growth over the print jobs", "<= 150 MB", f"{grown:.0f} MB", grown <= 150)
        )

        ctx = DeskContext.open(resolve_paths(out / "data"))
        try:
            for key, value in SCHOOL.items():
                ctx.settings.set(key, value)
            dossier = DossierService(ctx.db).create(ADULT_B)
            add_pages(ctx, dossier, "identity", [jpeg_bytes(1011, 1276, 300)])
            add_pages(ctx, dossier, "proof_of_address", [jpeg_bytes(1654, 2339, 200)])
            WorkflowService(ctx.db, today=TODAY).validate(dossier)
            papers = PapersService.from_context(ctx, today=TODAY)
            progress = FilingProgress(ctx.db)

            def assistant() -> None:
                kit = papers.export_kit(dossier, out / "kits")
                papers.filing_assistant(dossier, kit)
                progress.ticks(dossier)

            median = timed(assistant)
            rows.append(
                (
                    "filing assistant ready (kit + fields + ticks)",
                    "<= 2.0 s",
                    f"{median * 1000:.0f} ms",
                    median <= 2.0,
                )
            )
            median = timed(lambda: progress.set_tick(dossier, "motif", True))
            rows.append(
                ("tick a step (one write)", "<= 0.1 s", f"{median * 1000:.0f} ms", median <= 0.1)
            )
        finally:
            ctx.close()
    del app
    print(f"papers printing and filing assistant, median of {RUNS} runs, {dt.date.today()}")
    print("| measure | target | result | ok? |")
    print("|---|---|---|---|")
    for name, target, result, ok in rows:
        print(f"| {name} | {target} | {result} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
