"""Fixtures of the wizard's recognition tests: the background helper, a test 2D-Doc CA."""

from __future__ import annotations

import pytest


@pytest.fixture
def worker(desk, qapp):
    """The background helper of a test; waits for its tasks before the store closes."""
    from permis_desktop.ui.worker import Worker

    helper = Worker()
    yield helper
    helper.wait_idle()


@pytest.fixture(scope="session")
def pki():
    from tests.recognize.kit2ddoc import make_pki

    return make_pki("FR00")
