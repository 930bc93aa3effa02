"""Autosave: every change reaches the database within half a second, without a button.

The editor calls `changed()` on every edit. The first change after a save starts a timer
that is *not* pushed back by further typing (a debounce that restarts on every key would let
a fast typist go unsaved for as long as they type); when it fires, a snapshot of the facts is
saved on the worker's single database thread, so saves land in order. While a save is
running, new changes wait for it and go in the next one.

A failed save is never silent (démarches-simplifiées #6356, capture-and-sync.md §3.3): the
state becomes `failed` with the French reason, the data stays in memory, and the save is
retried with a growing delay (1 s up to 10 s) until it succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from permis_desktop.errors import PermisError
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 250
RETRY_FIRST_MS = 1000
RETRY_MAX_MS = 10000

SAVED, PENDING, SAVING, FAILED = "saved", "pending", "saving", "failed"


class Autosaver(QObject):
    """`save(snapshot, retrying)` runs on the database thread; `snapshot()` is taken on the
    GUI thread when the save starts."""

    state_changed = Signal(str, str)  # state, message (French, for failures)
    saved = Signal(object)  # what `save` returned

    def __init__(
        self,
        worker: Worker,
        snapshot: Callable[[], Any],
        save: Callable[[Any, bool], Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self._snapshot = snapshot
        self._save = save
        self.state = SAVED
        self.message = ""
        self.dirty = False
        self._in_flight = False
        self._failures = 0
        self.enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.flush)

    def changed(self) -> None:
        if not self.enabled:
            return
        self.dirty = True
        if self.state == SAVED:
            self._set_state(PENDING, "")
        if not self._timer.isActive() and not self._retry.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Save now if anything is unsaved (the editor calls it when it closes)."""
        self._timer.stop()
        if not self.dirty or self._in_flight:
            return
        self._retry.stop()
        self.dirty = False
        self._in_flight = True
        snapshot = self._snapshot()
        retrying = self._failures > 0
        save = self._save
        if self.state != FAILED:
            self._set_state(SAVING, "")
        # No owner: a save must finish even if the editor is closed meanwhile.
        self.worker.run_task(
            lambda _state: save(snapshot, retrying),
            on_success=self._on_saved,
            on_error=self._on_failed,
            pool="db",
        )

    def _on_saved(self, result: Any) -> None:
        if not isValid(self):
            return  # the editor (our parent) was closed meanwhile; the save itself is done
        self._in_flight = False
        self._failures = 0
        self.saved.emit(result)
        if self.dirty:
            self._set_state(PENDING, "")
            self._timer.start()
        else:
            self._set_state(SAVED, "")

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            log.error("save failed after the editor was closed: %s", exc)
            return
        self._in_flight = False
        self.dirty = True  # the snapshot was not saved: the memory still holds it
        self._failures += 1
        delay = min(RETRY_FIRST_MS * 2 ** (self._failures - 1), RETRY_MAX_MS)
        reason = str(exc) if isinstance(exc, PermisError) else f"erreur inattendue ({exc})"
        log.warning("autosave failed (attempt %d), retry in %d ms: %s", self._failures, delay, exc)
        self._set_state(FAILED, reason)
        self._retry.start(delay)

    def retry_now(self) -> None:
        self._retry.stop()
        self.flush()

    def stop(self) -> None:
        """Nothing more to save (the dossier became read-only)."""
        self._timer.stop()
        self._retry.stop()
        self.enabled = False

    @property
    def busy(self) -> bool:
        return self.dirty or self._in_flight

    def _set_state(self, state: str, message: str) -> None:
        if (state, message) != (self.state, self.message):
            self.state, self.message = state, message
            self.state_changed.emit(state, message)
