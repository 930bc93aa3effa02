"""Field editors of the wizard: one widget per facts path, chosen by the path's kind.

Each editor shows its value, reports every change with `edited(path, value)` (the value as
the facts document wants it), and shows a message under itself: an error (✖) or a warning
(⚠), in colours that read on light and dark palettes, never blocking the typing. Dates are
typed the French way (JJ/MM/AAAA); a date that cannot be read stays on screen with its
error and is left out of the facts until it is correct.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import CATEGORIES, TRAINING_KINDS, TRAINING_MODES
from permis_desktop.procedures.flow import FieldSpec
from permis_desktop.ui.new_dossier import split_given_names
from permis_desktop.ui.wizard.state import iso_to_french, parse_french_date

ERROR, WARNING = "error", "warning"


def _tr(text: str) -> str:
    return QCoreApplication.translate("wizard", text) if text else text


def message_colour(palette: QPalette, level: str) -> str:
    """Error red / warning amber, dark on a light palette and light on a dark one."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    if level == ERROR:
        return "#FF8A80" if dark else "#B71C1C"
    return "#FFD180" if dark else "#8A5300"


class FieldEditor(QWidget):
    """Base: an input and the message line under it."""

    edited = Signal(str, object)  # path, value

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.path = spec.path
        self.local_error = ""
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.message = QLabel()
        self.message.setObjectName(f"message:{spec.path}")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        self.level = ""

    def _finish(self, input_widget: QWidget) -> None:
        self.input = input_widget
        input_widget.setObjectName(f"field:{self.path}")
        input_widget.setAccessibleName(self.spec.label)
        self._layout.addWidget(input_widget)
        self._layout.addWidget(self.message)
        self.setFocusProxy(input_widget)

    def set_value(self, value: Any) -> None:
        raise NotImplementedError  # abstract: each field kind shows its value its own way

    def set_message(self, level: str, text: str) -> None:
        """Show the rules engine's message for this field (a local error wins)."""
        if self.local_error:
            level, text = ERROR, self.local_error
        if not text:
            if self.level:
                self.level = ""
                self.message.hide()
            return
        if (level, text) == (self.level, self.message.text()[2:]):
            return
        self.level = level
        mark = "✖" if level == ERROR else "⚠"
        self.message.setText(f"{mark} {text}")
        self.message.setStyleSheet(f"color: {message_colour(self.palette(), level)};")
        self.message.setAccessibleName(
            (_tr("Erreur : ") if level == ERROR else _tr("Attention : ")) + text
        )
        self.message.show()

    def set_read_only(self, read_only: bool) -> None:
        self.input.setEnabled(not read_only)


class TextField(FieldEditor):
    def __init__(self, spec: FieldSpec, placeholder: str = "", upper: bool = False) -> None:
        super().__init__(spec)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.upper = upper
        self.edit.textEdited.connect(self._on_text)
        self._finish(self.edit)

    def _on_text(self, text: str) -> None:
        if self.upper and text != text.upper():
            position = self.edit.cursorPosition()
            self.edit.setText(text.upper())
            self.edit.setCursorPosition(position)
            text = text.upper()
        self.edited.emit(self.path, text)

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.edit.text() != text:
            self.edit.setText(text)


class GivenNamesField(TextField):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec, placeholder=_tr("Léa, Marie"))
        self.edit.setToolTip(_tr("Plusieurs prénoms : séparez-les par des virgules."))

    def _on_text(self, text: str) -> None:
        self.edited.emit(self.path, split_given_names(text))

    def set_value(self, value: Any) -> None:
        names = list(value or [])
        if split_given_names(self.edit.text()) != names:
            self.edit.setText(", ".join(names))


class DateField(FieldEditor):
    def __init__(self, spec: FieldSpec, partial: bool = False, past: bool = False) -> None:
        super().__init__(spec)
        self.partial = partial
        self.past = past  # a date that has already happened (photo, signature, training)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(_tr("JJ/MM/AAAA"))
        self.edit.setMaxLength(12)
        self.edit.textEdited.connect(self._on_text)
        if partial:
            self.edit.setToolTip(_tr("Jour ou mois inconnus : mettez 00 (par exemple 00/00/1990)."))
        self._finish(self.edit)

    def _on_text(self, text: str) -> None:
        latest = dt.date.today() if self.past else None
        parsed = parse_french_date(text, self.partial, latest)
        self.local_error = parsed.error
        if parsed.error:
            self.set_message(ERROR, parsed.error)
        self.edited.emit(self.path, parsed.iso)

    def set_value(self, value: Any) -> None:
        if parse_french_date(self.edit.text(), self.partial).iso == (value or None):
            return
        self.local_error = ""
        self.edit.setText(iso_to_french(value))


class ChoiceField(FieldEditor):
    def __init__(
        self, spec: FieldSpec, choices: list[tuple[str | None, str]], editable: bool = False
    ) -> None:
        super().__init__(spec)
        self.combo = QComboBox()
        self.combo.setEditable(editable)
        for value, label in choices:
            self.combo.addItem(_tr(label), value)
        if editable:
            self.combo.setCurrentIndex(-1)
            self.combo.editTextChanged.connect(lambda text: self.edited.emit(self.path, text))
        else:
            self.combo.activated.connect(
                lambda i: self.edited.emit(self.path, self.combo.itemData(i))
            )
        self._finish(self.combo)

    def set_value(self, value: Any) -> None:
        if self.combo.isEditable():
            if self.combo.currentText() != (value or ""):
                self.combo.setEditText(value or "")
            return
        index = self.combo.findData(value)
        self.combo.setCurrentIndex(max(index, 0))


class CheckField(FieldEditor):
    def __init__(self, spec: FieldSpec, help_text: str = "") -> None:
        super().__init__(spec)
        self.box = QCheckBox(spec.label)
        self.box.toggled.connect(lambda on: self.edited.emit(self.path, on))
        self._finish(self.box)
        if help_text:
            hint = QLabel(help_text)
            hint.setWordWrap(True)
            hint.setIndent(24)
            hint.setEnabled(False)
            self._layout.insertWidget(1, hint)
            self.box.setAccessibleDescription(help_text)

    def set_value(self, value: Any) -> None:
        if self.box.isChecked() != bool(value):
            self.box.blockSignals(True)
            self.box.setChecked(bool(value))
            self.box.blockSignals(False)


class CategoriesField(FieldEditor):
    """The categories requested: one check box per licence category."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, category in enumerate(CATEGORIES.values()):
            box = QCheckBox(category.id)
            box.setObjectName(f"category:{category.id}")
            box.setToolTip(category.label)
            box.setAccessibleName(category.label)
            box.toggled.connect(self._on_toggled)
            grid.addWidget(box, i // 5, i % 5)
            self.boxes[category.id] = box
        self._finish(grid_host)
        grid_host.setAccessibleName(spec.label)
        self.setFocusProxy(self.boxes["B"])

    def value(self) -> list[str]:
        return [c for c, box in self.boxes.items() if box.isChecked()]

    def _on_toggled(self, _on: bool) -> None:
        self.edited.emit(self.path, self.value())

    def set_value(self, value: Any) -> None:
        wanted = set(value or [])
        for category, box in self.boxes.items():
            if box.isChecked() != (category in wanted):
                box.blockSignals(True)
                box.setChecked(category in wanted)
                box.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(not read_only)


class HeldCategoriesField(FieldEditor):
    """The licence held: category, date obtained and restriction codes (78, 96…), one line
    per category."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        host = QWidget()
        self.rows_layout = QVBoxLayout(host)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows: list[tuple[QWidget, QComboBox, QLineEdit, QLineEdit]] = []
        self.add_button = QPushButton(_tr("Ajouter une catégorie détenue"))
        self.add_button.setObjectName("add_held_category")
        self.add_button.clicked.connect(lambda: self._add_row({}, focus=True))
        self.rows_layout.addWidget(self.add_button)
        self._finish(host)
        host.setAccessibleName(spec.label)
        self.setFocusProxy(self.add_button)
        self._read_only = False

    def _add_row(self, entry: dict[str, Any], focus: bool = False, emit: bool = True) -> None:
        line = QWidget()
        layout = QHBoxLayout(line)
        layout.setContentsMargins(0, 0, 0, 0)
        category = QComboBox()
        category.setAccessibleName(_tr("Catégorie détenue"))
        for cat in CATEGORIES.values():
            category.addItem(cat.id, cat.id)
        category.setCurrentIndex(max(category.findData(entry.get("category") or "B"), 0))
        obtained = QLineEdit(iso_to_french(entry.get("obtained")))
        obtained.setPlaceholderText(_tr("obtenue le JJ/MM/AAAA"))
        obtained.setAccessibleName(_tr("Date d'obtention"))
        restrictions = QLineEdit(", ".join(entry.get("restrictions") or []))
        restrictions.setPlaceholderText(_tr("mentions : 78, 96…"))
        restrictions.setAccessibleName(_tr("Mentions additionnelles"))
        remove = QPushButton(_tr("Retirer"))
        remove.setAccessibleName(_tr("Retirer cette catégorie"))
        for widget in (category, obtained, restrictions, remove):
            layout.addWidget(widget)
            widget.setEnabled(not self._read_only)
        category.activated.connect(lambda _i: self._emit())
        obtained.textEdited.connect(lambda _t: self._emit())
        restrictions.textEdited.connect(lambda _t: self._emit())
        row = (line, category, obtained, restrictions)
        remove.clicked.connect(lambda: self._remove(row))
        self.rows.append(row)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, line)
        if focus:
            category.setFocus()
        if emit:
            self._emit()

    def _remove(self, row: tuple[QWidget, QComboBox, QLineEdit, QLineEdit]) -> None:
        self.rows.remove(row)
        row[0].deleteLater()
        self._emit()

    def value(self) -> list[dict[str, Any]]:
        out = []
        errors = []
        for _line, category, obtained, restrictions in self.rows:
            entry: dict[str, Any] = {"category": category.currentData()}
            parsed = parse_french_date(obtained.text())
            if parsed.error:
                errors.append(f"{category.currentData()} : {parsed.error}")
            elif parsed.iso:
                entry["obtained"] = parsed.iso
            codes = [c.strip() for c in restrictions.text().replace(";", ",").split(",")]
            if any(codes):
                entry["restrictions"] = [c for c in codes if c]
            out.append(entry)
        self.local_error = " ".join(errors)
        return out

    def _emit(self) -> None:
        value = self.value()
        if self.local_error:
            self.set_message(ERROR, self.local_error)
        self.edited.emit(self.path, value)

    def set_value(self, value: Any) -> None:
        entries = [e if isinstance(e, dict) else {"category": e} for e in (value or [])]
        if self.value() == entries:
            return
        for row in list(self.rows):
            row[0].deleteLater()
        self.rows.clear()
        for entry in entries:
            self._add_row(entry, emit=False)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.add_button.setEnabled(not read_only)
        for line, *_rest in self.rows:
            for child in line.findChildren(QWidget):
                child.setEnabled(not read_only)


_SEXES: list[tuple[str | None, str]] = [(None, "—"), ("F", "Féminin"), ("M", "Masculin")]
_QUALITIES = ["Mère", "Père", "Tuteur", "Tutrice", "Curateur", "Autre représentant légal"]
_MEDICAL_HELP = {
    "applicant.medical.condition": "Une affection figurant sur la liste de l'arrêté du 28 mars "
    "2022 (vue, cœur, diabète traité, épilepsie…) : un médecin agréé doit donner son avis.",
    "applicant.medical.adapted_vehicle": "Le demandeur a besoin d'un véhicule aménagé en "
    "raison d'un handicap : l'avis d'un médecin agréé est demandé.",
    "applicant.medical.invalidity_pension": "Le demandeur perçoit une pension d'invalidité "
    "civile ou militaire : l'avis d'un médecin agréé est demandé.",
}
_CHECK_HELP = {
    **_MEDICAL_HELP,
    "applicant.under_guardianship": "Majeur protégé : le tuteur remplit la demande et son "
    "courriel sert de contact ANTS.",
    "applicant.hosted": "Le demandeur habite chez un tiers (parent, ami) : il faut "
    "l'attestation d'hébergement, la pièce d'identité et le justificatif de l'hébergeant.",
    "mandate": "L'élève a signé le mandat papier : l'école dépose la demande pour lui, il n'a "
    "pas à la valider en ligne.",
}
_PLACEHOLDERS = {
    "applicant.address.line1": "12 rue de la République",
    "applicant.address.line2": "Bât. B, 3e étage, chez M. Dupont",
    "applicant.address.postal_code": "69003",
    "applicant.email": "nom@exemple.fr",
    "legal_representative.email": "nom@exemple.fr",
    "applicant.mobile": "06 12 34 56 78",
    "legal_representative.mobile": "06 12 34 56 78",
    "host.mobile": "06 12 34 56 78",
    "applicant.neph": "12 chiffres, s'il existe déjà",
    "applicant.birth_place.insee": "69123",
    "applicant.licence.number": "numéro du permis (case 5)",
    "photo_signature.code": "22 lettres et chiffres de la planche photo",
}
_COUNTRY_PATHS = (
    "applicant.nationality",
    "applicant.birth_place.country",
    "applicant.address.country",
)
_DATE_PATHS = ("photo_signature.taken", "training.completed", "desk.mandate_signed_on")


def make_field(spec: FieldSpec) -> FieldEditor:
    """The editor for one facts path."""
    path = spec.path
    leaf = path.rsplit(".", 1)[-1]
    if leaf == "sex":
        return ChoiceField(spec, _SEXES)
    if leaf == "given_names":
        return GivenNamesField(spec)
    if leaf == "birth_date":
        return DateField(spec, partial=True)
    if path in _DATE_PATHS:
        return DateField(spec, past=True)
    if path == "categories":
        return CategoriesField(spec)
    if path == "applicant.licence.categories":
        return HeldCategoriesField(spec)
    if path == "training_mode":
        return ChoiceField(spec, [(None, "—"), *TRAINING_MODES.items()])
    if path == "training.kind":
        return ChoiceField(spec, [(None, "—"), *TRAINING_KINDS.items()])
    if path == "legal_representative.quality":
        return ChoiceField(spec, [(q, q) for q in _QUALITIES], editable=True)
    if leaf in ("under_guardianship", "hosted", "mandate") or path.startswith("applicant.medical."):
        return CheckField(spec, _tr(_CHECK_HELP.get(path, "")))
    if path in _COUNTRY_PATHS:
        field = TextField(spec, placeholder=_tr("FRA, ESP, MAR…"), upper=True)
        field.edit.setMaxLength(3)
        field.edit.setToolTip(_tr("Code du pays à 3 lettres (FRA pour la France)."))
        return field
    if path == "photo_signature.code":
        return TextField(spec, placeholder=_tr(_PLACEHOLDERS[path]), upper=True)
    return TextField(spec, placeholder=_tr(_PLACEHOLDERS.get(path, "")))
