"""The "À classer" inbox: files a multifunction printer scanned to the watched folder.

While the window is open the watched folder (setting `capture.watch_folder`) is polled
about once a second on the background helper; a file counts once its size is stable and is
then moved into the inbox (scan/devices/watch.py). Each inbox file shows as a thumbnail;
the user assigns it to one of the dossier's pieces (button, or by dragging it onto the
piece's row: the drag carries the file's URL) or dismisses it. Assigned files go to
`classés/`, dismissed ones to `ignorés/`: moved, never deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import PIECE_KINDS
from permis_desktop.ui.capture.attach import french_error
from permis_desktop.ui.capture.thumbs import THUMB_PX, thumbnail
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

POLL_MS = 1000


class _InboxList(QListWidget):
    """Thumbnails that can be dragged onto a piece row as files."""

    def mimeData(self, items: Sequence[QListWidgetItem]) -> Any:  # noqa: N802 - Qt override
        mime = super().mimeData(items)
        mime.setUrls(
            [QUrl.fromLocalFile(str(item.data(Qt.ItemDataRole.UserRole))) for item in items]
        )
        return mime


class InboxDialog(QDialog):
    pages_attached = Signal(object)  # AttachResult

    def __init__(
        self,
        ctx: Any,
        worker: Worker,
        dossier_id: str,
        kinds: list[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from permis_desktop.scan.devices import Inbox, inbox_dir

        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.inbox = Inbox(inbox_dir(ctx.paths.data))
        self.watched: Any = None
        self._watched_path: str = ""
        self.polling = False
        self.busy = 0
        self.setObjectName("inbox_dialog")
        self.setWindowTitle(self.tr("À classer"))
        self.resize(820, 560)

        self.folder_label = QLabel()
        self.folder_label.setObjectName("watch_folder")
        self.folder_label.setWordWrap(True)
        choose = QPushButton(self.tr("Choisir le dossier surveillé…"))
        choose.setObjectName("choose_watch_folder")
        choose.clicked.connect(self._choose_folder)
        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(choose)

        self.items_view = _InboxList()
        self.items_view.setObjectName("inbox_items")
        self.items_view.setViewMode(QListView.ViewMode.IconMode)
        self.items_view.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.items_view.setGridSize(QSize(THUMB_PX + 50, THUMB_PX + 50))
        self.items_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.items_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.items_view.setDragEnabled(True)
        self.items_view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.items_view.setWordWrap(True)

        self.piece_box = QComboBox()
        self.piece_box.setObjectName("inbox_piece")
        self.piece_box.setAccessibleName(self.tr("Pièce"))
        for kind in kinds or [k for k in PIECE_KINDS if k != "photo_signature"]:
            label = PIECE_KINDS[kind].label if kind in PIECE_KINDS else kind
            self.piece_box.addItem(label, kind)
        self.assign_button = QPushButton(self.tr("Classer dans la pièce"))
        self.assign_button.setObjectName("inbox_assign")
        self.assign_button.clicked.connect(self.assign_selected)
        self.dismiss_button = QPushButton(self.tr("Ignorer"))
        self.dismiss_button.setObjectName("inbox_dismiss")
        self.dismiss_button.setToolTip(self.tr("Mettre de côté (le fichier est conservé)"))
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        actions = QHBoxLayout()
        actions.addWidget(QLabel(self.tr("Pièce :")))
        actions.addWidget(self.piece_box, 1)
        actions.addWidget(self.assign_button)
        actions.addWidget(self.dismiss_button)

        self.status = QLabel()
        self.status.setObjectName("inbox_status")
        self.status.setWordWrap(True)
        close = QPushButton(self.tr("Fermer"))
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        hint = QLabel(
            self.tr(
                "Documents reçus du dossier surveillé (numérisation vers dossier ou courriel). "
                "Sélectionnez-les puis classez-les dans une pièce, ou glissez-les sur la ligne "
                "de la pièce."
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.items_view, 1)
        layout.addLayout(actions)
        layout.addLayout(bottom)

        self._thumbs: dict[str, QImage] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._show_folder()
        self.refresh()
        self.timer.start()

    # -- watched folder -------------------------------------------------------------------

    def _show_folder(self) -> None:
        folder = str(self.ctx.settings.get("capture.watch_folder") or "")
        if folder:
            self.folder_label.setText(self.tr("Dossier surveillé : {f}").format(f=folder))
        else:
            self.folder_label.setText(
                self.tr(
                    "Aucun dossier surveillé : choisissez celui où le copieur dépose ses scans."
                )
            )

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Dossier surveillé"))
        if folder:
            self.set_watch_folder(Path(folder))

    def set_watch_folder(self, folder: Path) -> None:
        self.ctx.settings.set("capture.watch_folder", str(folder))
        self._show_folder()
        self.poll()

    def poll(self) -> None:
        folder = str(self.ctx.settings.get("capture.watch_folder") or "")
        if not folder or self.polling:
            return
        if self.watched is None or self._watched_path != folder:
            from permis_desktop.scan.devices import WatchedFolder

            self.watched = WatchedFolder(Path(folder), self.inbox)
            self._watched_path = folder
        watched = self.watched
        self.polling = True

        def done(received: list[Any]) -> None:
            self.polling = False
            if received:
                self.status.setText(self.tr("{n} document(s) reçu(s).").format(n=len(received)))
                self.refresh()

        def failed(exc: BaseException) -> None:
            self.polling = False
            self.status.setText(french_error(exc, self.tr("Le dossier surveillé est illisible.")))

        self.worker.run_task(
            lambda _s: watched.poll(), on_success=done, on_error=failed, owner=self
        )

    # -- items -------------------------------------------------------------------------------

    def refresh(self) -> None:
        items = self.inbox.items()
        self.items_view.clear()
        for entry in items:
            item = QListWidgetItem(entry.name)
            item.setData(Qt.ItemDataRole.UserRole, str(entry.path))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            key = f"{entry.path}:{entry.size}:{entry.modified}"
            if key in self._thumbs:
                item.setIcon(QIcon(QPixmap.fromImage(self._thumbs[key])))
            else:
                self._load_thumb(key, entry.path)
            self.items_view.addItem(item)
        self.assign_button.setEnabled(bool(items))
        self.dismiss_button.setEnabled(bool(items))

    def _load_thumb(self, key: str, path: Path) -> None:
        def done(image: QImage) -> None:
            self._thumbs[key] = image
            for i in range(self.items_view.count()):
                item = self.items_view.item(i)
                if item.data(Qt.ItemDataRole.UserRole) == str(path):
                    item.setIcon(QIcon(QPixmap.fromImage(image)))

        self.worker.run_task(
            lambda _s: thumbnail(path.read_bytes()),
            on_success=done,
            on_error=lambda exc: log.warning("inbox thumbnail %s: %s", path.name, exc),
            owner=self,
        )

    def selected_paths(self) -> list[Path]:
        items = self.items_view.selectedItems()
        return [Path(str(i.data(Qt.ItemDataRole.UserRole))) for i in items]

    def assign_selected(self) -> None:
        paths = self.selected_paths()
        kind = self.piece_box.currentData()
        if not paths:
            self.status.setText(self.tr("Sélectionnez d'abord un ou plusieurs documents."))
            return
        ctx, dossier_id, inbox = self.ctx, self.dossier_id, self.inbox

        def assign(_state: Any) -> Any:
            from permis_desktop.services.pieces import PieceService

            result = PieceService(ctx).attach_files(dossier_id, kind, paths)
            for path in paths:
                inbox.assign(path)  # only once its pages are in the piece
            return result

        self.busy += 1
        self.status.setText(self.tr("Classement en cours…"))
        self.worker.run_task(
            assign, on_success=self._on_assigned, on_error=self._on_failed, owner=self
        )

    def _on_assigned(self, result: Any) -> None:
        self.busy -= 1
        label = PIECE_KINDS[result.kind].label if result.kind in PIECE_KINDS else result.kind
        self.status.setText(
            self.tr("Classé dans « {piece} » ({n} page(s)).").format(
                piece=label, n=len(result.pages)
            )
        )
        self.refresh()
        self.pages_attached.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self.busy -= 1
        self.status.setText(
            french_error(exc, self.tr("Le document n'a pas pu être classé ; il reste ici."))
        )
        self.refresh()

    def dismiss_selected(self) -> None:
        paths = self.selected_paths()
        if not paths:
            return
        inbox = self.inbox

        def dismiss(_state: Any) -> int:
            for path in paths:
                inbox.dismiss(path)
            return len(paths)

        self.busy += 1

        def done(n: int) -> None:
            self.busy -= 1
            self.status.setText(self.tr("{n} document(s) mis de côté.").format(n=n))
            self.refresh()

        self.worker.run_task(dismiss, on_success=done, on_error=self._on_failed, owner=self)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.timer.stop()
        super().closeEvent(event)
