"""New dossier (Ctrl+N): pick one of the nine procedures, say who it is for, and be offered
the person's open dossier instead of a duplicate.

Users of online forms create four or five drafts of the same request instead of resuming
one (démarches-simplifiées #2859, #2860, #1895; capture-and-sync.md §3.3): before creating,
the dialog looks for an open dossier with the same names and birth date and offers it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import procedures_by_group
from permis_desktop.procedures.facts import skeleton
from permis_desktop.services.dossiers import DossierRow
from permis_desktop.services.workflow import WorkflowService
from permis_desktop.ui.labels import procedure_label, status_label
from permis_desktop.ui.layouts import clear_layout
from permis_desktop.ui.wizard.state import parse_french_date, set_path
from permis_desktop.ui.worker import Worker


def split_given_names(text: str) -> list[str]:
    """Given names as typed: separated by commas ("Léa, Marie"); a space alone does not split,
    since composed names exist in civil status ("Jean Pierre" may be one given name)."""
    return [part.strip() for part in text.split(",") if part.strip()]


class NewDossierDialog(QDialog):
    def __init__(self, workflow: WorkflowService, worker: Worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.workflow = workflow
        self.worker = worker
        self.existing_id: str | None = None
        self._checked_for: tuple[str, str, str] | None = None
        self.setObjectName("new_dossier_dialog")
        self.setWindowTitle(self.tr("Nouveau dossier"))
        self.setAccessibleName(self.tr("Nouveau dossier"))

        self.procedures = QButtonGroup(self)
        choices = QWidget()
        choices_layout = QVBoxLayout(choices)
        first: QRadioButton | None = None
        for group, procs in procedures_by_group():
            box = QGroupBox(self.tr(group.label))
            box_layout = QVBoxLayout(box)
            box_layout.setSpacing(2)
            for proc in procs:
                radio = QRadioButton(procedure_label(proc.id))
                radio.setObjectName(f"procedure_{proc.id}")
                radio.setProperty("procedure", proc.id)
                radio.setAccessibleDescription(self.tr(proc.help))
                help_label = QLabel(self.tr(proc.help))
                help_label.setWordWrap(True)
                help_label.setIndent(24)
                help_label.setEnabled(False)  # the palette's discreet text colour
                help_label.setBuddy(radio)
                box_layout.addWidget(radio)
                box_layout.addWidget(help_label)
                self.procedures.addButton(radio)
                first = first or radio
            choices_layout.addWidget(box)
        assert first is not None
        first.setChecked(True)
        scroll = QScrollArea()
        scroll.setWidget(choices)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.birth_name = QLineEdit()
        self.birth_name.setObjectName("new_birth_name")
        self.birth_name.setAccessibleName(self.tr("Nom de naissance"))
        self.given_names = QLineEdit()
        self.given_names.setObjectName("new_given_names")
        self.given_names.setAccessibleName(self.tr("Prénoms"))
        self.given_names.setPlaceholderText(self.tr("séparés par des virgules"))
        self.birth_date = QLineEdit()
        self.birth_date.setObjectName("new_birth_date")
        self.birth_date.setAccessibleName(self.tr("Date de naissance"))
        self.birth_date.setPlaceholderText(self.tr("JJ/MM/AAAA"))
        self.birth_date_error = QLabel()
        self.birth_date_error.setObjectName("new_birth_date_error")
        self.birth_date_error.setWordWrap(True)
        self.birth_date.textChanged.connect(self._on_birth_date)
        person = QGroupBox(self.tr("Demandeur (facultatif, pour éviter les doublons)"))
        form = QFormLayout(person)
        form.addRow(self.tr("&Nom de naissance"), self.birth_name)
        form.addRow(self.tr("&Prénoms"), self.given_names)
        form.addRow(self.tr("Date de &naissance"), self.birth_date)
        form.addRow("", self.birth_date_error)

        self.duplicates = QFrame()
        self.duplicates.setObjectName("duplicates")
        self.duplicates.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicates_layout = QVBoxLayout(self.duplicates)
        self.duplicates.hide()

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(
            self.tr("Créer le dossier"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("create_dossier")
        self.create_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_create)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Choisissez la démarche :"))
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(person)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.buttons)
        # At 200 % scaling a 1080p screen is 960 x 540: never open larger than the screen.
        available = self.screen().availableGeometry()
        self.resize(min(720, available.width() - 40), min(760, available.height() - 60))
        first.setFocus()

    # -- values ---------------------------------------------------------------------------

    def procedure(self) -> str:
        checked = self.procedures.checkedButton()
        assert checked is not None  # one is checked from the start and cannot be unchecked
        return str(checked.property("procedure"))

    def select_procedure(self, procedure_id: str) -> None:
        for button in self.procedures.buttons():
            if button.property("procedure") == procedure_id:
                button.setChecked(True)

    def _birth_iso(self) -> str | None:
        return parse_french_date(self.birth_date.text(), partial=True).iso

    def facts(self) -> dict[str, Any]:
        """The new dossier's facts: the procedure's blank document with the person typed."""
        facts = skeleton(self.procedure())
        set_path(facts, "applicant.birth_name", self.birth_name.text().strip())
        set_path(facts, "applicant.given_names", split_given_names(self.given_names.text()))
        birth = self._birth_iso()
        if birth:
            set_path(facts, "applicant.birth_date", birth)
        return facts

    def _on_birth_date(self, text: str) -> None:
        self.birth_date_error.setText(self.tr(parse_french_date(text, partial=True).error))

    # -- duplicate check ---------------------------------------------------------------

    def _on_create(self) -> None:
        key = (
            self.birth_name.text().strip(),
            ",".join(split_given_names(self.given_names.text())),
            self._birth_iso() or "",
        )
        if not key[0] or not key[2] or key == self._checked_for:
            self.accept()  # nothing to compare, or the user saw the duplicates and insists
            return
        self.create_button.setEnabled(False)
        workflow = self.workflow
        names = split_given_names(self.given_names.text())

        def find(_state: Any) -> list[DossierRow]:
            return workflow.open_duplicates(key[0], names, key[2])

        self.worker.run_task(
            find,
            on_success=lambda rows: self._on_duplicates(key, rows),
            on_error=lambda _exc: self.accept(),
            owner=self,
            pool="io",
        )

    def _on_duplicates(self, key: tuple[str, str, str], rows: list[DossierRow]) -> None:
        self.create_button.setEnabled(True)
        self._checked_for = key
        if not rows:
            self.accept()
            return
        clear_layout(self.duplicates_layout)
        title = QLabel(
            self.tr(
                "<b>Cette personne a déjà un dossier en cours.</b> Ouvrez-le plutôt que d'en "
                "créer un deuxième :"
            )
        )
        title.setWordWrap(True)
        self.duplicates_layout.addWidget(title)
        for row in rows:
            line = QHBoxLayout()
            text = QLabel(
                f"{row.applicant} — {procedure_label(row.procedure)} — {status_label(row.status)}"
            )
            text.setWordWrap(True)
            button = QPushButton(self.tr("Ouvrir ce dossier"))
            button.setObjectName(f"open_existing_{row.id}")
            button.setAccessibleName(
                self.tr("Ouvrir le dossier de {name}").format(name=row.applicant)
            )
            button.clicked.connect(
                lambda _c=False, dossier_id=row.id: self._open_existing(dossier_id)
            )
            line.addWidget(text, 1)
            line.addWidget(button)
            self.duplicates_layout.addLayout(line)
        self.duplicates.show()
        self.create_button.setText(self.tr("Créer un nouveau dossier quand même"))
        first = self.duplicates.findChildren(QPushButton)
        if first:
            first[0].setDefault(True)
            first[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_existing(self, dossier_id: str) -> None:
        self.existing_id = dossier_id
        self.accept()
