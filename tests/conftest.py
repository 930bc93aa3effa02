"""Shared fixtures: Qt offscreen, a fresh data folder per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from permis_desktop.paths import AppPaths, resolve_paths  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("PERMIS_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def paths(data_dir: Path) -> AppPaths:
    p = resolve_paths(data_dir)
    p.ensure()
    return p


@pytest.fixture
def desk(paths: AppPaths):
    from permis_desktop.services.context import DeskContext

    ctx = DeskContext.open(paths)
    yield ctx
    ctx.close()


@pytest.fixture
def make_read_only():
    """Make a file or folder really read-only, even for root (chattr +i), and undo it after.

    Skips with the reason when the file system supports neither way.
    """
    import contextlib
    import shutil
    import stat
    import subprocess

    frozen: list[tuple[Path, str, int]] = []

    def freeze(path: Path) -> None:
        if os.geteuid() != 0 if hasattr(os, "geteuid") else False:
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            frozen.append((path, "chmod", mode))
            return
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a file read-only")
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i not supported here: {done.stderr.decode().strip()}")
        frozen.append((path, "chattr", 0))

    yield freeze
    for path, how, mode in reversed(frozen):
        with contextlib.suppress(OSError):
            if how == "chattr":
                subprocess.run(["chattr", "-i", str(path)], check=False)
            else:
                path.chmod(mode)


def _patient(method, default_ms: int):
    """pytest-qt waits 5 s by default; a loaded 2-core CI machine sometimes needs more.

    Only the default changes: a test that passes its own timeout keeps it.
    """

    def wait(self, *args, timeout: int = default_ms, **kwargs):
        return method(self, *args, timeout=timeout, **kwargs)

    wait.__name__ = method.__name__
    wait.__doc__ = method.__doc__
    return wait


try:
    from pytestqt.qtbot import QtBot

    QtBot.waitUntil = _patient(QtBot.waitUntil, 20000)
    QtBot.waitSignal = _patient(QtBot.waitSignal, 20000)
    QtBot.waitExposed = _patient(QtBot.waitExposed, 20000)
except ImportError:  # pytest-qt absent: the Qt tests are not collected anyway
    pass
