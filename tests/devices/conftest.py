"""Fixtures for the device tests: SANE restricted to its `test` backend.

SANE reads `dll.conf` from SANE_CONFIG_DIR when set. Pointing it at a folder that enables
only `test` makes the virtual devices `test:0` and `test:1` appear without editing
/etc/sane.d, and keeps the network backends (net, airscan) from probing the LAN.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def sane_test_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("sane.d")
    (folder / "dll.conf").write_text("test\n", encoding="utf-8")
    previous = os.environ.get("SANE_CONFIG_DIR")
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("SANE_CONFIG_DIR", None)
    else:
        os.environ["SANE_CONFIG_DIR"] = previous
