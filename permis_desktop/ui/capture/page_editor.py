"""The page editor of a piece: thumbnails to reorder by drag, rotate, delete, re-crop by
dragging the corners, choose the filter, see the verdict with its reasons, and accept a
page despite its verdict.

Every edit is non-destructive: it calls a `PieceService` operation that stores new
parameters and re-derives the page from its kept original on the background helper
(DESIGN.md, "the database keeps the original capture and the processing parameters").
Page ids change when a piece is re-derived, so the editor always reloads the pages from the
operation's result and keeps the selection by position.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import PIECE_KINDS
from permis_desktop.ui.capture.attach import french_error
from permis_desktop.ui.capture.corner_editor import CornerEditor
from permis_desktop.ui.capture.thumbs import THUMB_PX, fit, reason_texts, thumbnail, verdict_label
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

FILTER_LABELS = (
    ("auto", "Automatique"),
    ("color", "Couleur"),
    ("gray", "Niveaux de gris"),
    ("bw", "Noir et blanc"),
)
EDIT_SIDE = 1400  # the original is shown at about this size for re-cropping


def load_original(ctx: Any, page: Any) -> tuple[QImage, float, list[list[float]]]:
    """The page's original, upright, near EDIT_SIDE px; source px per image px; its corners."""
    from permis_desktop.scan.loader import open_source
    from permis_desktop.ui.capture.images import bgr_to_qimage

    name = str(page.params.get("source_name") or "page")
    sources = open_source(name, ctx.blobs.get(page.original_sha256))
    src = sources[max(0, min(len(sources) - 1, page.source_page - 1))]
    if src.kind == "vector":
        return QImage(), 1.0, []
    reduce = 1
    for r in (8, 4, 2):
        if max(src.width, src.height) / r >= EDIT_SIDE:
            reduce = r
            break
    image = src.decode(reduce)
    scale = src.width / image.shape[1]
    corners = page.params.get("corners") or [
        [0.0, 0.0],
        [float(src.width), 0.0],
        [float(src.width), float(src.height)],
        [0.0, float(src.height)],
    ]
    return bgr_to_qimage(image), scale, [list(map(float, c)) for c in corners]


class PageEditor(QDialog):
    pages_changed = Signal(object)  # AttachResult after each edit

    def __init__(
        self, ctx: Any, worker: Worker, dossier_id: str, kind: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.kind = kind
        self.pages: list[Any] = []
        self.busy = 0
        self._thumbs: dict[str, QImage] = {}
        self._selected = 0
        self._edited_corners: list[list[float]] | None = None
        self.setObjectName("page_editor")
        label = PIECE_KINDS[kind].label if kind in PIECE_KINDS else kind
        self.setWindowTitle(self.tr("Pages : {piece}").format(piece=label))
        self.resize(1180, 760)

        self.list = QListWidget()
        self.list.setObjectName("editor_pages")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.TopToBottom)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.list.setGridSize(QSize(THUMB_PX + 30, THUMB_PX + 44))
        self.list.setFixedWidth(THUMB_PX + 56)
        self.list.setMovement(QListView.Movement.Snap)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setAccessibleName(self.tr("Pages (glisser pour réordonner)"))
        self.list.currentRowChanged.connect(self._on_selected)
        self.list.model().rowsMoved.connect(lambda *_a: self._on_reordered())

        self.corners = CornerEditor()
        self.corners.corners_changed.connect(self._on_corners_dragged)
        self.apply_crop = QPushButton(self.tr("Appliquer le recadrage"))
        self.apply_crop.setObjectName("apply_crop")
        self.apply_crop.clicked.connect(self.apply_corners)
        self.auto_crop = QPushButton(self.tr("Détection automatique"))
        self.auto_crop.setObjectName("auto_crop")
        self.auto_crop.clicked.connect(lambda: self._edit("update_page", auto_corners=True))
        crop_buttons = QHBoxLayout()
        crop_buttons.addWidget(self.apply_crop)
        crop_buttons.addWidget(self.auto_crop)
        crop_buttons.addStretch(1)
        centre = QVBoxLayout()
        hint = QLabel(self.tr("Original : faites glisser les coins sur les bords du document."))
        hint.setWordWrap(True)
        centre.addWidget(hint)
        centre.addWidget(self.corners, 1)
        centre.addLayout(crop_buttons)

        self.result_view = QLabel()
        self.result_view.setObjectName("processed_view")
        self.result_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_view.setFixedSize(300, 300)
        self.verdict = QLabel()
        self.verdict.setObjectName("editor_verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.filter_box = QComboBox()
        self.filter_box.setObjectName("editor_filter")
        self.filter_box.setAccessibleName(self.tr("Filtre"))
        for value, text in FILTER_LABELS:
            self.filter_box.addItem(self.tr(text), value)
        self.filter_box.activated.connect(
            lambda _i: self._edit("update_page", filter=self.filter_box.currentData())
        )
        self.rotate_left = QPushButton(self.tr("↺ Pivoter à gauche"))
        self.rotate_left.setObjectName("rotate_left")
        self.rotate_left.clicked.connect(lambda: self._edit("rotate_page", quarter_turns=-1))
        self.rotate_right = QPushButton(self.tr("↻ Pivoter à droite"))
        self.rotate_right.setObjectName("rotate_right")
        self.rotate_right.clicked.connect(lambda: self._edit("rotate_page", quarter_turns=1))
        self.delete_button = QPushButton(self.tr("Supprimer la page"))
        self.delete_button.setObjectName("delete_page")
        self.delete_button.clicked.connect(self.delete_page)
        self.accept_button = QPushButton(self.tr("Accepter malgré le problème"))
        self.accept_button.setObjectName("accept_page")
        self.accept_button.clicked.connect(self.accept_page)
        side = QVBoxLayout()
        side.addWidget(QLabel(self.tr("Résultat :")))
        side.addWidget(self.result_view)
        side.addWidget(self.verdict)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel(self.tr("Filtre :")))
        filter_row.addWidget(self.filter_box, 1)
        side.addLayout(filter_row)
        turn_row = QHBoxLayout()
        turn_row.addWidget(self.rotate_left)
        turn_row.addWidget(self.rotate_right)
        side.addLayout(turn_row)
        side.addWidget(self.accept_button)
        side.addWidget(self.delete_button)
        side.addStretch(1)

        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addLayout(centre, 1)
        body.addLayout(side)
        self.status = QLabel()
        self.status.setObjectName("editor_status")
        self.status.setWordWrap(True)
        close = QPushButton(self.tr("Fermer"))
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self._update_buttons()
        self.reload()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        ctx, dossier_id, kind = self.ctx, self.dossier_id, self.kind

        def load(_state: Any) -> list[Any]:
            from permis_desktop.services.pieces import PieceService

            return PieceService(ctx).pages_of(dossier_id, kind)

        self._run(load, self._show_pages)

    def _show_pages(self, pages: list[Any]) -> None:
        self.pages = list(pages)
        self.list.blockSignals(True)
        self.list.clear()
        for page in self.pages:
            item = QListWidgetItem(self._caption(page))
            item.setData(Qt.ItemDataRole.UserRole, page.id)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            key = page.processed_sha256 or page.original_sha256
            if key in self._thumbs:
                item.setIcon(QIcon(QPixmap.fromImage(self._thumbs[key])))
            else:
                self._load_thumb(key)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.pages:
            self.list.setCurrentRow(min(self._selected, len(self.pages) - 1))
            self._on_selected(self.list.currentRow())
        else:
            self.corners.clear()
            self.result_view.clear()
            self.verdict.setText(self.tr("Cette pièce n'a plus de pages."))
        self._update_buttons()

    def _caption(self, page: Any) -> str:
        mark = verdict_label(page.verdict) if page.verdict else ""
        if page.params.get("accepted") and page.verdict != "ok":
            mark += " " + self.tr("(acceptée)")
        return self.tr("Page {n}").format(n=page.position + 1) + "\n" + mark

    def _load_thumb(self, sha: str) -> None:
        blobs = self.ctx.blobs

        def done(image: QImage) -> None:
            self._thumbs[sha] = image
            for i, page in enumerate(self.pages):
                if (page.processed_sha256 or page.original_sha256) == sha and self.list.item(i):
                    self.list.item(i).setIcon(QIcon(QPixmap.fromImage(image)))
            if self.current_page() is not None and (self.current_page().processed_sha256 == sha):
                self.result_view.setPixmap(QPixmap.fromImage(fit(image, 300)))

        self.worker.run_task(
            lambda _s: thumbnail(blobs.get(sha), 300),
            on_success=done,
            on_error=lambda exc: log.warning("page thumbnail %s: %s", sha[:12], exc),
            owner=self,
        )

    def current_page(self) -> Any:
        row = self.list.currentRow()
        return self.pages[row] if 0 <= row < len(self.pages) else None

    def _on_selected(self, row: int) -> None:
        page = self.current_page()
        if page is None:
            return
        self._selected = row
        self._edited_corners = None
        sha = page.processed_sha256 or page.original_sha256
        if sha in self._thumbs:
            self.result_view.setPixmap(QPixmap.fromImage(fit(self._thumbs[sha], 300)))
        reasons = "".join(f"<li>{t}</li>" for t in reason_texts(page.reasons))
        colour = "#2e7d32" if page.verdict == "ok" else "#c62828"
        text = f"<b style='color:{colour}'>{verdict_label(page.verdict)}</b>"
        if page.params.get("accepted") and page.verdict != "ok":
            text += " — " + self.tr("acceptée malgré le problème")
        self.verdict.setText(text + (f"<ul>{reasons}</ul>" if reasons else ""))
        index = self.filter_box.findData(page.params.get("filter", "auto"))
        self.filter_box.setCurrentIndex(max(index, 0))
        ctx = self.ctx
        page_id = page.id

        def shown(loaded: tuple[QImage, float, list[list[float]]]) -> None:
            current = self.current_page()
            if current is not None and current.id == page_id:
                self.corners.set_page(*loaded)
                self._update_buttons()

        self.worker.run_task(
            lambda _s: load_original(ctx, page),
            on_success=shown,
            on_error=lambda exc: self.status.setText(
                french_error(exc, self.tr("L'original de cette page est illisible."))
            ),
            owner=self,
        )
        self._update_buttons()

    # -- edits ----------------------------------------------------------------------------

    def _on_corners_dragged(self, corners: list[list[float]]) -> None:
        self._edited_corners = corners
        self.status.setText(self.tr("Coins déplacés : cliquez sur « Appliquer le recadrage »."))
        self._update_buttons()

    def apply_corners(self) -> None:
        if self._edited_corners is not None:
            self._edit("update_page", corners=self._edited_corners)

    def delete_page(self, confirm: bool = True) -> None:
        page = self.current_page()
        if page is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Supprimer la page"),
                self.tr("Retirer la page {n} de la pièce ?").format(n=page.position + 1),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._edit("delete_page")

    def accept_page(self) -> None:
        page = self.current_page()
        if page is None:
            return
        ctx, page_id, dossier_id, kind = self.ctx, page.id, self.dossier_id, self.kind

        def accept(_state: Any) -> list[Any]:
            from permis_desktop.services.pieces import PieceService

            service = PieceService(ctx)
            service.accept_page(page_id)
            return service.pages_of(dossier_id, kind)

        self._run(accept, self._show_pages)

    def _on_reordered(self) -> None:
        ids = [
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())
        ]
        if ids == [p.id for p in self.pages]:
            return
        self._selected = self.list.currentRow()
        ctx, dossier_id, kind = self.ctx, self.dossier_id, self.kind

        def reorder(_state: Any) -> Any:
            from permis_desktop.services.pieces import PieceService

            return PieceService(ctx).reorder_pages(dossier_id, kind, ids)

        self._run(reorder, self._on_result)

    def reorder(self, ids: list[int]) -> None:
        """Put the pages in this order (what a drag in the list does)."""
        by_id = {p.id: p for p in self.pages}
        self.list.blockSignals(True)
        self.list.clear()
        for page_id in ids:
            item = QListWidgetItem(self._caption(by_id[page_id]))
            item.setData(Qt.ItemDataRole.UserRole, page_id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._on_reordered()

    def _edit(self, operation: str, **options: Any) -> None:
        page = self.current_page()
        if page is None:
            return
        ctx, page_id = self.ctx, page.id

        def edit(_state: Any) -> Any:
            from permis_desktop.services.pieces import PieceService

            return getattr(PieceService(ctx), operation)(page_id, **options)

        self.status.setText(self.tr("Traitement de la page…"))
        self._run(edit, self._on_result)

    def _on_result(self, result: Any) -> None:
        self.status.setText(self.tr("Modification enregistrée."))
        self._show_pages(result.pages)
        self.pages_changed.emit(result)

    def _run(self, fn: Any, on_success: Any) -> None:
        self.busy += 1
        self._update_buttons()

        def success(value: Any) -> None:
            self.busy -= 1
            on_success(value)
            self._update_buttons()

        def failure(exc: BaseException) -> None:
            self.busy -= 1
            self.status.setText(french_error(exc, self.tr("La modification a échoué.")))
            self.reload()

        self.worker.run_task(fn, on_success=success, on_error=failure, owner=self)

    def _update_buttons(self) -> None:
        page = self.current_page()
        idle = self.busy == 0 and page is not None
        for button in (self.rotate_left, self.rotate_right, self.delete_button, self.auto_crop):
            button.setEnabled(idle)
        self.filter_box.setEnabled(idle)
        self.apply_crop.setEnabled(idle and self._edited_corners is not None)
        self.accept_button.setVisible(
            page is not None and page.verdict != "ok" and not page.params.get("accepted")
        )
        self.accept_button.setEnabled(idle)
        self.list.setEnabled(self.busy == 0)
