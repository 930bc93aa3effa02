"""The server applies the shared lifecycle (DESIGN.md: transitions live in one place)."""

from __future__ import annotations

from permis_server import lifecycle


def test_the_server_uses_the_shared_lifecycle():
    from permis_desktop.procedures import lifecycle as shared

    assert tuple(shared.STATUSES) == lifecycle.STATUSES
    for a in lifecycle.STATUSES:
        for b in lifecycle.STATUSES:
            assert lifecycle.can_transition(a, b) == shared.can_transition(a, b)


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
