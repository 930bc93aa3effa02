"""The dossier editor: the wizard's pages, the live checklist beside them, autosave.

Every edit goes the same short way on the GUI thread: write the value into the facts in
memory (`state.set_path`), parse them, recompute the flow and the checklist (the rules
engine, well under a millisecond), refresh the messages next to the fields, and tell the
autosaver. The save itself runs on the database thread (bench/desk.py times the GUI part).
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures import flow, lifecycle
from permis_desktop.procedures.checklist import Checklist, RuleOptions, evaluate
from permis_desktop.procedures.facts import FactsError, parse_facts
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierDetail, DossierService, display_name
from permis_desktop.services.workflow import (
    Obstacle,
    ValidationRefused,
    WorkflowService,
    obstacles,
)
from permis_desktop.ui.labels import procedure_label, status_colour, status_label
from permis_desktop.ui.sync import wake_after_validation
from permis_desktop.ui.wizard import recovery
from permis_desktop.ui.wizard.autosave import FAILED, SAVED, Autosaver
from permis_desktop.ui.wizard.checklist_panel import ChecklistPanel
from permis_desktop.ui.wizard.fields import ERROR, WARNING, FieldEditor
from permis_desktop.ui.wizard.pages import StepPage
from permis_desktop.ui.wizard.pieces_page import PiecesPage
from permis_desktop.ui.wizard.recognition import field_warnings
from permis_desktop.ui.wizard.state import editable_facts, field_of, set_path
from permis_desktop.ui.wizard.summary_page import SummaryPage
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

# Problems shown next to their field while typing; "missing_field" waits for the summary
# and the side panel, so that a fresh dossier is not covered in red.
_INLINE_SKIP = {"missing_field"}
MANDATE_PATH = "desk.mandate_signed_on"


class DossierEditor(QWidget):
    closed = Signal()
    dossier_changed = Signal(str)  # id: status or list columns changed

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        detail: DossierDetail,
        options: RuleOptions | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("dossier_editor")
        self.ctx = ctx
        self.worker = worker
        self.options = options or RuleOptions()
        self.today = today
        self.service = DossierService(ctx.db)
        self.workflow = WorkflowService(ctx.db, today)
        self.dossier_id = detail.id
        self.status = detail.status
        self.facts: dict[str, Any] = editable_facts(detail.facts)
        self.mandate_signed_on = detail.mandate_signed_on
        self.steps: list[flow.Step] = []
        self.checklist: Checklist | None = None
        self.obstacles: list[Obstacle] = []
        self.warnings: list[Obstacle] = []
        self.pages: dict[str, QWidget] = {}
        self.scrolls: dict[str, QScrollArea] = {}
        self.current_step = ""

        self.autosaver = Autosaver(worker, self._snapshot, self._save, parent=self)
        self.autosaver.state_changed.connect(self._on_save_state)
        self.autosaver.saved.connect(lambda _v: self.dossier_changed.emit(self.dossier_id))

        self._build(detail)
        self._take_back_unsaved(detail)
        self.recompute()
        start = detail.wizard_step if detail.wizard_step in self.step_ids() else "demandeur"
        self.go_to(start, remember=False)
        self._apply_editable()
        from permis_desktop.ui.sync.complement import install_complement

        install_complement(self, detail)  # the agency's complement request, if any (ui/sync)
        from permis_desktop.ui.wizard.recognition import install_recognition

        install_recognition(self, detail)  # MRZ and 2D-Doc read as pieces get pages

    # -- construction ---------------------------------------------------------------------

    def _build(self, detail: DossierDetail) -> None:
        self.back_button = QPushButton(self.tr("← Liste des dossiers"))
        self.back_button.setObjectName("back_to_list")
        self.back_button.setToolTip(self.tr("Retour à la liste (Échap) ; tout est déjà enregistré"))
        self.back_button.clicked.connect(self.close_editor)
        self.title = QLabel()
        self.title.setObjectName("editor_title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.badge = QLabel()
        self.badge.setObjectName("editor_status")
        self.save_state = QLabel()
        self.save_state.setObjectName("save_state")
        self.save_state.setAccessibleName(self.tr("État de l'enregistrement"))
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)
        header.addWidget(self.badge)
        header.addWidget(self.save_state)

        # Prominent, never silent: the save failed, the data is kept, we retry.
        self.failure = QFrame()
        self.failure.setObjectName("save_failure")
        self.failure.setStyleSheet(
            "#save_failure { background: #B71C1C; border-radius: 4px; }"
            "#save_failure QLabel { color: #FFFFFF; }"
        )
        self.failure_text = QLabel()
        self.failure_text.setObjectName("save_failure_text")
        self.failure_text.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("Réessayer maintenant"))
        self.retry_button.setObjectName("retry_save")
        self.retry_button.clicked.connect(self.autosaver.retry_now)
        failure_layout = QHBoxLayout(self.failure)
        failure_layout.addWidget(self.failure_text, 1)
        failure_layout.addWidget(self.retry_button)
        self.failure.hide()

        self.notice = QLabel()
        self.notice.setObjectName("recovered_notice")
        self.notice.setWordWrap(True)
        self.notice.setFrameShape(QFrame.Shape.StyledPanel)
        self.notice.hide()

        self.locked = QFrame()
        self.locked.setObjectName("read_only_banner")
        self.locked.setFrameShape(QFrame.Shape.StyledPanel)
        self.locked_text = QLabel()
        self.locked_text.setWordWrap(True)
        self.reopen_button = QPushButton(self.tr("Rouvrir pour modifier"))
        self.reopen_button.setObjectName("reopen_dossier")
        self.reopen_button.clicked.connect(self.reopen)
        locked_layout = QHBoxLayout(self.locked)
        locked_layout.addWidget(self.locked_text, 1)
        locked_layout.addWidget(self.reopen_button)
        self.locked.hide()

        self.step_list = QListWidget()
        self.step_list.setObjectName("steps")
        self.step_list.setAccessibleName(self.tr("Étapes du dossier"))
        self.step_list.setMaximumWidth(230)
        self.step_list.currentItemChanged.connect(self._on_step_item)

        self.stack = QStackedWidget()
        self.stack.setObjectName("wizard_pages")
        self.pieces_page = PiecesPage(self.ctx, self.worker, self.dossier_id, detail.pieces)
        self.pieces_page.dates_edited.connect(self._on_piece_dates)
        self.pieces_page.pieces_changed.connect(self._on_pieces_changed)
        self.pieces_page.go_to_field.connect(self.focus_field)
        self.summary = SummaryPage()
        self.summary.validate_clicked.connect(self.validate)
        self.summary.link_clicked.connect(self._on_link)

        self.panel = ChecklistPanel()
        self.panel.piece_clicked.connect(self.focus_piece)
        self.panel.field_clicked.connect(self.focus_field)
        self.panel.setMaximumWidth(380)

        self.previous_button = QPushButton(self.tr("← Précédent"))
        self.previous_button.setObjectName("previous_page")
        self.previous_button.clicked.connect(lambda: self.step_by(-1))
        self.next_button = QPushButton(self.tr("Suivant →"))
        self.next_button.setObjectName("next_page")
        self.next_button.setToolTip(self.tr("Page suivante (Entrée)"))
        self.next_button.clicked.connect(lambda: self.step_by(1))
        footer = QHBoxLayout()
        footer.addWidget(self.previous_button)
        footer.addStretch(1)
        footer.addWidget(self.next_button)

        centre = QVBoxLayout()
        centre.addWidget(self.stack, 1)
        centre.addLayout(footer)
        body = QHBoxLayout()
        body.addWidget(self.step_list)
        body.addLayout(centre, 1)
        body.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(self.failure)
        layout.addWidget(self.locked)
        layout.addLayout(body, 1)

    def _page(self, step: flow.Step) -> QWidget:
        page = self.pages.get(step.id)
        if page is None:
            if step.id == "pieces":
                page = self.pieces_page
            elif step.id == "recapitulatif":
                page = self.summary
            else:
                page = StepPage(step)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
            self.pages[step.id] = page
            self.scrolls[step.id] = scroll
        return page

    # -- the facts --------------------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return lifecycle.status(self.status).editable

    def on_field_edited(self, path: str, value: Any) -> None:
        if not self.editable:
            return
        if path == MANDATE_PATH:
            if value == self.mandate_signed_on:
                return
            self.mandate_signed_on = value
        elif not set_path(self.facts, path, value):
            return
        self.recompute()
        self.autosaver.changed()

    def _on_piece_dates(self, kind: str, values: dict[str, Any]) -> None:
        pieces = self.facts.setdefault("pieces", [])
        entry = next((p for p in pieces if p.get("kind") == kind), None)
        if entry is None:
            return
        changed = False
        for key, value in values.items():
            if value in (None, ""):
                changed |= entry.pop(key, None) is not None
            elif entry.get(key) != value:
                entry[key] = value
                changed = True
        if changed and self.editable:
            self.recompute()
            self.autosaver.changed()

    def _on_pieces_changed(self, detail: DossierDetail) -> None:
        """Files were attached: take the pieces as stored, keeping the dates and document
        types typed meanwhile that the next autosave has not written yet."""
        typed = {p.get("kind"): p for p in self.facts.get("pieces") or []}
        pieces = copy.deepcopy(detail.facts.get("pieces", []))
        for entry in pieces:
            for key, value in (typed.get(entry.get("kind")) or {}).items():
                if key != "kind":
                    entry[key] = value
        self.facts["pieces"] = pieces
        self.recompute()
        self.dossier_changed.emit(self.dossier_id)

    def recompute(self) -> None:
        """Flow, checklist and messages from the facts in memory (every edit)."""
        try:
            parsed = parse_facts(self.facts)
        except FactsError as exc:  # widgets keep the facts parseable; belt and braces
            log.warning("facts of %s do not parse: %s", self.dossier_id, exc)
            self._show_messages({exc.field: (ERROR, str(exc))})
            return
        steps = flow.steps(parsed, self.today)
        self.checklist = evaluate(parsed, self.today, self.options)
        self.obstacles = obstacles(self.checklist, self.facts)
        self.warnings = [Obstacle(w.code, w.field, w.message) for w in self.checklist.warnings]
        self._show_steps(steps)
        messages: dict[str, tuple[str, str]] = {}
        for w in self.warnings:
            messages.setdefault(w.field, (WARNING, w.message))
        for path, text in field_warnings(self).items():  # typed unlike a document read
            messages.setdefault(path, (WARNING, text))
        for o in self.obstacles:
            if o.code not in _INLINE_SKIP:
                messages[o.field] = (ERROR, o.message)
        self._show_messages(messages)
        self._show_step_marks()
        self.panel.show_checklist(self.checklist, self.obstacles, self.warnings)
        self.pieces_page.show_lines(self.checklist, self.facts.get("pieces", []))
        if self.current_step == "recapitulatif":
            self._refresh_summary()
        self._show_title()

    def _show_steps(self, steps: list[flow.Step]) -> None:
        old_ids = self.step_ids()
        self.steps = steps
        for step in steps:
            page = self._page(step)
            if isinstance(page, StepPage):
                for editor in page.show_step(step):
                    self._bind(editor)
        ids = self.step_ids()
        if ids != old_ids:
            self.step_list.blockSignals(True)
            self.step_list.clear()
            for number, step in enumerate(steps, 1):
                item = QListWidgetItem(f"{number}. {step.title}")
                item.setData(Qt.ItemDataRole.UserRole, step.id)
                self.step_list.addItem(item)
                if step.id == self.current_step:
                    self.step_list.setCurrentItem(item)
            self.step_list.blockSignals(False)
            if self.current_step and self.current_step not in ids:
                self.go_to(ids[0])

    def _show_step_marks(self) -> None:
        """Each step in the list says how many points remain on it (✖ n) or that it is
        complete (✔), so the user sees where to go without opening every page."""
        remaining: dict[str, int] = {}
        for step in self.steps:
            if step.id == "pieces":
                remaining[step.id] = sum(1 for o in self.obstacles if o.field.startswith("pieces"))
                continue
            paths = frozenset(s.path for s in step.fields)
            remaining[step.id] = sum(
                1
                for o in self.obstacles
                if not o.field.startswith("pieces") and field_of(o.field, paths) is not None
            )
        for row in range(self.step_list.count()):
            item = self.step_list.item(row)
            step_id = str(item.data(Qt.ItemDataRole.UserRole))
            title = next((s.title for s in self.steps if s.id == step_id), None)
            if title is None:
                continue
            count = remaining.get(step_id, 0)
            mark = "" if step_id == "recapitulatif" else (f"  ✖ {count}" if count else "  ✔")
            text = f"{row + 1}. {title}{mark}"
            if item.text() != text:
                item.setText(text)
                item.setToolTip(
                    self.tr("{n} point(s) à compléter ou corriger").format(n=count)
                    if count
                    else self.tr("Rien ne manque sur cette page")
                )

    def _bind(self, editor: FieldEditor) -> None:
        from permis_desktop.ui.wizard.state import get_path

        if editor.path == MANDATE_PATH:
            editor.set_value(self.mandate_signed_on)
        else:
            editor.set_value(get_path(self.facts, editor.path))
        editor.set_read_only(not self.editable)
        editor.edited.connect(self.on_field_edited)

    def _fields(self) -> dict[str, FieldEditor]:
        out: dict[str, FieldEditor] = {}
        for page in self.pages.values():
            if isinstance(page, StepPage):
                out.update(page.fields)
        return out

    def _show_messages(self, messages: dict[str, tuple[str, str]]) -> None:
        fields = self._fields()
        known = frozenset(fields)
        per_field: dict[str, tuple[str, str]] = {}
        for problem_field, (level, text) in messages.items():
            bound = field_of(problem_field, known)
            if bound is not None and (bound not in per_field or level == ERROR):
                per_field[bound] = (level, text)
        for path, editor in fields.items():
            level, text = per_field.get(path, ("", ""))
            editor.set_message(level, text)

    def applicant_name(self) -> str:
        applicant = self.facts.get("applicant") or {}
        return display_name(
            applicant.get("birth_name") or "",
            applicant.get("usage_name") or "",
            list(applicant.get("given_names") or []),
        )

    def _show_title(self) -> None:
        name = html.escape(self.applicant_name())
        text = f"<b>{name}</b> — {procedure_label(self.facts['procedure'])}"
        if self.title.text() != text:
            self.title.setText(text)

    # -- navigation ---------------------------------------------------------------------

    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def go_to(self, step_id: str, remember: bool = True) -> None:
        if step_id not in self.pages:
            return
        self.stack.setCurrentWidget(self.scrolls[step_id])
        changed = step_id != self.current_step
        self.current_step = step_id
        for row in range(self.step_list.count()):
            item = self.step_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == step_id:
                self.step_list.blockSignals(True)
                self.step_list.setCurrentItem(item)
                self.step_list.blockSignals(False)
        ids = self.step_ids()
        index = ids.index(step_id) if step_id in ids else 0
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(ids) - 1)
        if step_id == "recapitulatif":
            self._refresh_summary()
        if changed and remember:
            self._remember_step(step_id)

    def step_by(self, delta: int) -> None:
        ids = self.step_ids()
        index = ids.index(self.current_step) if self.current_step in ids else 0
        target = min(max(index + delta, 0), len(ids) - 1)
        self.go_to(ids[target])
        page = self.pages[ids[target]]
        first = page.first_field() if isinstance(page, StepPage) else None
        if first is not None:
            first.setFocus(Qt.FocusReason.TabFocusReason)
        else:
            self.next_button.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_step_item(self, item: QListWidgetItem | None, _previous: Any) -> None:
        if item is not None:
            self.go_to(str(item.data(Qt.ItemDataRole.UserRole)))

    def _remember_step(self, step_id: str) -> None:
        service, dossier_id = self.service, self.dossier_id
        self.worker.run_task(
            lambda _s: service.set_wizard_step(dossier_id, step_id),
            on_error=lambda exc: log.warning("wizard step not remembered: %s", exc),
            pool="db",
        )

    def focus_field(self, path: str) -> None:
        """Show the page holding `path` and put the cursor in its field."""
        if path.startswith("pieces"):
            self.focus_piece(path[7:] if path.startswith("pieces.") else "")
            return
        fields = self._fields()
        bound = field_of(path, frozenset(fields))
        for step in self.steps:
            page = self.pages.get(step.id)
            if isinstance(page, StepPage) and bound in page.fields:
                self.go_to(step.id)
                editor = page.fields[bound]
                self.scrolls[step.id].ensureWidgetVisible(editor)
                editor.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if path in ("procedure", "categories") and "permis" in self.pages:
            self.go_to("permis")

    def focus_piece(self, kind: str) -> None:
        self.go_to("pieces")
        row = self.pieces_page.rows.get(kind)
        if row is not None:
            self.scrolls["pieces"].ensureWidgetVisible(row)
            row.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_link(self, link: str) -> None:
        kind, _, target = link.partition(":")
        if kind == "piece":
            self.focus_piece(target)
        else:
            self.focus_field(target)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QAbstractButton):
                focus.click()
                return
            if isinstance(focus, QTextBrowser | QListWidget):
                super().keyPressEvent(event)
                return
            if self.current_step != "recapitulatif":
                self.step_by(1)
                return
        if event.key() == Qt.Key.Key_Escape:
            self.close_editor()
            return
        super().keyPressEvent(event)

    # -- saving -------------------------------------------------------------------------

    def _snapshot(self) -> tuple[dict[str, Any], str | None]:
        return copy.deepcopy(self.facts), self.mandate_signed_on

    def _save(self, snapshot: tuple[dict[str, Any], str | None], retrying: bool) -> int:
        facts, mandate_signed_on = snapshot
        if retrying:
            # A connection opened while the file was unwritable stays so: start afresh.
            self.ctx.db.engine.dispose()
        return self.service.update(self.dossier_id, facts, mandate_signed_on=mandate_signed_on)

    def _on_save_state(self, state: str, message: str) -> None:
        if state == FAILED:
            self.failure_text.setText(
                self.tr(
                    "⚠ L'enregistrement a échoué : {reason} Vos saisies sont gardées dans cette "
                    "fenêtre et un nouvel essai est fait automatiquement ; ne fermez pas le "
                    "dossier avant le retour de « Enregistré »."
                ).format(reason=message)
            )
            self.failure.show()
            self.save_state.setText(self.tr("Non enregistré"))
        else:
            self.failure.hide()
            self.save_state.setText(
                self.tr("✔ Enregistré") if state == SAVED else self.tr("Enregistrement…")
            )
        self.save_state.setEnabled(state != SAVED)  # discreet when all is well
        if self.current_step == "recapitulatif":
            self._refresh_summary()

    def flush(self) -> None:
        self.autosaver.flush()

    def keep_unsaved(self) -> Path | None:
        """On close: anything not yet saved goes to a recovery file (see recovery.py)."""
        if not self.editable or (self.autosaver.state == SAVED and not self.autosaver.busy):
            return None
        try:
            return recovery.write(
                self.ctx.paths, self.dossier_id, copy.deepcopy(self.facts), self.mandate_signed_on
            )
        except OSError as exc:
            log.error("unsaved facts of %s could not be kept anywhere: %s", self.dossier_id, exc)
            return None

    def _take_back_unsaved(self, detail: DossierDetail) -> None:
        kept = recovery.read(self.ctx.paths, self.dossier_id)
        if kept is None:
            return
        if not self.editable or (
            recovery.same_facts(kept["facts"], detail.facts)
            and kept.get("mandate_signed_on") == detail.mandate_signed_on
        ):
            recovery.drop(self.ctx.paths, self.dossier_id)  # saved after all, or locked since
            return
        self.facts = editable_facts(kept["facts"])
        self.mandate_signed_on = kept.get("mandate_signed_on")
        self.notice.setText(
            self.tr(
                "Des saisies qui n'avaient pas pu être enregistrées à la dernière fermeture ont "
                "été reprises ; elles sont en cours d'enregistrement."
            )
        )
        self.notice.show()
        paths, dossier_id = self.ctx.paths, self.dossier_id

        def saved(_version: Any) -> None:
            recovery.drop(paths, dossier_id)
            self.autosaver.saved.disconnect(saved)

        self.autosaver.saved.connect(saved)
        self.autosaver.changed()

    def close_editor(self) -> None:
        self.autosaver.flush()
        self.closed.emit()

    # -- status -------------------------------------------------------------------------

    def _apply_editable(self) -> None:
        editable = self.editable
        for page in self.pages.values():
            if isinstance(page, StepPage):
                page.set_read_only(not editable)
        self.pieces_page.set_read_only(not editable)
        if editable:
            self.autosaver.enabled = True
            self.locked.hide()
        else:
            self.autosaver.stop()
            self.locked_text.setText(
                self.tr(
                    "Ce dossier est « {status} » : il est en lecture seule. Rouvrez-le pour le "
                    "modifier ; il repassera en brouillon et ne sera pas envoyé."
                ).format(status=status_label(self.status))
            )
            self.reopen_button.setVisible(lifecycle.can_transition(self.status, "draft"))
            self.locked.show()
        colour = status_colour(self.status)
        self.badge.setText(status_label(self.status))
        self.badge.setStyleSheet(
            f"background: {colour}; color: {_text_on(colour)}; border-radius: 8px; padding: 2px 8px;"
        )
        self.save_state.setText(self.tr("✔ Enregistré"))
        self.save_state.setEnabled(False)
        if self.current_step == "recapitulatif":
            self._refresh_summary()

    def _refresh_summary(self) -> None:
        blocking = list(self.obstacles)
        if self.autosaver.state == FAILED:
            blocking.insert(
                0,
                Obstacle(
                    "save_failed",
                    "",
                    "Le dossier n'est pas enregistré : attendez « Enregistré » pour valider.",
                ),
            )
        self.summary.show_summary(
            self.facts,
            self.steps,
            self.checklist,
            blocking,
            self.warnings,
            self.mandate_signed_on,
            self.editable,
        )

    def validate(self) -> None:
        self.autosaver.flush()  # queued first on the database thread: validated as typed
        workflow, dossier_id = self.workflow, self.dossier_id
        self.summary.validate_button.setEnabled(False)
        self.worker.run_task(
            lambda _s: workflow.validate(dossier_id),
            on_success=self._on_validated,
            on_error=self._on_validate_error,
            owner=self,
            pool="db",
        )

    def _on_validated(self, _version: Any) -> None:
        self._set_status("ready")
        wake_after_validation(self)  # sent now rather than at the next poll (ui/sync)

    def _on_validate_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationRefused):
            self.obstacles = list(exc.obstacles)
        self._refresh_summary()
        self.summary.verdict.setText(
            self.tr("Validation refusée : {error}").format(error=str(exc).replace("\n", " "))
        )

    def reopen(self) -> None:
        workflow, dossier_id = self.workflow, self.dossier_id
        self.worker.run_task(
            lambda _s: workflow.reopen(dossier_id),
            on_success=lambda _v: self._set_status("draft"),
            on_error=lambda exc: self.locked_text.setText(str(exc)),
            owner=self,
            pool="db",
        )

    def _set_status(self, status: str) -> None:
        self.status = status
        self._apply_editable()
        self.recompute()
        self.dossier_changed.emit(self.dossier_id)


def _text_on(colour: str) -> str:
    from PySide6.QtGui import QColor

    from permis_desktop.ui.dossier_model import readable_text_colour

    return readable_text_colour(QColor(colour)).name()
