"""Récapitulatif: everything typed, what still stops the dossier (as links to the fields
and pieces), and "Valider le dossier", enabled only when nothing stops it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from permis_desktop.procedures.catalog import CATEGORIES, TRAINING_KINDS, TRAINING_MODES
from permis_desktop.procedures.checklist import Checklist
from permis_desktop.procedures.flow import Step
from permis_desktop.services.workflow import Obstacle
from permis_desktop.ui.wizard.checklist_panel import PIECE_MARKS, PIECE_STATUS
from permis_desktop.ui.wizard.state import get_path, iso_to_french

_SEX = {"F": "Féminin", "M": "Masculin"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("summary", text)


def format_value(path: str, value: Any) -> str:
    """A facts value as the summary shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _tr("Oui") if value else _tr("Non")
    leaf = path.rsplit(".", 1)[-1]
    if leaf == "sex":
        return _tr(_SEX.get(str(value), str(value)))
    if path == "training_mode":
        return TRAINING_MODES.get(str(value), str(value))
    if path == "training.kind":
        return TRAINING_KINDS.get(str(value), str(value))
    if path == "applicant.licence.categories":
        parts = []
        for entry in value:
            if isinstance(entry, str):
                parts.append(entry)
                continue
            text = str(entry.get("category"))
            if entry.get("obtained"):
                text += f" (obtenue le {iso_to_french(entry['obtained'])})"
            if entry.get("restrictions"):
                text += " mentions " + ", ".join(entry["restrictions"])
            parts.append(text)
        return " ; ".join(parts)
    if path == "categories":
        return ", ".join(CATEGORIES[c].label if c in CATEGORIES else c for c in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if leaf in ("birth_date", "taken", "completed", "mandate_signed_on"):
        return iso_to_french(str(value))
    return str(value)


class SummaryPage(QWidget):
    validate_clicked = Signal()
    link_clicked = Signal(str)  # "field:PATH" or "piece:KIND"

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("page:recapitulatif")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>Récapitulatif</h2>")))
        self.verdict = QLabel()
        self.verdict.setObjectName("summary_verdict")
        self.verdict.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setObjectName("summary")
        self.browser.setAccessibleName(self.tr("Récapitulatif du dossier"))
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        self.validate_button = QPushButton(self.tr("Valider le dossier"))
        self.validate_button.setObjectName("validate_dossier")
        self.validate_button.setAccessibleName(self.tr("Valider le dossier"))
        self.validate_button.clicked.connect(self.validate_clicked)
        layout.addWidget(self.verdict)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.validate_button)

    def _on_anchor(self, url: QUrl) -> None:
        self.link_clicked.emit(url.toString())

    def show_summary(
        self,
        facts: dict[str, Any],
        steps: list[Step],
        checklist: Checklist | None,
        obstacles: list[Obstacle],
        warnings: list[Obstacle],
        mandate_signed_on: str | None,
        editable: bool,
    ) -> None:
        out: list[str] = []
        if obstacles:
            out.append(f"<h3>{html.escape(self.tr('Reste à faire'))}</h3><ul>")
            for o in obstacles:
                target = (
                    f"piece:{o.field[7:]}"
                    if o.field.startswith("pieces.")
                    else (f"field:{o.field}")
                )
                out.append(f'<li><a href="{html.escape(target)}">{html.escape(o.message)}</a></li>')
            out.append("</ul>")
        if warnings:
            out.append(f"<h3>{html.escape(self.tr('À vérifier'))}</h3><ul>")
            for w in warnings:
                out.append(
                    f'<li><a href="field:{html.escape(w.field)}">{html.escape(w.message)}</a></li>'
                )
            out.append("</ul>")
        for step in steps:
            specs = [s for s in step.fields if s.path != "pieces"]
            if not specs:
                continue
            out.append(f"<h3>{html.escape(step.title)}</h3><table cellpadding='2'>")
            for spec in specs:
                value = format_value(spec.path, get_path(facts, spec.path))
                out.append(
                    f'<tr><td><a href="field:{html.escape(spec.path)}">{html.escape(spec.label)}'
                    f"</a></td><td>{html.escape(value)}</td></tr>"
                )
            if step.id == "mandat" and facts.get("mandate"):
                out.append(
                    f"<tr><td>{html.escape(self.tr('Mandat signé le'))}</td>"
                    f"<td>{html.escape(format_value('mandate_signed_on', mandate_signed_on))}</td></tr>"
                )
            out.append("</table>")
        if checklist is not None:
            out.append(f"<h3>{html.escape(self.tr('Pièces justificatives'))}</h3><ul>")
            for line in checklist.pieces:
                status = PIECE_STATUS.get(line.status, line.status)
                optional = "" if line.required else " (facultative)"
                out.append(
                    f'<li>{PIECE_MARKS.get(line.status, "")} <a href="piece:{line.kind}">'
                    f"{html.escape(line.label)}</a>{optional} : {html.escape(status)}</li>"
                )
            out.append("</ul>")
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml("".join(out))
        self.browser.verticalScrollBar().setValue(scroll)
        ready = not obstacles
        self.validate_button.setEnabled(ready and editable)
        if not editable:
            self.verdict.setText(
                self.tr("Ce dossier est validé : il n'est plus modifiable sauf à le rouvrir.")
            )
        elif ready:
            self.verdict.setText(
                self.tr(
                    "<b>Tout est prêt.</b> Vérifiez le récapitulatif puis cliquez sur "
                    "« Valider le dossier » : il sera mis en file d'envoi."
                )
            )
        else:
            self.verdict.setText(
                self.tr(
                    "<b>{n} point(s) à régler avant de valider.</b> Cliquez sur un point pour "
                    "aller au champ ou à la pièce."
                ).format(n=len(obstacles))
            )
