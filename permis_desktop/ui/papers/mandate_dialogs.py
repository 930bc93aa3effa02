"""The paper mandate: recording its signature, and the signed mandates the school must keep.

With a mandate the school files for the student; the school keeps the signed paper at least
6 months (ANTS mandat page, reference/domain-ants.md §0), so the desk lists the signed
mandates whose retention is still running. In a regional-tax territory no mandate is allowed
(`PapersService.mandate` gives the warning, and recording a signature is refused).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.outputs.pdfbase import short_date
from permis_desktop.services.context import DeskContext
from permis_desktop.services.papers import MandateInfo, MandateRetention, PapersService
from permis_desktop.ui.labels import status_label
from permis_desktop.ui.papers.printing import qdate
from permis_desktop.ui.papers.widgets import WARNING_STYLE, read_only_table
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)


class MandateSignatureDialog(QDialog):
    """Record that the paper mandate is signed, and when (or that it is not after all)."""

    recorded = Signal(object)  # MandateInfo

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        dossier_id: str,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mandate_signature")
        self.setWindowTitle(self.tr("Signature du mandat"))
        self.worker = worker
        self.dossier_id = dossier_id
        self.papers = PapersService.from_context(ctx, today)
        self.info: MandateInfo | None = None
        self.state = QLabel(self.tr("Lecture du dossier…"))
        self.state.setObjectName("mandate_state")
        self.state.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("mandate_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.date = QDateEdit()
        self.date.setObjectName("mandate_signed_on")
        self.date.setAccessibleName(self.tr("Date de signature du mandat"))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setDate(qdate(today or dt.date.today()))
        date_label = QLabel(self.tr("Signé &le :"))
        date_label.setBuddy(self.date)
        self.sign_button = QPushButton(self.tr("&Enregistrer la signature"))
        self.sign_button.setObjectName("record_mandate_signed")
        self.sign_button.clicked.connect(lambda: self.record(self.date.date().toPython()))
        self.unsign_button = QPushButton(self.tr("&Annuler la signature"))
        self.unsign_button.setObjectName("record_mandate_unsigned")
        self.unsign_button.setToolTip(self.tr("Le mandat n'est finalement pas signé"))
        self.unsign_button.clicked.connect(lambda: self.record(None))
        close = QPushButton(self.tr("Fermer"))
        close.clicked.connect(self.reject)
        self.message = QLabel()
        self.message.setObjectName("mandate_message")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(date_label)
        row.addWidget(self.date)
        row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unsign_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._enable(False)
        papers = self.papers
        worker.run_task(
            lambda _s: papers.mandate(dossier_id),
            on_success=self._show,
            on_error=lambda exc: self.message.setText(str(exc)),
            owner=self,
            pool="db",
        )

    def _enable(self, enabled: bool) -> None:
        for widget in (self.date, self.sign_button, self.unsign_button):
            widget.setEnabled(enabled)

    def _show(self, info: MandateInfo) -> None:
        self.info = info
        if info.signed_on and info.keep_until:
            self.state.setText(
                self.tr("Mandat signé le {signed}, à conserver jusqu'au {keep}.").format(
                    signed=short_date(info.signed_on), keep=short_date(info.keep_until)
                )
            )
            self.date.setDate(qdate(info.signed_on))
        elif info.requested:
            self.state.setText(self.tr("Mandat papier demandé, pas encore signé."))
        else:
            self.state.setText(
                self.tr(
                    "Ce dossier est sans mandat papier : cochez « mandat » dans le dossier si "
                    "l'école dépose pour l'élève."
                )
            )
        self.warning.setText(info.warning or "")
        self.warning.setVisible(bool(info.warning))
        can_sign = info.requested and not info.warning
        self._enable(True)
        self.sign_button.setEnabled(can_sign)
        self.date.setEnabled(can_sign)
        self.unsign_button.setEnabled(info.signed_on is not None)

    def record(self, signed_on: Any) -> None:
        papers, dossier_id = self.papers, self.dossier_id
        self._enable(False)
        self.worker.run_task(
            lambda _s: papers.record_mandate_signed(dossier_id, signed_on),
            on_success=self._on_recorded,
            on_error=self._on_failed,
            owner=self,
            pool="db",
        )

    def _on_recorded(self, info: MandateInfo) -> None:
        self._show(info)
        self.message.setText(
            self.tr("Signature enregistrée.") if info.signed_on else self.tr("Signature annulée.")
        )
        self.recorded.emit(info)

    def _on_failed(self, exc: BaseException) -> None:
        if self.info is not None:
            self._show(self.info)
        self.message.setText(str(exc))


class MandatesDialog(QDialog):
    """The signed mandates whose 6-month retention is still running, the soonest first."""

    dossier_activated = Signal(str)

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mandates_in_retention")
        self.setWindowTitle(self.tr("Mandats signés à conserver"))
        self.rows: list[MandateRetention] = []
        intro = QLabel(
            self.tr(
                "L'école conserve chaque mandat signé au moins 6 mois. Ceux-ci sont encore à "
                "garder ; double-cliquez pour ouvrir le dossier."
            )
        )
        intro.setWordWrap(True)
        self.table = read_only_table(
            "mandates_table",
            self.tr("Mandats signés à conserver"),
            [
                self.tr("Élève"),
                self.tr("Statut"),
                self.tr("Signé le"),
                self.tr("À garder jusqu'au"),
            ],
        )
        self.table.itemActivated.connect(self._on_activated)
        self.empty = QLabel(self.tr("Aucun mandat signé à conserver."))
        self.empty.setObjectName("mandates_empty")
        self.empty.hide()
        close = QPushButton(self.tr("Fermer"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.resize(640, 420)
        papers = PapersService.from_context(ctx, today)
        worker.run_task(
            lambda _s: papers.mandates_in_retention(),
            on_success=self._show,
            on_error=self._on_error,
            owner=self,
            pool="db",
        )

    def _show(self, rows: list[MandateRetention]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for line, row in enumerate(rows):
            name = QTableWidgetItem(row.applicant)
            name.setData(Qt.ItemDataRole.UserRole, row.dossier_id)
            self.table.setItem(line, 0, name)
            self.table.setItem(line, 1, QTableWidgetItem(status_label(row.status)))
            self.table.setItem(line, 2, QTableWidgetItem(short_date(row.signed_on)))
            self.table.setItem(line, 3, QTableWidgetItem(short_date(row.keep_until)))
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))

    def _on_error(self, exc: BaseException) -> None:
        self.empty.setText(str(exc))
        self.empty.show()

    def _on_activated(self, item: QTableWidgetItem) -> None:
        name = self.table.item(item.row(), 0)
        if name is not None:
            self.dossier_activated.emit(str(name.data(Qt.ItemDataRole.UserRole)))
