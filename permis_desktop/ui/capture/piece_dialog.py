"""What the camera and scanner screens share: both add pages to one piece of one dossier.

Each queues its pages to the piece through a `PageAttacher`, reports on a status line,
ends with a row of actions and a close button, and tells the pieces page through
`pages_attached` when pages are in. The screens differ only in how pages are made.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from permis_desktop.procedures.catalog import PIECE_KINDS
from permis_desktop.ui.capture.attach import PageAttacher
from permis_desktop.ui.worker import Worker


class PieceCaptureDialog(QDialog):
    """Base of the screens that add pages to the piece `kind` of dossier `dossier_id`."""

    pages_attached = Signal(object)  # AttachResult

    def __init__(
        self,
        ctx: Any,
        worker: Worker,
        dossier_id: str,
        kind: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.kind = kind
        self.piece_label = PIECE_KINDS[kind].label if kind in PIECE_KINDS else kind
        self.attacher = PageAttacher(ctx, worker, dossier_id, kind, self)
        self.attacher.attached.connect(self._on_attached)
        self.attacher.failed.connect(self._on_attach_failed)
        self.status = QLabel()
        self.status.setWordWrap(True)

    def _button_row(self, close_text: str, close_name: str, *actions: QWidget) -> QHBoxLayout:
        """The actions on the left, the close button (`self.close_button`) on the right."""
        self.close_button = QPushButton(close_text)
        self.close_button.setObjectName(close_name)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for widget in actions:
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        return buttons

    def _on_attached(self, result: Any) -> None:
        self.pages_attached.emit(result)

    def _on_attach_failed(self, message: str) -> None:
        self.status.setText(message)
