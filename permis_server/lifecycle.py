"""The one place where the server asks whether a dossier may move from a status to another.

The rules belong to the shared lifecycle (`permis_desktop.procedures.lifecycle`, used by the
desk, the sync client and the server alike). Should that module be missing from an install,
the table below, which mirrors DESIGN.md's statuses, keeps the server usable; `SOURCE` says
which one is in force and the server logs it at start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

# DESIGN.md, "Dossier statuses, stable ids".
STATUSES = (
    "draft",
    "ready",
    "submitted",
    "awaiting_applicant",
    "in_review",
    "complement_requested",
    "accepted",
    "title_in_production",
    "title_sent",
    "rejected",
    "cancelled",
)
RECEIVED = "submitted"
COMPLEMENT = "complement_requested"

# Desk-only statuses: the back office never sets them on the server.
DESK_ONLY = frozenset({"draft", "ready"})

# A copy of the shared table, used only when the shared module cannot be imported; a test
# checks that the two are equal.
_FALLBACK: dict[str, frozenset[str]] = {
    "draft": frozenset({"ready", "cancelled"}),
    "ready": frozenset({"draft", "submitted", "cancelled"}),
    "submitted": frozenset(
        {
            "awaiting_applicant",
            "in_review",
            "complement_requested",
            "accepted",
            "rejected",
            "cancelled",
        }
    ),
    "awaiting_applicant": frozenset(
        {"in_review", "complement_requested", "accepted", "rejected", "cancelled"}
    ),
    "in_review": frozenset({"complement_requested", "accepted", "rejected", "cancelled"}),
    "complement_requested": frozenset(
        {"draft", "ready", "submitted", "in_review", "accepted", "rejected", "cancelled"}
    ),
    "accepted": frozenset({"title_in_production", "title_sent"}),
    "title_in_production": frozenset({"title_sent"}),
    "title_sent": frozenset(),
    "rejected": frozenset({"draft"}),
    "cancelled": frozenset({"draft"}),
}


def _fallback(a: str, b: str) -> bool:
    return b in _FALLBACK.get(a, frozenset())


def _load() -> tuple[Callable[[str, str], bool], str]:
    try:
        from permis_desktop.procedures.lifecycle import can_transition as shared
    except ImportError:
        return _fallback, "fallback"
    return shared, "shared"


_can, SOURCE = _load()


def can_transition(current: str, new: str) -> bool:
    """True when the lifecycle allows a dossier in `current` to move to `new`."""
    return bool(_can(current, new))


def next_statuses(current: str) -> list[str]:
    """The statuses the back office may record next (desk-only statuses left out)."""
    return [s for s in STATUSES if s not in DESK_ONLY and can_transition(current, s)]


def accepts_new_version(current: str) -> bool:
    """May a desk send a new version of a dossier the server holds in `current`?

    Yes while it is still `submitted` (nothing done with it yet), and whenever the desk can
    bring it back to `submitted` through its own statuses: directly after a complement
    request, or through draft and ready after a refusal or a cancellation that the lifecycle
    lets the desk reopen.
    """
    seen = {current}
    frontier = [current]
    while frontier:
        status = frontier.pop()
        if status == RECEIVED:
            return True
        for nxt in STATUSES:
            if (
                nxt not in seen
                and can_transition(status, nxt)
                and (nxt == RECEIVED or nxt in DESK_ONLY)
            ):
                seen.add(nxt)
                frontier.append(nxt)
    return False
