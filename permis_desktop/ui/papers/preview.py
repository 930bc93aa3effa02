"""Preview of a PDF in the application, with its print and export buttons.

Every document the desk hands out or keeps (client checklist, mandate, hosting attestation,
summary, the ANTS documents) opens here first: the user sees what will come out of the
printer, prints through the system dialog, or exports the PDF. A document that must be
printed recto/verso on one sheet (the attestation d'inscription, seed/ leaflet) says so,
and warns when the chosen printer cannot turn the sheet (see `printing`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.errors import BadInput
from permis_desktop.ui.papers import printing
from permis_desktop.ui.papers.widgets import NOTE_STYLE, WARNING_STYLE
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)


class DocumentPreview(QDialog):
    """Non-modal: the desk keeps working while the printer prints."""

    printed = Signal(object)  # printing.PrintOutcome
    exported = Signal(object)  # Path

    def __init__(
        self,
        worker: Worker,
        title: str,
        pdf: bytes,
        filename: str,
        duplex_required: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("document_preview")
        self.setWindowTitle(title)
        self.setAccessibleName(self.tr("Aperçu : {title}").format(title=title))
        self.worker = worker
        self.pdf = pdf
        self.filename = filename if filename.lower().endswith(".pdf") else filename + ".pdf"
        self.duplex_required = duplex_required
        # Made on the first "Imprimer": creating a QPrinter asks the print system (CUPS) for
        # its printers, which a preview that is only read or exported never needs.
        self._printer: QPrinter | None = None
        self._title = title
        self.busy = False
        self.loaded: printing.LoadedPdf | None = None
        self._build(title)
        self.resize(820, 900)

    def _build(self, title: str) -> None:
        heading = QLabel(f"<b>{title}</b>")
        heading.setObjectName("preview_title")
        heading.setTextFormat(Qt.TextFormat.RichText)

        self.note = QLabel(
            self.tr(
                "À imprimer recto verso sur une seule feuille : l'élève la présente à "
                "l'inspecteur le jour de l'examen."
            )
        )
        self.note.setObjectName("duplex_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setVisible(self.duplex_required)
        self.warning = QLabel()
        self.warning.setObjectName("two_up_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()

        self.view = QPdfView()
        self.view.setObjectName("pdf_view")
        self.view.setAccessibleName(self.tr("Pages du document"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.error = QLabel()
        self.error.setObjectName("preview_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(WARNING_STYLE)
        self.error.hide()
        try:
            self.loaded = printing.LoadedPdf(self.pdf)
        except BadInput as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.view.hide()
        else:
            self.view.setDocument(self.loaded.document)

        self.progress = QProgressBar()
        self.progress.setObjectName("print_progress")
        self.progress.setAccessibleName(self.tr("Impression en cours"))
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("preview_status")
        self.status.setWordWrap(True)

        self.print_button = QPushButton(self.tr("&Imprimer…"))
        self.print_button.setObjectName("print_button")
        self.print_button.setToolTip(self.tr("Imprimer avec la boîte d'impression (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_with_dialog)
        self.export_button = QPushButton(self.tr("&Exporter en PDF…"))
        self.export_button.setObjectName("export_button")
        self.export_button.setToolTip(self.tr("Enregistrer le PDF dans un fichier (Ctrl+S)"))
        self.export_button.clicked.connect(lambda: self.export_with_dialog(False))
        self.export_two_up_button = QPushButton(self.tr("Exporter &côte à côte…"))
        self.export_two_up_button.setObjectName("export_two_up_button")
        self.export_two_up_button.setToolTip(
            self.tr("Les deux faces côte à côte sur une page, pour une imprimante sans recto verso")
        )
        self.export_two_up_button.clicked.connect(lambda: self.export_with_dialog(True))
        self.export_two_up_button.setVisible(self.duplex_required)
        zoom_in = QPushButton("+")
        zoom_in.setObjectName("zoom_in")
        zoom_in.setAccessibleName(self.tr("Agrandir"))
        zoom_in.setToolTip(self.tr("Agrandir (Ctrl++)"))
        zoom_in.clicked.connect(lambda: self.zoom(1.25))
        zoom_out = QPushButton("−")
        zoom_out.setObjectName("zoom_out")
        zoom_out.setAccessibleName(self.tr("Réduire"))
        zoom_out.setToolTip(self.tr("Réduire (Ctrl+-)"))
        zoom_out.clicked.connect(lambda: self.zoom(0.8))
        for button in (zoom_in, zoom_out):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("M") * 3)
        self.pages_label = QLabel()
        self.pages_label.setObjectName("preview_pages")
        close = QPushButton(self.tr("Fermer"))
        close.setObjectName("close_preview")
        close.clicked.connect(self.close)
        for button in (self.print_button, self.export_button):
            button.setEnabled(self.loaded is not None)
        self.export_two_up_button.setEnabled(self.loaded is not None)

        QShortcut(QKeySequence.StandardKey.Print, self, self.print_with_dialog)
        QShortcut(QKeySequence.StandardKey.Save, self, lambda: self.export_with_dialog(False))
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self.zoom(1.25))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self.zoom(0.8))

        buttons = QHBoxLayout()
        buttons.addWidget(zoom_out)
        buttons.addWidget(zoom_in)
        buttons.addWidget(self.pages_label)
        buttons.addStretch(1)
        buttons.addWidget(self.export_two_up_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        if self.loaded is not None:
            self.pages_label.setText(self.tr("{n} page(s)").format(n=self.loaded.pages))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.note)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.print_button.setDefault(True)

    @property
    def pages(self) -> int:
        return self.loaded.pages if self.loaded is not None else 0

    def zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, self.view.zoomFactor() * factor)))

    # -- printing ---------------------------------------------------------------------------

    @property
    def printer(self) -> QPrinter:
        if self._printer is None:
            self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            self._printer.setDocName(self._title)
        return self._printer

    def print_with_dialog(self) -> None:
        if self.busy or self.loaded is None:
            return
        if self.duplex_required and printing.duplex_supported(self.printer):
            self.printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle(self.tr("Imprimer"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_print(self.printer)

    def start_print(self, printer: QPrinter, duplex_supported: bool | None = None) -> str:
        """Print on `printer` in the background; returns the mode chosen (see `printing`).

        `duplex_supported` None asks the printer (tests pass what a real printer would say)."""
        supported = (
            printing.duplex_supported(printer) if duplex_supported is None else duplex_supported
        )
        mode = printing.choose_mode(self.duplex_required, supported)
        if mode == printing.TWO_UP:
            self.warning.setText(
                self.tr(
                    "⚠ Cette imprimante n'imprime pas en recto verso : les deux faces sont "
                    "imprimées côte à côte sur une seule feuille, en paysage. Pour un vrai recto "
                    "verso, choisissez une imprimante qui le permet."
                )
            )
            self.warning.show()
        else:
            self.warning.hide()
        self._set_busy(True)
        self.status.setText(self.tr("Impression en cours…"))
        pdf = self.pdf

        def job(state: Any) -> printing.PrintOutcome:
            data = printing.prepare(pdf, mode)
            state.check()
            return printing.print_pdf(printer, data, mode, state.progress, lambda: state.cancelled)

        self.worker.run_task(
            job,
            on_success=self._on_printed,
            on_error=self._on_failed,
            on_progress=self._on_progress,
            owner=self,
        )
        return mode

    def _on_progress(self, done: int, total: int, _message: str) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    def _on_printed(self, outcome: printing.PrintOutcome) -> None:
        self._set_busy(False)
        if outcome.mode == printing.DUPLEX:
            text = self.tr("Imprimé recto verso : {pages} faces sur {sheets} feuille(s).")
        elif outcome.mode == printing.TWO_UP:
            text = self.tr("Imprimé côte à côte : {pages} page(s) sur {sheets} feuille(s).")
        else:
            text = self.tr("Imprimé : {pages} page(s).")
        text = text.format(pages=outcome.pages, sheets=outcome.sheets)
        if outcome.to_file:
            text += " " + self.tr("Fichier : {path}").format(path=outcome.to_file)
        self.status.setText(text)
        self.printed.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status.setText(self.tr("Impression impossible : {error}").format(error=exc))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.print_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)  # until the first page is done

    # -- export -----------------------------------------------------------------------------

    def export_with_dialog(self, two_up: bool) -> None:
        if self.loaded is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = self.filename
        if two_up:
            name = name[:-4] + "-cote-a-cote.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Exporter en PDF"),
            str(Path(folder) / name),
            self.tr("Documents PDF (*.pdf)"),
        )
        if path:
            self.export_to(Path(path), two_up)

    def export_to(self, path: Path, two_up: bool = False) -> None:
        pdf = self.pdf
        mode = printing.TWO_UP if two_up else printing.SIMPLE
        if not two_up and self.duplex_required:
            mode = printing.DUPLEX  # the file asks its reader for recto/verso

        self.worker.run_task(
            lambda _s: printing.export_pdf(path, printing.prepare(pdf, mode)),
            on_success=self._on_exported,
            on_error=lambda exc: self.status.setText(
                self.tr("Export impossible : {error}").format(error=exc)
            ),
            owner=self,
        )

    def _on_exported(self, path: Path) -> None:
        self.status.setText(self.tr("PDF enregistré : {path}").format(path=path))
        self.exported.emit(path)
