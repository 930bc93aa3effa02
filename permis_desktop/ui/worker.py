"""The one background-work helper of the UI.

`run_task(fn, ...)` runs `fn(state)` on a worker thread; `state` carries progress and
cancellation (plain Python, so the code below the UI never sees Qt). The result or the
exception comes back on the GUI thread through Qt signals: callbacks never run on the worker.
Tasks whose owner widget is destroyed are cancelled and their callbacks dropped.

Two pools: `io` for reads, image processing and network (several threads), and `db` with a
single thread, so that writes to SQLite are serialised in order (autosave, attach, validate).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a task (by `TaskState.check`) when the user cancelled it."""


class TaskState:
    """Shared between the GUI and a running task. Thread-safe."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._emit_progress: Callable[[int, int, str], None] | None = None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self._emit_progress is not None and not self._cancel.is_set():
            self._emit_progress(done, total, message)


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)
    progressed = Signal(int, int, str)
    finished = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskState], Any], state: TaskState, signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.state = state
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(self.state)
        except Cancelled:
            log.info("task %s cancelled", getattr(self.fn, "__qualname__", self.fn))
        except BaseException as exc:  # delivered to the GUI thread, never lost
            log.error(
                "task %s failed: %s\n%s",
                getattr(self.fn, "__qualname__", self.fn),
                exc,
                traceback.format_exc(),
            )
            if not self.state.cancelled:
                self.signals.failed.emit(exc, traceback.format_exc())
        else:
            if not self.state.cancelled:
                self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


class Task:
    """Handle on a started task: `state` to cancel, `signals` to connect more receivers."""

    def __init__(self, state: TaskState, signals: _Signals) -> None:
        self.state = state
        self.signals = signals

    def cancel(self) -> None:
        self.state.cancel()


class Worker(QObject):
    """Owns the thread pools. Create one per application (the main window keeps it)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.io = QThreadPool(self)
        self.io.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self.db = QThreadPool(self)
        self.db.setMaxThreadCount(1)
        self._live: set[_Signals] = set()

    def run_task(
        self,
        fn: Callable[[TaskState], Any],
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        owner: QObject | None = None,
        pool: str = "io",
    ) -> Task:
        state = TaskState()
        # The signals object lives in the GUI thread, so its slots run there (queued).
        signals = _Signals()
        self._live.add(signals)
        # Deliveries already queued when the owner closes are dropped here, on the GUI thread.
        if on_success is not None:
            signals.succeeded.connect(lambda result: state.cancelled or on_success(result))
        if on_error is not None:
            signals.failed.connect(lambda exc, _tb: state.cancelled or on_error(exc))
        if on_progress is not None:
            signals.progressed.connect(lambda *a: state.cancelled or on_progress(*a))
            state._emit_progress = signals.progressed.emit
        signals.finished.connect(lambda: self._live.discard(signals))
        if owner is not None:
            # A closed widget must not receive results; its task stops at the next check().
            owner.destroyed.connect(state.cancel)
        (self.db if pool == "db" else self.io).start(_Runnable(fn, state, signals))
        return Task(state, signals)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until every task finished (used at shutdown and in tests)."""
        return self.io.waitForDone(msecs) and self.db.waitForDone(msecs)
