"""Fixtures of the desk's sync screens: the real dossier service over HTTP on 127.0.0.1
(the fixtures of tests/server), desks with real local stores, and main windows on them."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from tests.server.conftest import live, server  # noqa: F401 - fixtures reused as they are
from tests.server.desk import Desk
from tests.ui.conftest import worker  # noqa: F401


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The desk's screens are what is tested here: the server runs on SQLite only."""
    return f"sqlite:///{tmp_path / 'server' / 'permis-server.sqlite3'}"


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    """No keyring unless a test installs one: the token goes to the settings file."""
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(fail.Keyring())


@contextlib.contextmanager
def serving(app: Any, port: int, tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """The service on a given port (to start it after the desk, as when the network
    comes back); over HTTPS with `tls` = (certificate, key)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
    )
    userver = uvicorn.Server(config)
    thread = threading.Thread(target=userver.run, name="uvicorn-late", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not userver.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        userver.should_exit = True
        thread.join(10)


def configure(desk: Desk, url: str | None = None) -> None:
    """What the settings dialog (or `permis config set`) stores for a desk."""
    desk.ctx.settings.set("sync.server_url", url or desk.base_url)
    desk.ctx.settings.set("sync.token", desk.token)


@pytest.fixture
def windows(qapp) -> Iterator[Any]:
    """Opens main windows on desks; stops their sync workers and helpers at the end."""
    from permis_desktop.app import labels
    from permis_desktop.ui.main_window import MainWindow
    from permis_desktop.ui.worker import Worker

    opened: list[tuple[Any, Worker]] = []

    def open_window(qtbot: Any, desk: Desk, **sync: Any) -> MainWindow:
        helper = Worker()
        window = MainWindow(desk.ctx, helper, *labels())
        qtbot.addWidget(window)
        window.sync.probe_seconds = sync.get("probe_seconds", 0.2)
        window.sync.poll_seconds = sync.get("poll_seconds", 1.0)
        window.resize(1280, 800)
        window.show()
        opened.append((window, helper))
        return window

    yield open_window
    for window, helper in opened:
        window.sync.stop()
        helper.wait_idle()
