"""The ANTS documents of a dossier: import by drag and drop or file dialog, list with dates.

ANTS issues PDFs the school must keep and print: the récépissé de dépôt (for a category B
registration, with it the student may start driving lessons on the road, seed/ leaflet),
the attestation d'inscription (printed recto/verso on one sheet for the examiner), and
others. The panel stores them in the dossier (`PapersService.import_document`, kind and date
recognised from the text), lists them, and opens each in the preview to print or export.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.outputs.ants_documents import KINDS
from permis_desktop.outputs.pdfbase import short_date
from permis_desktop.services.context import DeskContext
from permis_desktop.services.papers import AntsDocumentInfo, PapersService, ReceiptStatus
from permis_desktop.ui.papers.printing import qdate
from permis_desktop.ui.papers.widgets import OK_STYLE, WARNING_STYLE, read_only_table
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)


def dropped_pdfs(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [
        Path(url.toLocalFile())
        for url in mime.urls()
        if url.isLocalFile() and url.toLocalFile().lower().endswith(".pdf")
    ]


class AntsDocumentsPanel(QWidget):
    documents_changed = Signal(str)  # dossier id
    receipt_shown = Signal(object)  # ReceiptStatus, after each reading
    preview_opened = Signal(object)  # the DocumentPreview shown

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        dossier_id: str,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ants_documents_panel")
        self.setAccessibleName(self.tr("Documents de l'ANTS"))
        self.setAcceptDrops(True)
        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.papers = PapersService.from_context(ctx, today)
        self.rows: list[AntsDocumentInfo] = []
        self.receipt: ReceiptStatus | None = None
        self.preview: Any = None
        self._build()
        self.reload()

    def _build(self) -> None:
        title = QLabel(self.tr("<b>Documents de l'ANTS</b>"))
        self.receipt_label = QLabel()
        self.receipt_label.setObjectName("receipt_status")
        self.receipt_label.setWordWrap(True)
        self.receipt_label.setAccessibleName(self.tr("Récépissé de dépôt"))
        self.receipt_label.hide()

        self.table = read_only_table(
            "ants_documents",
            self.tr("Documents de l'ANTS du dossier"),
            [self.tr("Document"), self.tr("Date"), self.tr("Fichier")],
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemActivated.connect(lambda _item: self.open_selected())

        self.empty = QLabel(
            self.tr(
                "Aucun document de l'ANTS. Glissez ici le récépissé de dépôt ou l'attestation "
                "d'inscription (PDF), ou cliquez sur « Importer un PDF »."
            )
        )
        self.empty.setObjectName("ants_documents_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("border: 2px dashed #9E9E9E; border-radius: 6px; padding: 12px;")

        self.import_button = QPushButton(self.tr("&Importer un PDF…"))
        self.import_button.setObjectName("import_ants_document")
        self.import_button.setToolTip(
            self.tr("Ajouter un PDF reçu de l'ANTS (ou glissez-le sur ce panneau)")
        )
        self.import_button.clicked.connect(self.choose_files)
        self.open_button = QPushButton(self.tr("&Aperçu et impression…"))
        self.open_button.setObjectName("open_ants_document")
        self.open_button.setToolTip(self.tr("Voir, imprimer ou exporter le document (Entrée)"))
        self.open_button.clicked.connect(self.open_selected)
        self.edit_button = QPushButton(self.tr("&Corriger…"))
        self.edit_button.setObjectName("edit_ants_document")
        self.edit_button.setToolTip(self.tr("Corriger le type ou la date du document"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton(self.tr("&Retirer"))
        self.remove_button.setObjectName("remove_ants_document")
        self.remove_button.setToolTip(self.tr("Retirer le document du dossier (Suppr)"))
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(
            QKeySequence.StandardKey.Delete,
            self.table,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.message = QLabel()
        self.message.setObjectName("ants_documents_message")
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.receipt_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self._update_buttons()

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        papers, dossier_id = self.papers, self.dossier_id
        self.worker.run_task(
            lambda _s: (papers.documents(dossier_id), papers.receipt_status(dossier_id)),
            on_success=self._show,
            on_error=self._on_error,
            owner=self,
            pool="db",
        )

    def _show(self, loaded: tuple[list[AntsDocumentInfo], ReceiptStatus]) -> None:
        self.rows, self.receipt = loaded
        self.table.setRowCount(len(self.rows))
        for row, doc in enumerate(self.rows):
            label = QTableWidgetItem(doc.label)
            if doc.duplex_required:
                label.setToolTip(self.tr("À imprimer recto verso sur une seule feuille"))
            label.setData(Qt.ItemDataRole.UserRole, doc.id)
            self.table.setItem(row, 0, label)
            date = QTableWidgetItem(short_date(doc.issued_on) if doc.issued_on else "—")
            date.setData(Qt.ItemDataRole.AccessibleTextRole, date.text())
            self.table.setItem(row, 1, date)
            name = QTableWidgetItem(doc.filename)
            name.setToolTip(
                self.tr("{pages} page(s), importé le {date}").format(
                    pages=doc.pages, date=short_date(doc.imported_at.date())
                )
            )
            self.table.setItem(row, 2, name)
        has_rows = bool(self.rows)
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self._show_receipt(self.receipt)
        self._update_buttons()
        self.receipt_shown.emit(self.receipt)

    def _show_receipt(self, receipt: ReceiptStatus) -> None:
        if not receipt.applies:
            self.receipt_label.hide()
            return
        if receipt.present and receipt.document is not None:
            dated = (
                self.tr(" du {date}").format(date=short_date(receipt.document.issued_on))
                if receipt.document.issued_on
                else ""
            )
            self.receipt_label.setText(
                self.tr(
                    "✔ Récépissé de dépôt{dated} reçu : l'élève peut commencer la conduite sur "
                    "route."
                ).format(dated=dated)
            )
            self.receipt_label.setStyleSheet(OK_STYLE)
        else:
            self.receipt_label.setText(
                self.tr(
                    "✖ Récépissé de dépôt pas encore importé : l'élève ne peut pas encore "
                    "conduire sur route. Importez-le dès que l'ANTS l'a délivré."
                )
            )
            self.receipt_label.setStyleSheet(WARNING_STYLE)
        self.receipt_label.setProperty("present", receipt.present)
        self.receipt_label.show()

    def _on_error(self, exc: BaseException) -> None:
        self.message.setText(str(exc))

    def selected(self) -> AntsDocumentInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for button in (self.open_button, self.edit_button, self.remove_button):
            button.setEnabled(chosen)

    # -- import -----------------------------------------------------------------------------

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Importer des documents de l'ANTS"),
            "",
            self.tr("Documents PDF (*.pdf)"),
        )
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, files: list[Path]) -> None:
        papers, dossier_id = self.papers, self.dossier_id

        def run(state: Any) -> tuple[list[AntsDocumentInfo], list[str]]:
            done: list[AntsDocumentInfo] = []
            errors: list[str] = []
            for number, path in enumerate(files):
                state.check()
                state.progress(number, len(files), path.name)
                try:
                    done.append(papers.import_document(dossier_id, path))
                except Exception as exc:  # one bad file does not stop the others
                    log.warning("ANTS import of %s refused: %s", path, exc)
                    errors.append(f"{path.name} : {exc}")
            return done, errors

        self.message.setText(self.tr("Import en cours…"))
        self.worker.run_task(
            run, on_success=self._on_imported, on_error=self._on_error, owner=self, pool="db"
        )

    def _on_imported(self, result: tuple[list[AntsDocumentInfo], list[str]]) -> None:
        done, errors = result
        lines = [
            self.tr("Importé : {label}{dated}.").format(
                label=doc.label,
                dated=self.tr(" du {date}").format(date=short_date(doc.issued_on))
                if doc.issued_on
                else "",
            )
            for doc in done
        ]
        lines += [self.tr("Refusé : {error}").format(error=e) for e in errors]
        self.message.setText("\n".join(lines))
        self.reload()
        if done:
            self.documents_changed.emit(self.dossier_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if dropped_pdfs(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = dropped_pdfs(event)
        if files:
            event.acceptProposedAction()
            self.import_files(files)

    # -- open, edit, remove -----------------------------------------------------------------

    def open_selected(self) -> None:
        doc = self.selected()
        if doc is None:
            return
        papers = self.papers
        self.worker.run_task(
            lambda _s: papers.document_bytes(doc.id),
            on_success=lambda data: self._open_preview(doc, data),
            on_error=self._on_error,
            owner=self,
        )

    def _open_preview(self, doc: AntsDocumentInfo, data: bytes) -> None:
        from permis_desktop.ui.papers.preview import DocumentPreview

        title = doc.label + (f" — {short_date(doc.issued_on)}" if doc.issued_on else "")
        self.preview = DocumentPreview(
            self.worker, title, data, doc.filename, doc.duplex_required, self.window()
        )
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.show()
        self.preview_opened.emit(self.preview)

    def edit_selected(self) -> None:
        doc = self.selected()
        if doc is None:
            return
        dialog = DocumentEditDialog(doc, self)
        dialog.accepted.connect(lambda: self.update_document(doc.id, *dialog.values()))
        dialog.open()

    def update_document(self, document_id: int, kind: str, issued_on: dt.date | None) -> None:
        papers = self.papers
        self.worker.run_task(
            lambda _s: papers.update_document(document_id, kind=kind, issued_on=issued_on),
            on_success=lambda _d: self._changed(),
            on_error=self._on_error,
            owner=self,
            pool="db",
        )

    def remove_selected(self) -> None:
        doc = self.selected()
        if doc is None:
            return
        papers = self.papers
        self.worker.run_task(
            lambda _s: papers.remove_document(doc.id),
            on_success=lambda _v: self._changed(
                self.tr("Document retiré : {label}.").format(label=doc.label)
            ),
            on_error=self._on_error,
            owner=self,
            pool="db",
        )

    def _changed(self, message: str = "") -> None:
        self.message.setText(message)
        self.reload()
        self.documents_changed.emit(self.dossier_id)


class DocumentEditDialog(QDialog):
    """Correct what recognition found: the kind and the date of an ANTS document."""

    def __init__(self, doc: AntsDocumentInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Corriger le document"))
        self.kind = QComboBox()
        self.kind.setObjectName("document_kind")
        self.kind.setAccessibleName(self.tr("Type de document"))
        for kind, label in KINDS.items():
            self.kind.addItem(label, kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(doc.kind)))
        self.date = QDateEdit()
        self.date.setObjectName("document_date")
        self.date.setAccessibleName(self.tr("Date du document"))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(qdate(doc.issued_on or dt.date.today()))
        form = QFormLayout()
        form.addRow(self.tr("&Type :"), self.kind)
        form.addRow(self.tr("&Date :"), self.date)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, dt.date | None]:
        return str(self.kind.currentData()), self.date.date().toPython()  # type: ignore[return-value]
