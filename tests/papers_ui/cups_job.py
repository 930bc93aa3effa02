"""Print the attestation d'inscription on a CUPS queue, as the preview does, and say how.

Run in a subprocess by test_cups_queue.py: libcups reads CUPS_SERVER once per process, and
the other tests of the session have already loaded Qt's CUPS plugin without it.
Usage: python -m tests.papers_ui.cups_job PRINTER
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(name: str) -> None:
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
    from PySide6.QtWidgets import QApplication

    from permis_desktop.ui.papers import printing
    from tests.outputs.conftest import pdf_bytes
    from tests.outputs.test_outputs_pure import ATTESTATION_LINES

    app = QApplication.instance() or QApplication([])
    info = QPrinterInfo.printerInfo(name)
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setResolution(100)  # small pictures: the test reads them back
    supported = printing.duplex_supported(printer)
    mode = printing.choose_mode(True, supported)
    data = printing.prepare(pdf_bytes(ATTESTATION_LINES, pages=2), mode)
    outcome = printing.print_pdf(printer, data, mode)
    print(
        json.dumps(
            {
                "found": not info.isNull(),
                "native": printer.outputFormat() == QPrinter.OutputFormat.NativeFormat,
                "supported": supported,
                "mode": mode,
                "pages": outcome.pages,
            }
        )
    )
    del app


if __name__ == "__main__":
    main(sys.argv[1])
