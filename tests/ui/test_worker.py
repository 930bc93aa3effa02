"""The background-work helper: results, errors and progress arrive on the GUI thread."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QWidget

from permis_desktop.ui.worker import Worker


def test_result_is_delivered_on_the_gui_thread(qtbot, qapp) -> None:
    worker = Worker()
    seen: dict[str, object] = {}

    def job(state):
        seen["job_thread"] = threading.get_ident()
        return 6 * 7

    def done(value):
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is qapp.thread()

    worker.run_task(job, on_success=done)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42 and seen["gui"] is True
    assert seen["job_thread"] != threading.get_ident()
    assert worker.wait_idle()


def test_errors_and_progress_are_delivered(qtbot) -> None:
    worker = Worker()
    progress: list[tuple[int, int, str]] = []
    errors: list[BaseException] = []

    def job(state):
        for i in range(3):
            state.progress(i + 1, 3, f"page {i + 1}")
        raise ValueError("scanner débranché")

    worker.run_task(job, on_error=errors.append, on_progress=lambda *a: progress.append(a))
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert str(errors[0]) == "scanner débranché"
    assert progress == [(1, 3, "page 1"), (2, 3, "page 2"), (3, 3, "page 3")]


def test_closing_the_owner_cancels_and_drops_callbacks(qtbot) -> None:
    worker = Worker()
    owner = QWidget()
    started = threading.Event()
    stopped: list[str] = []
    results: list[object] = []

    def job(state):
        started.set()
        for _ in range(200):
            if state.cancelled:
                stopped.append("cancelled")
                state.check()
            time.sleep(0.01)
        return "too late"

    task = worker.run_task(job, on_success=results.append, owner=owner)
    assert started.wait(5)
    owner.deleteLater()
    qtbot.waitUntil(lambda: task.state.cancelled)
    assert worker.wait_idle(5000)
    qtbot.wait(50)
    assert stopped == ["cancelled"] and results == []


def test_db_pool_runs_writes_one_at_a_time_in_order(qtbot) -> None:
    worker = Worker()
    order: list[int] = []
    active = [0]
    overlap = [False]

    def make(i):
        def job(state):
            active[0] += 1
            overlap[0] |= active[0] > 1
            time.sleep(0.005)
            order.append(i)
            active[0] -= 1

        return job

    for i in range(10):
        worker.run_task(make(i), pool="db")
    assert worker.wait_idle()
    assert order == list(range(10)) and overlap[0] is False
