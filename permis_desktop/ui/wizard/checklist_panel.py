"""The side panel: the live checklist of the rules engine, next to every page.

Each piece with its status and the reason it is asked for; then what stops the dossier
(errors) and what deserves a look (warnings). Clicking a piece opens it on the pieces page;
clicking a problem jumps to its field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from permis_desktop.procedures.checklist import Checklist
from permis_desktop.services.workflow import Obstacle

PIECE_MARKS = {"provided": "✔", "missing": "○", "expired": "✖", "too_old": "✖"}
PIECE_STATUS = {
    "provided": "fournie",
    "missing": "à fournir",
    "expired": "périmée",
    "too_old": "trop ancienne",
}
TARGET_ROLE = Qt.ItemDataRole.UserRole + 1


class ChecklistPanel(QWidget):
    piece_clicked = Signal(str)  # piece kind
    field_clicked = Signal(str)  # facts path

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("checklist_panel")
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pieces_title = QLabel(self.tr("<b>Pièces à fournir</b>"))
        self.pieces = QListWidget()
        self.pieces.setObjectName("checklist_pieces")
        self.pieces.setAccessibleName(self.tr("Pièces à fournir"))
        self.pieces.setWordWrap(True)
        self.pieces.itemActivated.connect(self._on_piece)
        self.pieces.itemClicked.connect(self._on_piece)
        self.problems_title = QLabel(self.tr("<b>À compléter ou corriger</b>"))
        self.problems = QListWidget()
        self.problems.setObjectName("checklist_problems")
        self.problems.setAccessibleName(self.tr("À compléter ou corriger"))
        self.problems.setWordWrap(True)
        self.problems.itemActivated.connect(self._on_problem)
        self.problems.itemClicked.connect(self._on_problem)
        layout.addWidget(self.pieces_title)
        layout.addWidget(self.pieces, 3)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems, 2)
        self._shown: tuple[object, ...] = ()

    def show_checklist(
        self, checklist: Checklist | None, obstacles: list[Obstacle], warnings: list[Obstacle]
    ) -> None:
        lines = checklist.pieces if checklist is not None else ()
        key = (
            tuple((p.kind, p.status, p.required, p.reason, p.detail) for p in lines),
            tuple(obstacles),
            tuple(warnings),
        )
        if key == self._shown:
            return  # nothing changed: keep the lists (and the user's scroll position)
        self._shown = key
        self.pieces.clear()
        for line in lines:
            mark = PIECE_MARKS.get(line.status, "?")
            status = self.tr(PIECE_STATUS.get(line.status, line.status))
            optional = "" if line.required else self.tr(" (facultative)")
            item = QListWidgetItem(f"{mark} {line.label}{optional} — {status}\n{line.reason}")
            item.setData(TARGET_ROLE, line.kind)
            tip = line.detail or line.reason
            item.setToolTip(f"{tip}\n{self.tr('Pièces acceptées')} : {line.accepted}")
            self.pieces.addItem(item)
        self.problems.clear()
        for obstacle in obstacles:
            if obstacle.field.startswith("pieces."):
                continue  # already in the list above
            item = QListWidgetItem(f"✖ {obstacle.message}")
            item.setData(TARGET_ROLE, obstacle.field)
            self.problems.addItem(item)
        for warning in warnings:
            item = QListWidgetItem(f"⚠ {warning.message}")
            item.setData(TARGET_ROLE, warning.field)
            self.problems.addItem(item)
        if not self.problems.count():
            item = QListWidgetItem(self.tr("Rien d'autre à compléter ou corriger."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.problems.addItem(item)

    def _on_piece(self, item: QListWidgetItem) -> None:
        kind = item.data(TARGET_ROLE)
        if kind:
            self.piece_clicked.emit(str(kind))

    def _on_problem(self, item: QListWidgetItem) -> None:
        target = item.data(TARGET_ROLE)
        if target:
            self.field_clicked.emit(str(target))
