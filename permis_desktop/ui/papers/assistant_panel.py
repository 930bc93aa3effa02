"""The filing assistant: the dossier typed into the ANTS portal in minutes, not an hour.

Beside the dossier, the validated fields in the order of the ANTS online form, step by step,
each with a copy button (Alt+1…9 for the first nine of the step shown, Ctrl+Maj+C for the
row that has the focus; after a copy the focus moves to the next field, so the desk goes
copy → switch to the browser → paste → come back → copy). The pieces follow in the order
the form asks for them, each with its kit file to drag into the browser and a button to open
its folder. A tick per step records how far the typing went (kept per dossier, see
`services/filing_progress.py`). After filing, the request number and date are recorded,
which moves a `ready` dossier to `submitted` (`PapersService.record_filing`).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QDrag,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.outputs.ants_form import FormField, FormStep
from permis_desktop.outputs.pdfbase import short_date
from permis_desktop.services.context import DeskContext
from permis_desktop.services.filing_progress import FilingProgress
from permis_desktop.services.papers import (
    AssistantPiece,
    FilingAssistant,
    FilingInfo,
    PapersService,
)
from permis_desktop.ui.labels import status_label
from permis_desktop.ui.papers.printing import qdate
from permis_desktop.ui.papers.widgets import OK_STYLE, WARNING_STYLE
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

SHORTCUT_KEYS = 9  # Alt+1 … Alt+9


def kit_root(ctx: DeskContext) -> Path:
    """Where the assistant prepares the kit it offers for drag and drop."""
    return ctx.paths.kits


class FileDragLabel(QLabel):
    """A kit file name that can be dragged out of the window (into the browser's upload)."""

    def __init__(self, path: Path | None, text: str) -> None:
        super().__init__(text)
        self.path = path
        self._press: QPoint | None = None
        if path is not None:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            self.setToolTip(
                self.tr("Glissez ce fichier dans la page de l'ANTS pour le déposer\n{path}").format(
                    path=path
                )
            )

    def mime_data(self) -> QMimeData:
        mime = QMimeData()
        if self.path is not None:
            mime.setUrls([QUrl.fromLocalFile(str(self.path))])
        return mime

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.path is not None:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._press is None or self.path is None:
            return
        moved = (event.position().toPoint() - self._press).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.mime_data())
        drag.exec(Qt.DropAction.CopyAction)


class FieldRow:
    """One field of the form: its label, the text to copy, and the copy button."""

    def __init__(self, panel: FilingAssistantPanel, field: FormField, number: int) -> None:
        self.field = field
        self.label = QLabel(field.label)
        self.label.setWordWrap(True)
        self.value = QLabel(field.text or "—")
        self.value.setObjectName(f"value_{field.key}")
        self.value.setWordWrap(True)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setStyleSheet("font-weight: bold;")
        self.button = QPushButton(
            panel.tr("Copier  Alt+{n}").format(n=number)
            if number <= SHORTCUT_KEYS
            else panel.tr("Copier")
        )
        self.button.setObjectName(f"copy_{field.key}")
        self.button.setAccessibleName(panel.tr("Copier {label}").format(label=field.label))
        keys = panel.tr("Ctrl+Maj+C sur la ligne")
        if number <= SHORTCUT_KEYS:
            keys = f"Alt+{number}, " + keys
        self.button.setToolTip(
            panel.tr("Copier « {text} » ({keys})").format(text=field.text, keys=keys)
        )
        self.button.setEnabled(bool(field.text))
        self.button.clicked.connect(lambda: panel.copy_field(self))


class FilingAssistantPanel(QWidget):
    dossier_changed = Signal(str)  # status or filing changed
    loaded = Signal()
    copied = Signal(str)  # the field key

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        dossier_id: str,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("filing_assistant")
        self.setAccessibleName(self.tr("Assistant de dépôt sur le site de l'ANTS"))
        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.today = today
        self.papers = PapersService.from_context(ctx, today)
        self.progress = FilingProgress(ctx.db)
        self.assistant: FilingAssistant | None = None
        self.ticks: list[str] = []
        self.rows: dict[str, list[FieldRow]] = {}
        self.piece_labels: list[FileDragLabel] = []
        self._build()
        for number in range(1, SHORTCUT_KEYS + 1):
            QShortcut(
                QKeySequence(f"Alt+{number}"),
                self,
                lambda n=number: self.copy_number(n),
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )
        QShortcut(
            QKeySequence("Ctrl+Shift+C"),
            self,
            self.copy_focused,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.reload()

    # -- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(self.tr("<b>Assistant de dépôt ANTS</b>"))
        self.title.setObjectName("assistant_title")
        self.filing_label = QLabel()
        self.filing_label.setObjectName("filing_state")
        self.filing_label.setWordWrap(True)
        self.mandate_label = QLabel()
        self.mandate_label.setObjectName("mandate_warning")
        self.mandate_label.setWordWrap(True)
        self.mandate_label.setStyleSheet(WARNING_STYLE)
        self.mandate_label.hide()
        self.message = QLabel()
        self.message.setObjectName("assistant_message")
        self.message.setWordWrap(True)

        self.step_list = QListWidget()
        self.step_list.setObjectName("assistant_steps")
        self.step_list.setAccessibleName(self.tr("Étapes du formulaire ANTS (cochez les faites)"))
        self.step_list.currentRowChanged.connect(self._on_step_row)
        self.step_list.itemChanged.connect(self._on_step_ticked)
        self.stack = QStackedWidget()
        self.stack.setObjectName("assistant_pages")

        self.next_button = QPushButton(self.tr("Étape &faite, suivante →"))
        self.next_button.setObjectName("step_done")
        self.next_button.setToolTip(self.tr("Cocher cette étape et passer à la suivante"))
        self.next_button.clicked.connect(self.tick_and_next)
        self.kit_button = QPushButton(self.tr("Ouvrir le &kit"))
        self.kit_button.setObjectName("open_kit_folder")
        self.kit_button.setToolTip(self.tr("Ouvrir le dossier des fichiers à déposer"))
        self.kit_button.clicked.connect(self.open_kit_folder)
        self.copied_label = QLabel()
        self.copied_label.setObjectName("copied_label")
        self.copied_label.setAccessibleName(self.tr("Dernière copie"))
        step_buttons = QHBoxLayout()
        step_buttons.addWidget(self.copied_label, 1)
        step_buttons.addWidget(self.kit_button)
        step_buttons.addWidget(self.next_button)

        self.filed_box = QGroupBox(self.tr("Après le dépôt sur le site de l'ANTS"))
        self.filed_box.setObjectName("record_filing")
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("ants_request_number")
        self.number_edit.setAccessibleName(self.tr("Numéro de demande ANTS"))
        self.number_edit.setPlaceholderText(self.tr("N° de demande ANTS"))
        self.number_edit.setMaxLength(40)
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("ants_filed_on")
        self.date_edit.setAccessibleName(self.tr("Date du dépôt"))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setDate(qdate(self.today or dt.date.today()))
        self.record_button = QPushButton(self.tr("&Enregistrer le dépôt"))
        self.record_button.setObjectName("record_filing_button")
        self.record_button.setToolTip(
            self.tr("Enregistrer le numéro de demande et la date : le dossier passe à « Envoyé »")
        )
        self.record_button.clicked.connect(self.record_filing)
        self.number_edit.returnPressed.connect(self.record_filing)
        number_label = QLabel(self.tr("N° de &demande :"))
        number_label.setBuddy(self.number_edit)
        date_label = QLabel(self.tr("&Le :"))
        date_label.setBuddy(self.date_edit)
        filed = QGridLayout(self.filed_box)
        filed.addWidget(number_label, 0, 0)
        filed.addWidget(self.number_edit, 0, 1)
        filed.addWidget(date_label, 0, 2)
        filed.addWidget(self.date_edit, 0, 3)
        filed.addWidget(self.record_button, 1, 0, 1, 4)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.filing_label)
        layout.addWidget(self.mandate_label)
        layout.addWidget(self.message)
        layout.addWidget(self.step_list)
        layout.addWidget(self.stack, 1)
        layout.addLayout(step_buttons)
        layout.addWidget(self.filed_box)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.step_list, self.stack, self.next_button, self.kit_button):
            widget.setEnabled(enabled)
        self.filed_box.setEnabled(enabled)

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Prepare the kit (for the files to drag) and read the assistant, on the db thread."""
        papers, progress, dossier_id = self.papers, self.progress, self.dossier_id
        root = kit_root(self.ctx)

        def load(_state: Any) -> tuple[FilingAssistant, list[str], str]:
            problem = ""
            try:
                kit = papers.export_kit(dossier_id, root)
            except Exception as exc:  # the fields are still worth showing
                log.warning("kit for the assistant of %s not prepared: %s", dossier_id, exc)
                problem = str(exc)
                kit = None
            assistant = papers.filing_assistant(dossier_id, kit)
            return assistant, progress.ticks(dossier_id), problem

        self.message.setText(self.tr("Préparation de l'assistant…"))
        self.worker.run_task(
            load, on_success=self._show, on_error=self._on_load_error, owner=self, pool="db"
        )

    def _on_load_error(self, exc: BaseException) -> None:
        self.assistant = None
        self._set_enabled(False)
        self.message.setText(
            self.tr("L'assistant de dépôt n'est pas disponible : {error}").format(error=exc)
        )
        self.message.setStyleSheet(WARNING_STYLE)
        self.loaded.emit()

    def _show(self, loaded: tuple[FilingAssistant, list[str], str]) -> None:
        assistant, ticks, problem = loaded
        self.assistant, self.ticks = assistant, ticks
        self.title.setText(
            self.tr("<b>Assistant de dépôt ANTS</b> — {name}").format(name=assistant.applicant)
        )
        self.message.setStyleSheet(WARNING_STYLE if problem else "")
        self.message.setText(
            self.tr("Kit de dépôt non préparé : {error}").format(error=problem) if problem else ""
        )
        self.message.setVisible(bool(problem))
        self.mandate_label.setText(assistant.mandate.warning or "")
        self.mandate_label.setVisible(bool(assistant.mandate.warning))
        self._show_filing(assistant.filing)
        while self.stack.count():
            widget = self.stack.widget(0)
            if widget is not None:
                self.stack.removeWidget(widget)
                widget.deleteLater()
        self.rows.clear()
        self.piece_labels.clear()
        self.step_list.blockSignals(True)
        self.step_list.clear()
        for number, step in enumerate(assistant.steps, 1):
            item = QListWidgetItem(f"{number}. {step.title}")
            item.setData(Qt.ItemDataRole.UserRole, step.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if step.id in ticks else Qt.CheckState.Unchecked
            )
            self.step_list.addItem(item)
            self.stack.addWidget(self._step_page(step, assistant))
        self.step_list.blockSignals(False)
        rows = max(1, self.step_list.count())
        self.step_list.setFixedHeight(
            self.step_list.sizeHintForRow(0) * rows + 2 * self.step_list.frameWidth() + 4
        )
        self._set_enabled(True)
        self.kit_button.setEnabled(assistant.kit_folder is not None)
        first_open = next(
            (i for i, s in enumerate(assistant.steps) if s.id not in ticks),
            len(assistant.steps) - 1,
        )
        self.step_list.setCurrentRow(first_open)
        self.stack.setCurrentIndex(first_open)
        self.loaded.emit()

    def _step_page(self, step: FormStep, assistant: FilingAssistant) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setColumnStretch(1, 1)
        if step.id == "pieces":
            self._pieces_rows(grid, assistant.pieces, assistant.kit_folder)
        else:
            rows = [FieldRow(self, f, n) for n, f in enumerate(step.fields, 1)]
            self.rows[step.id] = rows
            for line, row in enumerate(rows):
                grid.addWidget(row.label, line, 0)
                grid.addWidget(row.value, line, 1)
                grid.addWidget(row.button, line, 2)
                row.label.setBuddy(row.button)
        grid.setRowStretch(grid.rowCount(), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _pieces_rows(
        self, grid: QGridLayout, pieces: tuple[AssistantPiece, ...], folder: Path | None
    ) -> None:
        if not pieces:
            grid.addWidget(QLabel(self.tr("Aucune pièce à déposer.")), 0, 0)
        for line, piece in enumerate(pieces):
            title = QLabel(f"<b>{piece.position}. {piece.label}</b>")
            title.setWordWrap(True)
            note = QLabel(piece.note)
            note.setWordWrap(True)
            note.setVisible(bool(piece.note))
            text = piece.path.name if piece.path is not None else self.tr("(pas de fichier)")
            drag = FileDragLabel(piece.path, text)
            drag.setObjectName(f"piece_file_{piece.kind}")
            drag.setAccessibleName(
                self.tr("Fichier de la pièce {label} : {name}").format(label=piece.label, name=text)
            )
            if piece.path is not None:
                drag.setStyleSheet(
                    "border: 1px solid #90A4AE; border-radius: 4px; padding: 3px; "
                    "background: #ECEFF1;"
                )
            self.piece_labels.append(drag)
            open_button = QPushButton(self.tr("Ouvrir le dossier"))
            open_button.setObjectName(f"open_folder_{piece.kind}")
            open_button.setAccessibleName(
                self.tr("Ouvrir le dossier du fichier {label}").format(label=piece.label)
            )
            open_button.setEnabled(piece.path is not None)
            open_button.clicked.connect(lambda _c=False, p=piece.path: self.open_folder(p))
            cell = QVBoxLayout()
            cell.addWidget(title)
            cell.addWidget(note)
            grid.addLayout(cell, line, 0, 1, 2)
            grid.addWidget(drag, line, 2)
            grid.addWidget(open_button, line, 3)

    def _show_filing(self, filing: FilingInfo) -> None:
        if filing.request_number:
            when = short_date(filing.filed_on) if filing.filed_on else "?"
            self.filing_label.setText(
                self.tr("✔ Déposé le {date}, demande n° {number} — dossier « {status} ».").format(
                    date=when, number=filing.request_number, status=status_label(filing.status)
                )
            )
            self.filing_label.setStyleSheet(OK_STYLE)
            self.number_edit.setText(filing.request_number)
            if filing.filed_on:
                self.date_edit.setDate(qdate(filing.filed_on))
        else:
            self.filing_label.setText(
                self.tr(
                    "Pas encore déposé. Ouvrez le site de l'ANTS et recopiez les champs dans "
                    "l'ordre."
                )
            )
            self.filing_label.setStyleSheet("")

    # -- copying ----------------------------------------------------------------------------

    def current_step_id(self) -> str:
        item = self.step_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def copy_field(self, row: FieldRow) -> None:
        text = row.field.text
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        row.button.setText(self.tr("✔ Copié"))
        self.copied_label.setText(self.tr("Copié : {label}").format(label=row.field.label))
        self.copied.emit(row.field.key)
        rows = self.rows.get(self.current_step_id(), [])
        if row in rows:
            after = rows[rows.index(row) + 1 :]
            following = next((r for r in after if r.button.isEnabled()), None)
            if following is not None:
                following.button.setFocus(Qt.FocusReason.TabFocusReason)

    def copy_number(self, number: int) -> None:
        rows = self.rows.get(self.current_step_id(), [])
        if 1 <= number <= len(rows):
            self.copy_field(rows[number - 1])

    def copy_focused(self) -> None:
        focus = QApplication.focusWidget()
        for row in self.rows.get(self.current_step_id(), []):
            if focus in (row.button, row.value, row.label):
                self.copy_field(row)
                return

    # -- steps ------------------------------------------------------------------------------

    def _on_step_row(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)

    def _on_step_ticked(self, item: QListWidgetItem) -> None:
        step_id = str(item.data(Qt.ItemDataRole.UserRole))
        done = item.checkState() == Qt.CheckState.Checked
        if (step_id in self.ticks) == done:
            return
        progress, dossier_id = self.progress, self.dossier_id
        self.worker.run_task(
            lambda _s: progress.set_tick(dossier_id, step_id, done),
            on_success=self._on_ticks,
            on_error=lambda exc: self.message.setText(str(exc)),
            owner=self,
            pool="db",
        )

    def _on_ticks(self, ticks: list[str]) -> None:
        self.ticks = ticks

    def tick_and_next(self) -> None:
        row = self.step_list.currentRow()
        item = self.step_list.item(row)
        if item is None:
            return
        item.setCheckState(Qt.CheckState.Checked)
        if row + 1 < self.step_list.count():
            self.step_list.setCurrentRow(row + 1)
            first = self.rows.get(self.current_step_id(), [])
            if first:
                first[0].button.setFocus(Qt.FocusReason.TabFocusReason)
        else:
            self.number_edit.setFocus(Qt.FocusReason.TabFocusReason)

    # -- files ------------------------------------------------------------------------------

    def open_folder(self, path: Path | None) -> None:
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def open_kit_folder(self) -> None:
        if self.assistant is not None and self.assistant.kit_folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.assistant.kit_folder)))

    # -- after filing -----------------------------------------------------------------------

    def record_filing(self) -> None:
        number = self.number_edit.text().strip()
        if not number:
            self.message.setText(self.tr("Recopiez d'abord le numéro de demande donné par l'ANTS."))
            self.message.setStyleSheet(WARNING_STYLE)
            self.message.show()
            self.number_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        filed_on: dt.date = self.date_edit.date().toPython()  # type: ignore[assignment]
        papers, dossier_id = self.papers, self.dossier_id
        self.record_button.setEnabled(False)
        self.worker.run_task(
            lambda _s: papers.record_filing(dossier_id, number, filed_on),
            on_success=self._on_recorded,
            on_error=self._on_record_failed,
            owner=self,
            pool="db",
        )

    def _on_recorded(self, filing: FilingInfo) -> None:
        self.record_button.setEnabled(True)
        self._show_filing(filing)
        self.message.setStyleSheet("")
        self.message.setText(
            self.tr("Dépôt enregistré : le dossier est passé à « {status} ».").format(
                status=status_label(filing.status)
            )
            if filing.moved
            else self.tr("Dépôt enregistré.")
        )
        self.message.show()
        self.dossier_changed.emit(self.dossier_id)

    def _on_record_failed(self, exc: BaseException) -> None:
        self.record_button.setEnabled(True)
        self.message.setText(str(exc))
        self.message.setStyleSheet(WARNING_STYLE)
        self.message.show()
