"""Fixtures of the papers widgets: the papers fixtures (school, ready dossier) and a worker."""

from __future__ import annotations

import pytest

from tests.outputs.conftest import papers, ready_dossier, school  # noqa: F401


@pytest.fixture
def worker(desk, qapp):
    """The background helper of a test; waits for its tasks before the store closes."""
    from permis_desktop.ui.worker import Worker

    helper = Worker()
    yield helper
    helper.wait_idle()
