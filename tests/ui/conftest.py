"""Fixtures of the desk's widget tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def worker(desk, qapp):
    """The background helper of a desk test; waits for its tasks before the store closes."""
    from permis_desktop.ui.worker import Worker

    helper = Worker()
    yield helper
    helper.wait_idle()
