"""The one place where the server asks whether a dossier may move from a status to another.

The rules are the shared lifecycle's (`permis_desktop.procedures.lifecycle`), the same the
desk and the sync client use (DESIGN.md: transitions live in one place). This module only
adds what is particular to the server: which statuses belong to the desk alone, and when a
desk may send a new version of a dossier the server already holds.
"""

from __future__ import annotations

from permis_desktop.procedures import lifecycle as shared

STATUSES: tuple[str, ...] = tuple(shared.STATUSES)
RECEIVED = "submitted"
COMPLEMENT = "complement_requested"
# Desk-only statuses: the back office never sets them on the server.
DESK_ONLY = frozenset({"draft", "ready"})


def can_transition(current: str, new: str) -> bool:
    """True when the lifecycle allows a dossier in `current` to move to `new`."""
    return shared.can_transition(current, new)


def next_statuses(current: str) -> list[str]:
    """The statuses the back office may record next (desk-only statuses left out)."""
    return [s for s in shared.next_statuses(current) if s not in DESK_ONLY]


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
