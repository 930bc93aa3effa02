"""Screenshots of the papers windows: the filing assistant, the ANTS documents panel and
the print preview of the attestation d'inscription, into docs/screenshots/papers-ui-*.png.

Builds a throw-away desk with a validated category B dossier (the papers test fixtures),
imports a récépissé and an attestation, ticks two steps of the assistant.

Usage: xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/papers_ui_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from permis_desktop.paths import resolve_paths  # noqa: E402
from permis_desktop.services.context import DeskContext  # noqa: E402
from permis_desktop.services.dossiers import DossierService  # noqa: E402
from permis_desktop.services.filing_progress import FilingProgress  # noqa: E402
from permis_desktop.services.papers import PapersService  # noqa: E402
from permis_desktop.services.workflow import WorkflowService  # noqa: E402
from tests.outputs.conftest import (  # noqa: E402
    ADULT_B,
    SCHOOL,
    TODAY,
    add_pages,
    jpeg_bytes,
    pdf_bytes,
)
from tests.outputs.test_outputs_pure import ATTESTATION_LINES, RECEIPT_LINES  # noqa: E402


def wait(app: QApplication, condition, timeout_ms: int = 20000) -> None:
    """Run the event loop until `condition()` (a tool, not the product: no processEvents)."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: condition() and loop.quit())
    timer.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    timer.stop()
    if not condition():
        raise SystemExit("timed out waiting for the window")


def shoot(app: QApplication, widget: QWidget, path: Path) -> None:
    from PySide6.QtCore import QEventLoop

    widget.show()
    widget.raise_()
    loop = QEventLoop()
    QTimer.singleShot(400, loop.quit)  # let the layout and the PDF view settle
    loop.exec()
    widget.grab().save(str(path))
    print(path)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    from permis_desktop.ui.papers.assistant_panel import FilingAssistantPanel
    from permis_desktop.ui.papers.documents_panel import AntsDocumentsPanel
    from permis_desktop.ui.papers.preview import DocumentPreview
    from permis_desktop.ui.worker import Worker

    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve_paths(Path(tmp) / "data")
        ctx = DeskContext.open(paths)
        for key, value in SCHOOL.items():
            ctx.settings.set(key, value)
        dossier_id = DossierService(ctx.db).create(ADULT_B)
        add_pages(ctx, dossier_id, "identity", [jpeg_bytes(1011, 638, dpi=300)])
        add_pages(ctx, dossier_id, "proof_of_address", [jpeg_bytes(827, 1169, dpi=100)])
        WorkflowService(ctx.db, today=TODAY).validate(dossier_id)
        papers = PapersService.from_context(ctx, TODAY)
        papers.import_document(dossier_id, pdf_bytes(RECEIPT_LINES), "recepisse-depot.pdf")
        attestation = pdf_bytes(ATTESTATION_LINES, pages=2)
        papers.import_document(dossier_id, attestation, "attestation-inscription.pdf")
        FilingProgress(ctx.db).set_tick(dossier_id, "motif", True)
        worker = Worker()

        assistant = FilingAssistantPanel(ctx, worker, dossier_id, today=TODAY)
        assistant.resize(560, 760)
        wait(app, lambda: assistant.assistant is not None)
        assistant.step_list.setCurrentRow(1)
        shoot(app, assistant, out / "papers-ui-assistant.png")
        pieces_row = next(i for i, s in enumerate(assistant.assistant.steps) if s.id == "pieces")
        assistant.step_list.setCurrentRow(pieces_row)
        shoot(app, assistant, out / "papers-ui-assistant-pieces.png")
        assistant.close()

        documents = AntsDocumentsPanel(ctx, worker, dossier_id, today=TODAY)
        documents.resize(620, 360)
        wait(app, lambda: documents.table.rowCount() == 2)
        documents.table.selectRow(1)
        shoot(app, documents, out / "papers-ui-documents.png")
        documents.close()

        preview = DocumentPreview(
            worker,
            "Attestation d'inscription au permis de conduire",
            attestation,
            "attestation-inscription",
            duplex_required=True,
        )
        preview.resize(760, 780)
        preview.warning.setText(
            "⚠ Cette imprimante n'imprime pas en recto verso : les deux faces sont imprimées "
            "côte à côte sur une seule feuille, en paysage. Pour un vrai recto verso, "
            "choisissez une imprimante qui le permet."
        )
        preview.warning.show()
        shoot(app, preview, out / "papers-ui-preview.png")
        preview.close()

        from permis_desktop.app import labels
        from permis_desktop.ui.main_window import MainWindow

        window = MainWindow(ctx, worker, *labels())
        window.resize(1280, 800)
        window.show()
        window.open_dossier(dossier_id)
        wait(app, lambda: window.papers_dock.isVisible())
        wait(app, lambda: window.papers_dock.assistant.assistant is not None)
        window.papers_dock.assistant.step_list.setCurrentRow(2)
        shoot(app, window, out / "papers-ui-main-window.png")
        window.close_editor()
        window.close()
        worker.wait_idle()
        ctx.close()


if __name__ == "__main__":
    main()
