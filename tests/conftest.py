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
