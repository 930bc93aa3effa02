"""Keyboard and screen readers: names on controls, tab order in page order, fits at 200 %."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QWidget

from permis_desktop.procedures.facts import skeleton
from permis_desktop.services.dossiers import DossierService
from tests.ui.helpers import field, open_editor, open_window


def _minor(desk) -> str:
    facts = skeleton("exam_registration_extension")
    facts["applicant"].update({"birth_name": "Nguyen", "birth_date": "2012-02-03"})
    return DossierService(desk.db).create(facts)


def test_every_control_of_every_page_has_an_accessible_name(qtbot, desk, worker) -> None:
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, _minor(desk))
    unnamed = []
    for step in editor.step_ids():
        editor.go_to(step)
        page = editor.pages[step]
        for widget in page.findChildren(QWidget):
            if not widget.isVisibleTo(page):
                continue
            if isinstance(widget, QLineEdit | QComboBox) and widget.parent() is not None:
                if isinstance(widget.parent(), QComboBox):
                    continue  # the line edit inside an editable combo box
                if not widget.accessibleName():
                    unnamed.append(f"{step}: {widget.objectName() or type(widget).__name__}")
            if isinstance(widget, QAbstractButton) and not (
                widget.text() or widget.accessibleName()
            ):
                unnamed.append(f"{step}: button {widget.objectName()}")
    assert unnamed == []
    assert window.table.accessibleName() == "Liste des dossiers"


def test_tab_follows_the_fields_in_page_order(qtbot, desk, worker) -> None:
    window = open_window(qtbot, desk, worker)
    editor = open_editor(qtbot, window, _minor(desk))
    editor.go_to("adresse")
    order = [
        "applicant.address.line1",
        "applicant.address.line2",
        "applicant.address.postal_code",
        "applicant.address.city",
        "applicant.address.country",
    ]
    field(editor, order[0]).input.setFocus()
    for path in order[1:]:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        assert window.focusWidget() is field(editor, path).input, path


def test_the_window_fits_a_1080p_screen_at_200_percent(qtbot, desk, worker) -> None:
    window = open_window(qtbot, desk, worker)
    assert window.minimumSizeHint().width() <= 960
    editor = open_editor(qtbot, window, _minor(desk))
    hint = editor.minimumSizeHint()
    assert hint.width() <= 960 and hint.height() <= 540
