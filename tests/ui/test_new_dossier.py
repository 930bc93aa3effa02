"""New dossier (Ctrl+N): nine procedures in three groups, duplicates offered instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QRadioButton

from permis_desktop.procedures.catalog import PROCEDURES
from permis_desktop.services.dossiers import DossierService
from tests.ui.helpers import keys, open_window


def _dialog(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "new_dialog", None) is not None)
    return window.new_dialog


def test_ctrl_n_lists_the_nine_procedures_grouped_with_their_help(qtbot, desk, worker) -> None:
    window = open_window(qtbot, desk, worker)
    dialog = _dialog(qtbot, window)
    radios = dialog.findChildren(QRadioButton)
    assert sorted(r.property("procedure") for r in radios) == sorted(PROCEDURES)
    groups = [g.title() for g in dialog.findChildren(QGroupBox)][:3]
    assert groups == ["Inscription", "Titre après réussite", "Titre après formation"]
    b96 = next(r for r in radios if r.property("procedure") == "licence_after_training_b96")
    assert "remorque" in b96.accessibleDescription()
    dialog.reject()


def test_new_dossier_is_created_and_opened_on_its_first_page(qtbot, desk, worker) -> None:
    window = open_window(qtbot, desk, worker)
    dialog = _dialog(qtbot, window)
    dialog.select_procedure("licence_after_exam_first")
    keys(qtbot, dialog.birth_name, "Lefèvre")
    keys(qtbot, dialog.given_names, "Chloé, Marie")
    keys(qtbot, dialog.birth_date, "30/08/2006")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.editor is not None)
    detail = DossierService(desk.db).get(window.editor.dossier_id)
    assert detail.facts["procedure"] == "licence_after_exam_first"
    assert detail.facts["applicant"]["given_names"] == ["Chloé", "Marie"]
    assert detail.facts["applicant"]["birth_date"] == "2006-08-30"
    assert window.editor.current_step == "demandeur"


def test_a_bad_birth_date_is_explained_in_the_dialog(qtbot, desk, worker) -> None:
    window = open_window(qtbot, desk, worker)
    dialog = _dialog(qtbot, window)
    keys(qtbot, dialog.birth_date, "31/02/2006")
    assert "n'existe pas" in dialog.birth_date_error.text()
    dialog.reject()


def test_an_open_dossier_of_the_same_person_is_offered_instead(qtbot, desk, worker) -> None:
    existing = DossierService(desk.db).create(
        {
            "procedure": "exam_registration_first",
            "applicant": {
                "birth_name": "Lefèvre",
                "given_names": ["Chloé"],
                "birth_date": "2006-08-30",
            },
        }
    )
    window = open_window(qtbot, desk, worker)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    dialog = _dialog(qtbot, window)
    keys(qtbot, dialog.birth_name, "LEFEVRE")
    keys(qtbot, dialog.given_names, "chloe")
    keys(qtbot, dialog.birth_date, "30/08/2006")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible())
    assert (
        "déjà un dossier" in dialog.duplicates.findChildren(type(dialog.birth_date_error))[0].text()
    )
    assert dialog.create_button.text() == "Créer un nouveau dossier quand même"
    open_button = dialog.findChild(type(dialog.create_button), f"open_existing_{existing}")
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.editor is not None)
    assert window.editor.dossier_id == existing
    assert DossierService(desk.db).count() == 1


def test_the_user_may_still_create_a_second_dossier(qtbot, desk, worker) -> None:
    DossierService(desk.db).create(
        {
            "procedure": "exam_registration_first",
            "applicant": {
                "birth_name": "Martin",
                "given_names": ["Léa"],
                "birth_date": "1996-05-14",
            },
        }
    )
    window = open_window(qtbot, desk, worker)
    dialog = _dialog(qtbot, window)
    dialog.select_procedure("licence_after_exam_first")
    keys(qtbot, dialog.birth_name, "Martin")
    keys(qtbot, dialog.given_names, "Léa")
    keys(qtbot, dialog.birth_date, "14/05/1996")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible())
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.editor is not None)
    assert DossierService(desk.db).count() == 2
