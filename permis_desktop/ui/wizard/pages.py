"""The wizard's form pages: a title, a short explanation, and the fields that apply.

A page is a thin view over one `procedures.flow.Step`: `show_step(step)` creates the editor
of a field the first time the flow asks for it, in the flow's order, and hides the fields
the flow no longer lists (a host's identity once "hébergé" is unticked). Nothing is rebuilt
on an edit, so typing never loses the focus.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from permis_desktop.procedures.flow import FieldSpec, Step
from permis_desktop.ui.wizard.fields import CheckField, FieldEditor, make_field

STEP_HELP = {
    "demandeur": "Recopiez l'état civil tel qu'il figure sur la pièce d'identité. Date de "
    "naissance incomplète : mettez 00 pour le jour ou le mois inconnus (00/00/1990).",
    "adresse": "Le titre est envoyé à cette adresse par Lettre Expert : elle doit être "
    "complète (bâtiment, étage, « chez » dans le complément). L'ANTS écrit au demandeur par "
    "courriel et SMS.",
    "representant_legal": "Pour un mineur ou un majeur sous tutelle, la demande se fait avec "
    "le compte ANTS du représentant légal : son courriel et son portable servent de contact.",
    "permis": "Les catégories demandées (ou obtenues à l'examen) et, pour une inscription, le "
    "mode de formation. Si le demandeur a déjà un permis, recopiez son numéro (case 5) et "
    "chaque catégorie avec sa date d'obtention et ses mentions (78, 96…).",
    "sante": "Cochez une case si le demandeur est concerné. Chaque case cochée demande un avis "
    "médical (cerfa 14880) d'un médecin agréé, de moins de 2 ans. Si rien ne le concerne, "
    "passez à la page suivante.",
    "formation": "La formation suivie dans l'école et sa date de fin, telles qu'elles figurent "
    "sur l'attestation de suivi de formation.",
    "photo_signature": "Le code figure sur la planche d'une cabine ou d'un photographe agréés "
    "« service en ligne ANTS ». Il est valable 6 mois et peut mettre jusqu'à 72 h à s'activer.",
    "mandat": "Avec le mandat papier signé, l'école dépose la demande pour l'élève, qui n'a "
    "pas à la valider en ligne. Il n'est pas possible pour un domicile en Corse, Martinique, "
    "Guyane, à La Réunion ou à Mayotte (taxe régionale).",
}

MANDATE_SIGNED = FieldSpec("desk.mandate_signed_on", "Date de signature du mandat")


class StepPage(QWidget):
    """One step's form."""

    field_created = Signal(object)  # FieldEditor

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step_id = step.id
        self.setObjectName(f"page:{step.id}")
        self.fields: dict[str, FieldEditor] = {}
        self._order: list[str] = []
        layout = QVBoxLayout(self)
        self.title = QLabel(f"<h2>{step.title}</h2>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.title)
        if step.id in STEP_HELP:
            help_label = QLabel(self.tr(STEP_HELP[step.id]))
            help_label.setObjectName("step_help")
            help_label.setWordWrap(True)
            layout.addWidget(help_label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.legend = QLabel(self.tr("* champ obligatoire"))
        self.legend.setEnabled(False)
        layout.addWidget(self.legend)

    def _specs(self, step: Step) -> list[FieldSpec]:
        specs = [s for s in step.fields if s.path != "pieces"]
        if step.id == "mandat":
            specs.append(MANDATE_SIGNED)
        return specs

    def show_step(self, step: Step) -> list[FieldEditor]:
        """Show the fields of `step` (creating new ones in order); returns the new editors."""
        created = []
        wanted = self._specs(step)
        wanted_paths = [s.path for s in wanted]
        for position, spec in enumerate(wanted):
            editor = self.fields.get(spec.path)
            if editor is None:
                editor = make_field(spec)
                # Insert after the previous wanted field already on the page.
                before = [p for p in wanted_paths[:position] if p in self.fields]
                row = self._order.index(before[-1]) + 1 if before else 0
                label = "" if isinstance(editor, CheckField) else self._label(spec)
                self.form.insertRow(row, label, editor)
                self._order.insert(row, spec.path)
                self.fields[spec.path] = editor
                created.append(editor)
            elif not isinstance(editor, CheckField):
                label_widget = self.form.labelForField(editor)
                if isinstance(label_widget, QLabel):
                    label_widget.setText(self._label(spec))
        for path in self._order:
            self.form.setRowVisible(self.fields[path], path in wanted_paths)
        return created

    def _label(self, spec: FieldSpec) -> str:
        label = spec.label
        if spec.path.startswith("host."):
            # The host's identity follows the applicant's contact on the same page.
            label = self.tr("Hébergeant : {field}").format(field=label[0].lower() + label[1:])
        return f"{label} *" if spec.required else label

    def visible_fields(self) -> list[FieldEditor]:
        return [f for p, f in self.fields.items() if not f.isHidden() and self._visible(p)]

    def _visible(self, path: str) -> bool:
        label = self.form.labelForField(self.fields[path])
        editor = self.fields[path]
        return editor.isVisibleTo(self) if label is None else not editor.isHidden()

    def first_field(self) -> FieldEditor | None:
        for path in self._order:
            editor = self.fields[path]
            if self.form.isRowVisible(editor):
                return editor
        return None

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.fields.values():
            editor.set_read_only(read_only)
