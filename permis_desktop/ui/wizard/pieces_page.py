"""Pièces justificatives: one row per piece that applies, with why it is asked, its status,
its dates where the rules use them, thumbnails of its pages with their quality verdict, and
the capture actions.

This page imports files (a file dialog, or images and PDFs dropped onto a row) through
`services.pieces.PieceService.attach_files` on the background helper; the scanner and the
camera will plug into the same row (`PieceRow.action_bar`). Thumbnails are made off the GUI
thread from the blob store.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import PIECE_KINDS
from permis_desktop.procedures.checklist import Checklist
from permis_desktop.procedures.flow import FieldSpec
from permis_desktop.procedures.pieces import PieceLine
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierDetail, DossierService, PieceInfo
from permis_desktop.ui.capture import hooks as capture_hooks
from permis_desktop.ui.layouts import clear_layout
from permis_desktop.ui.wizard.checklist_panel import PIECE_MARKS, PIECE_STATUS
from permis_desktop.ui.wizard.fields import ERROR, DateField, message_colour
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

THUMBNAIL_PX = 120
IMPORT_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".pdf")
FILE_FILTER = "Images et PDF (*.jpg *.jpeg *.png *.tif *.tiff *.bmp *.webp *.heic *.pdf)"

# Which dates the rules read for each piece (procedures/pieces.py `_one_status`, checklist).
_IDENTITY = ("identity", "host_identity", "guardian_identity")
DATES_USED: dict[str, tuple[str, ...]] = {
    **{kind: ("expires",) for kind in _IDENTITY},
    "residence_proof": ("expires",),
    "proof_of_address": ("issued",),
    "medical_opinion": ("issued",),
    "exam_certificate": ("issued",),
}
DATE_LABELS = {"issued": "Date du document", "expires": "Date d'expiration"}
VERDICTS = {
    "ok": "✔ lisible",
    "blurry": "✖ floue",
    "glare": "✖ reflet",
    "dark": "✖ trop sombre",
    "overexposed": "✖ surexposée",
    "cut_off": "✖ coupée",
    "too_small": "✖ trop petite",
    "blank": "✖ page vide",
}


def thumbnail_png(data: bytes) -> bytes:
    """A small PNG of the first page of an image or PDF (runs off the GUI thread)."""
    from PIL import Image

    if data[:5] == b"%PDF-":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            page = pdf[0]
            width = page.get_width() or 1
            image = page.render(scale=THUMBNAIL_PX * 2 / width).to_pil()
        finally:
            pdf.close()
    else:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))
    image = image.convert("RGB")
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class PieceRow(QFrame):
    """One piece: what, why, status, dates, pages, actions. Files can be dropped on it."""

    files_dropped = Signal(str, list)  # kind, paths
    import_clicked = Signal(str)
    dates_edited = Signal(str, dict)

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.setObjectName(f"piece:{kind}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        piece = PIECE_KINDS[kind]
        self.setAccessibleName(piece.label)
        self.title = QLabel()
        self.title.setObjectName("piece_title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.accepted = QLabel(self.tr("Acceptés : {docs}").format(docs=piece.accepted))
        self.accepted.setWordWrap(True)
        self.accepted.setEnabled(False)
        self.message = QLabel()
        self.message.setObjectName("piece_message")
        self.message.setWordWrap(True)
        self.message.hide()

        self.dates: dict[str, DateField] = {}
        dates_line = QHBoxLayout()
        self.document_type: QComboBox | None = None
        if piece.document_types:
            self.document_type = QComboBox()
            self.document_type.setObjectName(f"document_type:{kind}")
            self.document_type.setAccessibleName(self.tr("Type de document"))
            self.document_type.addItem(self.tr("Type de document…"), None)
            for doc in piece.document_types:
                self.document_type.addItem(doc.label, doc.id)
            self.document_type.activated.connect(lambda _i: self._emit_dates())
            dates_line.addWidget(self.document_type)
        for which in DATES_USED.get(kind, ()):
            label = self.tr(DATE_LABELS[which])
            field = DateField(FieldSpec(f"pieces.{kind}.{which}", label))
            field.edit.setObjectName(f"piece_date:{kind}.{which}")
            field.edit.setPlaceholderText(f"{label} JJ/MM/AAAA")
            field.edited.connect(lambda _p, _v: self._emit_dates())
            self.dates[which] = field
            dates_line.addWidget(field)
        dates_line.addStretch(1)

        self.thumbs = QHBoxLayout()
        self.thumbs.setSpacing(8)
        self.thumbs_host = thumbs_host = QWidget()
        thumbs_host.setLayout(self.thumbs)
        thumbs_host.hide()

        self.action_bar = QHBoxLayout()
        if kind == "photo_signature":
            self.import_button = None
            self.go_to_code = QPushButton(self.tr("Saisir le code photo-signature"))
            self.go_to_code.setObjectName("go_to_photo_code")
            self.action_bar.addWidget(self.go_to_code)
        else:
            self.import_button = QPushButton(self.tr("Importer des fichiers…"))
            self.import_button.setObjectName(f"import:{kind}")
            self.import_button.setAccessibleName(
                self.tr("Importer des fichiers pour : {piece}").format(piece=piece.label)
            )
            self.import_button.clicked.connect(lambda: self.import_clicked.emit(kind))
            self.action_bar.addWidget(self.import_button)
            hint = QLabel(self.tr("ou déposez ici des images ou des PDF"))
            hint.setEnabled(False)
            self.action_bar.addWidget(hint)
        self.progress = QProgressBar()
        self.progress.setObjectName(f"progress:{kind}")
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.action_bar.addWidget(self.progress)
        self.action_bar.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.reason)
        layout.addWidget(self.accepted)
        layout.addLayout(dates_line)
        layout.addWidget(thumbs_host)
        layout.addLayout(self.action_bar)
        layout.addWidget(self.message)
        self._provided = False

    # -- showing ----------------------------------------------------------------------

    def show_line(self, line: PieceLine, provided: dict[str, Any] | None) -> None:
        mark = PIECE_MARKS.get(line.status, "?")
        status = self.tr(PIECE_STATUS.get(line.status, line.status))
        need = self.tr("obligatoire") if line.required else self.tr("facultative")
        self.title.setText(f"<b>{mark} {line.label}</b> — {status} <i>({need})</i>")
        self.reason.setText(line.detail or line.reason)
        self._provided = provided is not None
        for which, field in self.dates.items():
            field.set_value((provided or {}).get(which))
            field.input.setEnabled(self._provided and self._editable)
        if self.document_type is not None:
            index = self.document_type.findData((provided or {}).get("document_type"))
            self.document_type.setCurrentIndex(max(index, 0))
            self.document_type.setEnabled(self._provided and self._editable)

    _editable = True

    def set_read_only(self, read_only: bool) -> None:
        self._editable = not read_only
        if self.import_button is not None:
            self.import_button.setEnabled(not read_only)
        self.setAcceptDrops(not read_only)
        for field in self.dates.values():
            field.input.setEnabled(self._provided and not read_only)
        if self.document_type is not None:
            self.document_type.setEnabled(self._provided and not read_only)

    def show_pages(self, pages: list[tuple[str, QPixmap | None, str]]) -> None:
        """(page sha, thumbnail or None while loading, verdict) per page."""
        clear_layout(self.thumbs)
        self.thumbs_host.setVisible(bool(pages))
        for index, (_sha, pixmap, verdict) in enumerate(pages, 1):
            cell = QVBoxLayout()
            image = QLabel()
            image.setObjectName(f"thumb:{self.kind}:{index}")
            image.setFixedSize(THUMBNAIL_PX, THUMBNAIL_PX)
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            image.setFrameShape(QFrame.Shape.Box)
            if pixmap is not None:
                image.setPixmap(pixmap)
            else:
                image.setText("…")
            caption = QLabel(
                self.tr("Page {n}").format(n=index) + " " + VERDICTS.get(verdict, verdict)
            )
            caption.setObjectName(f"verdict:{self.kind}:{index}")
            image.setAccessibleName(caption.text())
            host = QWidget()
            cell.addWidget(image)
            cell.addWidget(caption)
            host.setLayout(cell)
            self.thumbs.addWidget(host)
        self.thumbs.addStretch(1)

    def show_message(self, text: str, level: str = ERROR) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {message_colour(self.palette(), level)};")
        self.message.setVisible(bool(text))

    def _emit_dates(self) -> None:
        values: dict[str, Any] = {w: f.edit.text() and _iso(f) for w, f in self.dates.items()}
        if self.document_type is not None:
            values["document_type"] = self.document_type.currentData()
        self.dates_edited.emit(self.kind, values)

    # -- drag and drop ------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if self.import_button is not None and _dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = _dropped_files(event)
        if files and self.import_button is not None:
            event.acceptProposedAction()
            self.files_dropped.emit(self.kind, files)
        else:
            event.ignore()


def _iso(field: DateField) -> str | None:
    from permis_desktop.ui.wizard.state import parse_french_date

    return parse_french_date(field.edit.text()).iso


def _dropped_files(event: QDragEnterEvent | QDropEvent) -> list[str]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
    return [f for f in files if Path(f).suffix.lower() in IMPORT_SUFFIXES]


class PiecesPage(QWidget):
    dates_edited = Signal(str, dict)
    pieces_changed = Signal(object)  # DossierDetail after an import
    go_to_field = Signal(str)

    def __init__(
        self, ctx: DeskContext, worker: Worker, dossier_id: str, pieces: list[PieceInfo]
    ) -> None:
        super().__init__()
        self.setObjectName("page:pieces")
        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.rows: dict[str, PieceRow] = {}
        self._order: list[str] = []
        self._pages: dict[str, list[tuple[str, str]]] = {}
        self._thumbs: dict[str, QPixmap] = {}
        self._loading: set[str] = set()
        self._read_only = False
        self.imports_running = 0
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("<h2>Pièces justificatives</h2>"))
        layout.addWidget(title)
        intro = QLabel(
            self.tr(
                "Pour chaque pièce, importez les fichiers (photo ou scan, image ou PDF) avec le "
                "bouton ou en les déposant sur la ligne. Chaque page est recadrée et vérifiée ; "
                "refaites-la si elle est signalée floue, sombre ou coupée."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.rows_layout = QVBoxLayout()
        layout.addLayout(self.rows_layout)
        layout.addStretch(1)
        self._set_pieces(pieces)
        capture_hooks.install_page(self)  # "À classer" inbox (ui/capture)

    def _set_pieces(self, pieces: list[PieceInfo]) -> None:
        self._pages = {
            p.kind: [
                (pg.processed_sha256 or pg.original_sha256, str(pg.params.get("verdict", "")))
                for pg in p.pages
            ]
            for p in pieces
        }
        for kind in self.rows:
            self._show_pages(kind)

    def show_lines(self, checklist: Checklist, provided: list[dict[str, Any]]) -> None:
        by_kind = {p.get("kind"): p for p in provided}
        wanted = [line.kind for line in checklist.pieces]
        for position, line in enumerate(checklist.pieces):
            row = self.rows.get(line.kind)
            if row is None:
                row = self._make_row(line.kind)
                before = [k for k in wanted[:position] if k in self.rows and k != line.kind]
                index = self._order.index(before[-1]) + 1 if before else 0
                self.rows_layout.insertWidget(index, row)
                self._order.insert(index, line.kind)
                self._show_pages(line.kind)
            row.show_line(line, by_kind.get(line.kind))
        for kind, row in self.rows.items():
            row.setVisible(kind in wanted)

    def _make_row(self, kind: str) -> PieceRow:
        row = PieceRow(kind)
        row.set_read_only(self._read_only)
        row.files_dropped.connect(self.import_files)
        row.import_clicked.connect(self._choose_files)
        row.dates_edited.connect(self.dates_edited)
        if kind == "photo_signature":
            row.go_to_code.clicked.connect(lambda: self.go_to_field.emit("photo_signature.code"))
        self.rows[kind] = row
        capture_hooks.install_row(self, row)  # "Scanner", "Photo", "Pages…" (ui/capture)
        return row

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self.rows.values():
            row.set_read_only(read_only)

    # -- importing ----------------------------------------------------------------------

    def _choose_files(self, kind: str) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            self.tr("Importer : {piece}").format(piece=PIECE_KINDS[kind].label),
            str(Path.home()),
            self.tr(FILE_FILTER),
        )
        if files:
            self.import_files(kind, files)

    def import_files(self, kind: str, files: list[str]) -> None:
        """Run the capture pipeline on `files` for piece `kind`, then show the pages."""
        from permis_desktop.services.pieces import PieceService

        row = self.rows[kind]
        if self._read_only:
            return
        row.show_message("")
        row.progress.setRange(0, 0)
        row.progress.show()
        self.imports_running += 1
        ctx, dossier_id = self.ctx, self.dossier_id

        def attach(state: Any) -> DossierDetail:
            PieceService(ctx).attach_files(
                dossier_id,
                kind,
                [Path(f) for f in files],
                progress=state.progress,
                cancel=lambda: state.cancelled,
            )
            service = DossierService(ctx.db)
            service.refresh_list_columns(dossier_id)
            return service.get(dossier_id)

        def progressed(done: int, total: int, _message: str) -> None:
            row.progress.setRange(0, max(total, 1))
            row.progress.setValue(done)

        self.worker.run_task(
            attach,
            on_success=lambda detail: self._on_imported(kind, detail),
            on_error=lambda exc: self._on_import_failed(kind, exc),
            on_progress=progressed,
            owner=self,
            pool="io",
        )

    def _on_imported(self, kind: str, detail: DossierDetail) -> None:
        self.imports_running -= 1
        self.rows[kind].progress.hide()
        self._set_pieces(detail.pieces)
        pages = self._pages.get(kind, [])
        bad = [v for _sha, v in pages if v and v != "ok"]
        if bad:
            self.rows[kind].show_message(
                self.tr(
                    "{n} page(s) à vérifier ({what}) : refaites la photo ou le scan si le "
                    "document n'est pas bien lisible."
                ).format(n=len(bad), what=", ".join(VERDICTS.get(v, v)[2:] for v in bad))
            )
        self.pieces_changed.emit(detail)

    def _on_import_failed(self, kind: str, exc: BaseException) -> None:
        self.imports_running -= 1
        row = self.rows[kind]
        row.progress.hide()
        from permis_desktop.errors import PermisError

        text = (
            str(exc)
            if isinstance(exc, PermisError)
            else self.tr(
                "Import impossible : le fichier est illisible ou d'un format non pris en charge."
            )
        )
        row.show_message(text)

    # -- thumbnails -----------------------------------------------------------------------

    def _show_pages(self, kind: str) -> None:
        row = self.rows.get(kind)
        if row is None:
            return
        pages = self._pages.get(kind, [])
        row.show_pages([(sha, self._thumbs.get(sha), verdict) for sha, verdict in pages])
        for sha, _verdict in pages:
            if sha not in self._thumbs and sha not in self._loading:
                self._load_thumb(sha)

    def _load_thumb(self, sha: str) -> None:
        self._loading.add(sha)
        blobs = self.ctx.blobs

        def make(_state: Any) -> QImage:
            image = QImage()
            image.loadFromData(thumbnail_png(blobs.get(sha)))
            return image

        def done(image: QImage) -> None:
            self._loading.discard(sha)
            self._thumbs[sha] = QPixmap.fromImage(image)
            for kind, pages in self._pages.items():
                if any(s == sha for s, _v in pages):
                    self._show_pages(kind)

        def failed(exc: BaseException) -> None:
            self._loading.discard(sha)
            log.warning("thumbnail of %s failed: %s", sha, exc)

        self.worker.run_task(make, on_success=done, on_error=failed, owner=self, pool="io")
