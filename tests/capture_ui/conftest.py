"""Fixtures of the capture-screen tests: a desk with a dossier, the background helper, SANE
restricted to its `test` backend, and camera scenes rendered by the corpus generator."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session", autouse=True)
def sane_test_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Same as tests/devices: only SANE's `test` backend, no LAN probing.
    folder = tmp_path_factory.mktemp("sane.d")
    (folder / "dll.conf").write_text("test\n", encoding="utf-8")
    previous = os.environ.get("SANE_CONFIG_DIR")
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("SANE_CONFIG_DIR", None)
    else:
        os.environ["SANE_CONFIG_DIR"] = previous


@pytest.fixture
def worker(desk, qapp):
    from permis_desktop.ui.worker import Worker

    helper = Worker()
    yield helper
    helper.wait_idle()


@pytest.fixture
def dossier(desk) -> str:
    from permis_desktop.services.dossiers import DossierService

    return DossierService(desk.db).create({"procedure": "exam_registration_first"})


def corpus():  # type: ignore[no-untyped-def]
    if str(DATA) not in sys.path:
        sys.path.insert(0, str(DATA))
    import make_corpus

    return make_corpus


@functools.lru_cache(maxsize=16)
def card_scene(seed: int, side: str = "recto", frame: tuple[int, int] = (2000, 1500)) -> np.ndarray:
    """A photo of an ID card on a desk (corpus generator, condition "ok")."""
    mc = corpus()
    rng = np.random.default_rng([2026, seed])
    image, _flat, _corners, _dpi, _in_frame = mc.make_photo(rng, "identity", "ok", side, frame)
    return np.asarray(image)


@functools.lru_cache(maxsize=4)
def empty_desk(seed: int = 0, frame: tuple[int, int] = (2000, 1500)) -> np.ndarray:
    mc = corpus()
    rng = np.random.default_rng([2027, seed])
    return np.clip(mc._background(rng, frame[0], frame[1], "wood"), 0, 255).astype(np.uint8)


def piece_pages(desk, dossier_id: str, kind: str):  # type: ignore[no-untyped-def]
    from permis_desktop.services.dossiers import DossierService

    detail = DossierService(desk.db).get(dossier_id)
    for piece in detail.pieces:
        if piece.kind == kind:
            return piece.pages
    return []


def bad_card_scene(seed: int, condition: str = "too_small") -> np.ndarray:
    mc = corpus()
    rng = np.random.default_rng([2028, seed])
    image, *_rest = mc.make_photo(rng, "identity", condition, "recto", (2000, 1500))
    return np.asarray(image)
