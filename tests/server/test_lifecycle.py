"""The server applies the shared lifecycle (DESIGN.md: transitions live in one place)."""

from __future__ import annotations

import importlib.util

import pytest

from permis_server import lifecycle

SHARED = importlib.util.find_spec("permis_desktop.procedures.lifecycle") is not None


@pytest.mark.skipif(not SHARED, reason="permis_desktop.procedures.lifecycle is not installed")
def test_the_shared_lifecycle_is_in_force_and_the_fallback_copy_matches_it():
    from permis_desktop.procedures import lifecycle as shared

    assert lifecycle.SOURCE == "shared"
    assert tuple(shared.STATUSES) == lifecycle.STATUSES
    assert {k: frozenset(v) for k, v in shared.TRANSITIONS.items()} == lifecycle._FALLBACK


def test_new_versions_are_accepted_only_where_the_desk_can_bring_the_dossier_back():
    accepting = {s for s in lifecycle.STATUSES if lifecycle.accepts_new_version(s)}
    assert {"submitted", "complement_requested"} <= accepting
    assert not accepting & {
        "awaiting_applicant",
        "in_review",
        "accepted",
        "title_in_production",
        "title_sent",
    }
    # The shared lifecycle lets the desk reopen a refused dossier (rejected -> draft -> ready).
    assert ("rejected" in accepting) == lifecycle.can_transition("rejected", "draft")


def test_back_office_choices_never_offer_desk_only_statuses():
    for status in lifecycle.STATUSES:
        assert not set(lifecycle.next_statuses(status)) & lifecycle.DESK_ONLY
    assert lifecycle.next_statuses("title_sent") == []
