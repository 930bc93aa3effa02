"""Read the documents in the wizard: the MRZ of identity pieces, the 2D-Doc of proofs of
address, as soon as their pages are in.

`install_recognition(editor)` is the one call the dossier editor makes. From then on, every
time the pieces page reports new pages (import, scan, photo: `PiecesPage.pieces_changed`),
a piece of `services.recognition.READ_KINDS` whose pages were not read yet is read on the
background helper. The piece row then carries one line saying what was read ("2D-Doc
vérifié — daté du …", "Bande MRZ lue : document n° …") or why nothing was, and a dialog
shows the values read beside the values typed, field by field, to fill the empty fields or
replace the chosen ones in one click. Values typed differently from a reading are shown as
warnings on their fields (`field_warnings`, called by the editor's `recompute`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import PIECE_KINDS
from permis_desktop.services.dossiers import DossierDetail
from permis_desktop.services.recognition import (
    IDENTITY_PERSON,
    READ_KINDS,
    ComparisonRow,
    RecognitionOutcome,
    RecognitionService,
    apply_choices,
    compare_rows,
    describe,
    is_current,
    mismatches,
    pages_key,
    rows_to_fill,
)
from permis_desktop.ui.wizard.fields import ERROR, WARNING, message_colour

log = logging.getLogger(__name__)

OK = "ok"
_READING = {
    "mrz": "Lecture de la bande MRZ en cours…",
    "2ddoc": "Recherche du 2D-Doc en cours…",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("recognition", text)


# -- the comparison dialog --------------------------------------------------------------------


class RecognitionDialog(QDialog):
    """Champ | lu sur le document | saisi | ✔/⚠, a check box per row, two actions.

    "Remplir les champs vides" takes every value read whose field is empty; "Remplacer la
    sélection" takes the ticked rows (the empty ones are ticked to start with, a value typed
    differently only when the user ticks it)."""

    chosen = Signal(list)  # list[ComparisonRow]

    def __init__(
        self, kind: str, verdict: str, level: str, rows: Sequence[ComparisonRow], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"recognition_dialog:{kind}")
        self.kind = kind
        self.rows = list(rows)
        self.setWindowTitle(
            _tr("Lu sur le document : {piece}").format(piece=PIECE_KINDS[kind].label)
        )
        self.verdict = QLabel(verdict)
        self.verdict.setObjectName("recognition_verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet(f"color: {_colour(self, level)}; font-weight: bold;")
        intro = QLabel(
            _tr(
                "Comparez ce qui est lu sur le document avec ce qui est saisi. « Remplir les "
                "champs vides » reprend les valeurs lues là où rien n'est saisi ; cochez les "
                "lignes à remplacer puis « Remplacer la sélection »."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.rows), 4)
        self.table.setObjectName("recognition_table")
        self.table.setHorizontalHeaderLabels(
            [_tr("Champ"), _tr("Lu sur le document"), _tr("Saisi"), ""]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAccessibleName(_tr("Valeurs lues et saisies"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        for index, row in enumerate(self.rows):
            name = QTableWidgetItem(row.label)
            if row.fillable and not row.match:
                name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                name.setCheckState(Qt.CheckState.Checked if row.empty else Qt.CheckState.Unchecked)
            else:
                name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(index, 0, name)
            self.table.setItem(index, 1, QTableWidgetItem(row.read or "—"))
            typed = row.typed or (_tr("(vide)") if row.path is not None else "—")
            self.table.setItem(index, 2, QTableWidgetItem(typed))
            mark, tip, level = _mark(row)
            cell = QTableWidgetItem(mark)
            cell.setToolTip(tip)
            cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if level:
                cell.setForeground(QColor(_colour(self, level)))
            self.table.setItem(index, 3, cell)
        self.table.resizeRowsToContents()

        self.fill_button = QPushButton(_tr("Remplir les champs vides"))
        self.fill_button.setObjectName("fill_empty")
        self.fill_button.setEnabled(bool(rows_to_fill(self.rows)))
        self.fill_button.clicked.connect(self.fill_empty)
        self.replace_button = QPushButton(_tr("Remplacer la sélection"))
        self.replace_button.setObjectName("replace_selected")
        self.replace_button.clicked.connect(self.replace_selected)
        close = QPushButton(_tr("Fermer sans rien changer"))
        close.setObjectName("close_recognition")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fill_button)
        buttons.addWidget(self.replace_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(760, 190 + 26 * max(len(self.rows), 4))
        self.fill_button.setDefault(self.fill_button.isEnabled())

    def selected(self) -> list[ComparisonRow]:
        out = []
        for index, row in enumerate(self.rows):
            item = self.table.item(index, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(row)
        return out

    def fill_empty(self) -> None:
        self.chosen.emit(rows_to_fill(self.rows))
        self.accept()

    def replace_selected(self) -> None:
        self.chosen.emit(self.selected())
        self.accept()


def _mark(row: ComparisonRow) -> tuple[str, str, str]:
    if row.path is None and not row.typed:
        return "", _tr("Pour information"), ""
    if row.match:
        return "✔", _tr("Identique"), OK
    if not row.read:
        return "", "", ""
    if not row.typed:
        return "+", _tr("Rien de saisi : la valeur lue peut être reprise"), ""
    return "⚠", _tr("Différent de la saisie"), WARNING


def _colour(widget: QWidget, level: str) -> str:
    if level == OK:
        dark = widget.palette().color(widget.backgroundRole()).lightness() < 128
        return "#81C784" if dark else "#1B5E20"
    return message_colour(widget.palette(), ERROR if level == "error" else WARNING)


# -- the editor side --------------------------------------------------------------------------


class RecognitionController(QObject):
    """Starts the readings, keeps them, shows them on the rows, opens the dialog."""

    outcome_shown = Signal(str)  # kind, once a reading is shown on its row
    dialog_opened = Signal(object)  # RecognitionDialog

    def __init__(self, editor: Any, detail: DossierDetail) -> None:
        super().__init__(editor)
        self.editor = editor
        self.readings: dict[str, dict[str, Any]] = {}
        self.running: dict[str, list[str]] = {}  # kind -> pages key being read
        self.dialog: RecognitionDialog | None = None
        self.pending: list[str] = []  # kinds whose dialog waits for the open one
        self.lines: dict[str, QLabel] = {}
        self.refused: dict[str, str] = {}  # kind -> values the facts parser refused
        for piece in detail.pieces:
            if piece.kind in READ_KINDS and is_current(piece.recognised, piece.pages):
                self.readings[piece.kind] = dict(piece.recognised)
        editor.pieces_page.pieces_changed.connect(self.on_pieces_changed)
        for kind in self.readings:
            self._show_line(kind)
        self.on_pieces_changed(detail, opening=True)

    # -- starting ---------------------------------------------------------------------------

    def on_pieces_changed(self, detail: DossierDetail, opening: bool = False) -> None:
        for piece in detail.pieces:
            if piece.kind not in READ_KINDS:
                continue
            if not piece.pages:
                self.readings.pop(piece.kind, None)
                self._show_line(piece.kind)
                continue
            if piece.status == "missing":
                # Re-opened by the agency's complement request (sync/feed.py): its pages
                # are the refused ones; reading them would put the piece back as provided.
                continue
            key = pages_key(piece.pages)
            if is_current(piece.recognised, piece.pages):
                self.readings[piece.kind] = dict(piece.recognised)
                self._show_line(piece.kind)
                continue
            if self.running.get(piece.kind) == key or not self.editor.editable:
                continue
            self.start(piece.kind, key, quiet=opening)

    def start(self, kind: str, key: list[str], quiet: bool = False) -> None:
        """Read the piece on the background helper (the reader never runs on the GUI)."""
        self.running[kind] = key
        ctx, dossier_id = self.editor.ctx, self.editor.dossier_id
        previous = self.readings.get(kind, {})
        line = self._line(kind)
        if line is not None:
            _set_line(line, [(_tr(_READING["mrz" if kind in IDENTITY_PERSON else "2ddoc"]), "")])

        def read(state: Any) -> RecognitionOutcome:
            return RecognitionService(ctx).recognise_piece(
                dossier_id, kind, cancel=lambda: state.cancelled
            )

        self.editor.worker.run_task(
            read,
            on_success=lambda outcome: self._on_read(outcome, previous, quiet),
            on_error=lambda exc: self._on_failed(kind, key, exc),
            owner=self.editor,
            pool="io",
        )

    def _on_failed(self, kind: str, key: list[str], exc: BaseException) -> None:
        from permis_desktop.errors import PermisError

        if kind in self.running and self.running[kind] != key:
            return  # pages changed meanwhile: a newer reading is under way
        self.running.pop(kind, None)
        text = (
            str(exc)
            if isinstance(exc, PermisError)
            else _tr("Lecture du document impossible : saisissez les informations à la main.")
        )
        line = self._line(kind)
        if line is not None:
            _set_line(line, [(text, "error")])

    def _on_read(self, outcome: RecognitionOutcome, previous: dict[str, Any], quiet: bool) -> None:
        kind = outcome.kind
        if kind in self.running and self.running[kind] != outcome.recognised.get("pages"):
            return  # pages changed meanwhile: a newer reading is under way
        self.running.pop(kind, None)
        self.readings[kind] = outcome.recognised
        self._take_piece_dates(outcome, previous)
        self._show_line(kind)
        self.outcome_shown.emit(kind)
        same = _content(previous) == _content(outcome.recognised)
        rows = compare_rows(kind, outcome.recognised, self.editor.facts)
        wanted = [r for r in rows if r.fillable and not r.match]
        if outcome.found and wanted and not same and not quiet and self.editor.editable:
            self.open_dialog(kind)

    def _take_piece_dates(self, outcome: RecognitionOutcome, previous: dict[str, Any]) -> None:
        """The dates and type the reading wrote into the piece (or took back, when they came
        from an earlier reading of other pages), into the facts in memory too, so that the
        next autosave keeps them and the checklist applies its rules now. A date typed
        meanwhile and not saved yet stays as typed."""
        set_now = outcome.recognised.get("set") or {}
        set_before = previous.get("set") or {}
        pieces = self.editor.facts.setdefault("pieces", [])
        entry = next((p for p in pieces if p.get("kind") == outcome.kind), None)
        if entry is None:
            entry = {"kind": outcome.kind}
            pieces.append(entry)
        stored = {"issued": outcome.issued, "expires": outcome.expires}
        changed = False
        for name in ("issued", "expires"):
            if name not in set_now and name not in outcome.dates_cleared:
                continue
            if entry.get(name) and entry.get(name) not in (set_before.get(name), stored[name]):
                continue  # typed in the window meanwhile
            if stored[name]:
                changed |= entry.get(name) != stored[name]
                entry[name] = stored[name]
            else:
                changed |= entry.pop(name, None) is not None
        if set_now.get("type") and entry.get("document_type") != set_now["type"]:
            entry["document_type"] = set_now["type"]
            changed = True
        self.editor.recompute()
        if changed:
            self.editor.autosaver.changed()

    # -- the dialog -------------------------------------------------------------------------

    def open_dialog(self, kind: str) -> RecognitionDialog | None:
        """Show the comparison for `kind`. While another piece's dialog is open, this one
        waits for it to close (two pieces imported together come one after the other)."""
        recognised = self.readings.get(kind)
        if not recognised:
            return None
        if self.dialog is not None:
            if self.dialog.kind != kind:
                if kind not in self.pending:
                    self.pending.append(kind)
                return None
            self.dialog.reject()  # the same piece read again: show the new reading
        message, level = describe(kind, recognised)
        rows = compare_rows(kind, recognised, self.editor.facts)
        dialog = RecognitionDialog(kind, message, level, rows, parent=self.editor)
        dialog.chosen.connect(lambda chosen: self.apply(kind, chosen))
        dialog.finished.connect(lambda _r: self._on_dialog_finished(dialog))
        self.dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        self.dialog_opened.emit(dialog)
        return dialog

    def _on_dialog_finished(self, dialog: RecognitionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        while self.pending and self.dialog is None:
            self.open_dialog(self.pending.pop(0))

    def apply(self, kind: str, rows: Sequence[ComparisonRow]) -> list[str]:
        """Write the chosen values into the facts, show them, save."""
        editor = self.editor
        if not editor.editable or not rows:
            return []
        from permis_desktop.ui.wizard.state import get_path

        applied = apply_choices(editor.facts, rows)
        editor.facts = applied.facts
        fields = editor._fields()
        for path in applied.applied:
            if path in fields:
                fields[path].set_value(get_path(editor.facts, path))
        editor.recompute()
        if applied.applied:
            editor.autosaver.changed()
        if applied.refused:
            self.refused[kind] = _tr("Non repris : {what}").format(
                what=" ; ".join(applied.refused.values())
            )
        else:
            self.refused.pop(kind, None)
        self._show_line(kind)
        log.info(
            "dossier %s: %d value(s) taken from %s", editor.dossier_id, len(applied.applied), kind
        )
        return applied.applied

    # -- the piece rows ---------------------------------------------------------------------

    def _line(self, kind: str) -> QLabel | None:
        line = self.lines.get(kind)
        if line is not None:
            return line
        row = self.editor.pieces_page.rows.get(kind)
        if row is None:
            return None
        line = QLabel()
        line.setObjectName(f"recognition:{kind}")
        line.setWordWrap(True)
        line.setTextFormat(Qt.TextFormat.RichText)
        line.hide()
        show = QPushButton(_tr("Comparer avec la saisie…"))
        show.setObjectName(f"recognition_compare:{kind}")
        show.clicked.connect(lambda: self.open_dialog(kind))
        show.hide()
        holder = QWidget()
        holder_layout = QHBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(line, 1)
        holder_layout.addWidget(show)
        layout = row.layout()
        layout.insertWidget(max(layout.indexOf(row.message), 0), holder)
        line.compare_button = show  # type: ignore[attr-defined]
        self.lines[kind] = line
        return line

    def _show_line(self, kind: str) -> None:
        line = self._line(kind)
        if line is None:
            return
        recognised = self.readings.get(kind)
        button: QPushButton = line.compare_button  # type: ignore[attr-defined]
        if not recognised:
            line.hide()
            button.hide()
            return
        parts = [describe(kind, recognised)]
        differ = self._differences(kind)
        if differ:
            parts.append(("⚠ " + differ, WARNING))
        if self.refused.get(kind):
            parts.append((self.refused[kind], "error"))
        _set_line(line, parts)
        button.setVisible("error" not in recognised and self.editor.editable)

    def _differences(self, kind: str) -> str:
        """One short sentence when the typed data differ from the reading, else ""."""
        recognised = self.readings.get(kind) or {}
        if "error" in recognised or not (recognised.get("mrz") or {}).get("valid", True):
            return ""
        labels = [
            r.label.lower()
            for r in compare_rows(kind, recognised, self.editor.facts)
            if r.typed and r.read and not r.match and r.field != "number"
        ]
        if not labels:
            return ""
        return _tr("Différent de la saisie : {what}. Comparez et corrigez si besoin.").format(
            what=", ".join(labels)
        )

    def refresh_lines(self) -> None:
        """Keep each row's line in step with the typing (and give rows created after the
        reading, when the flow changed, their line)."""
        for kind in self.readings:
            self._show_line(kind)

    # -- field warnings ---------------------------------------------------------------------

    def warnings(self, facts: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for kind, recognised in self.readings.items():
            for path, text in mismatches(kind, recognised, facts).items():
                out.setdefault(path, text)
        return out


def _set_line(line: QLabel, parts: Sequence[tuple[str, str]]) -> None:
    """Show (text, level) parts one per line, coloured by level; the plain text is the
    label's accessible name (what a screen reader says, what the tests read)."""
    plain = " ".join(text for text, _level in parts)
    rich = "<br>".join(
        f'<span style="color: {_colour(line, level)};">{escape(text)}</span>'
        if level
        else escape(text)
        for text, level in parts
    )
    if line.text() != rich:
        line.setText(rich)
        line.setAccessibleName(plain)
    line.show()


def line_text(line: QLabel) -> str:
    return line.accessibleName()


def _content(recognised: dict[str, Any]) -> Any:
    """What a reading says, without when or from which pages it was made."""
    return recognised.get("mrz") or recognised.get("2ddoc") or recognised.get("error")


def install_recognition(editor: Any, detail: DossierDetail) -> RecognitionController:
    """The editor's one call: readings start as pieces get pages (kept as `editor.recognition`)."""
    controller = RecognitionController(editor, detail)
    editor.recognition = controller
    editor.recompute()  # warnings of readings already stored
    return controller


def field_warnings(editor: Any) -> dict[str, str]:
    """Facts paths typed differently from a reading -> French warning (editor.recompute)."""
    controller: RecognitionController | None = getattr(editor, "recognition", None)
    if controller is None:
        return {}
    controller.refresh_lines()
    return controller.warnings(editor.facts)


__all__ = ["RecognitionController", "RecognitionDialog", "field_warnings", "install_recognition"]
