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
    "awaiting_applicant": frozenset({"in_review", "complement_requested", "rejected", "cancelled"}),
    "in_review": frozenset({"complement_requested", "accepted", "rejected", "cancelled"}),
    "complement_requested": frozenset({"draft", "ready", "submitted", "cancelled"}),
    "accepted": frozenset({"title_in_production", "title_sent"}),
    "title_in_production": frozenset({"title_sent"}),
    "title_sent": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
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
    return [s for s in STATUSES if can_transition(current, s)]


def accepts_new_version(current: str) -> bool:
    """A desk may send a new version while the dossier is still `submitted` (nothing done
    with it yet) or when the lifecycle lets it go back to `submitted` (a complement request)."""
    return current == RECEIVED or can_transition(current, RECEIVED)
