"""Applying the agency's status changes (`GET /v1/events?after=N`) to the local dossiers.

Each event is applied in its own transaction and only then does the cursor move past it,
so a crash replays at most the last event, and replaying is harmless: an event whose status
the dossier already has, or that the lifecycle does not allow from where the dossier is, is
skipped. The cursor is kept in a small JSON file beside the database (written atomically),
with the server address it belongs to: pointing the desk at another server starts over.

A `complement_requested` event re-opens exactly the named pieces: their status becomes
`missing`, so the checklist shows them "à fournir" and validation waits until they are
captured again (which bumps the dossier's version); the agency's message goes into the
dossier's history, for the desk to read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from permis_desktop.fileutil import atomic_write_text
from permis_desktop.models.db import Database
from permis_desktop.models.entities import Dossier, OutboxItem, StatusEvent, utcnow
from permis_desktop.procedures import lifecycle
from permis_desktop.sync.client import FeedEvent, ServiceClient
from permis_desktop.sync.outbox import DONE, PENDING, mark_submitted

log = logging.getLogger(__name__)

PIECE_TO_REDO = "missing"


@dataclass(frozen=True)
class Applied:
    """A status change applied to a local dossier (for notifications)."""

    event_id: int
    dossier_id: str
    from_status: str
    to_status: str
    message: str
    pieces: list[str]


class Cursor:
    def __init__(self, path: Path, server: str) -> None:
        self.path = path
        self.server = server

    def load(self) -> int:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as exc:
            log.warning("feed cursor %s unreadable (%s): starting over", self.path, exc)
            return 0
        if not isinstance(data, dict) or data.get("server") != self.server:
            return 0
        after = data.get("after", 0)
        return after if isinstance(after, int) and after >= 0 else 0

    def save(self, after: int) -> None:
        atomic_write_text(self.path, json.dumps({"server": self.server, "after": after}))


def describe(event: FeedEvent) -> str:
    """The history line for an event received from the agency (French)."""
    if event.to_status == "complement_requested":
        pieces = ", ".join(event.pieces) if event.pieces else "aucune pièce désignée"
        return f"Complément demandé par l'agence (pièces à refaire : {pieces}). {event.message}".strip()
    label = (
        lifecycle.STATUSES[event.to_status].label
        if event.to_status in lifecycle.STATUSES
        else event.to_status
    )
    return f"Statut reçu de l'agence : {label}. {event.message}".strip()


class Feed:
    def __init__(self, db: Database, cursor: Cursor) -> None:
        self.db = db
        self.cursor = cursor

    def pull(
        self,
        client: ServiceClient,
        on_applied: Callable[[Applied], None] | None = None,
        page_size: int = 200,
    ) -> list[Applied]:
        applied: list[Applied] = []
        after = self.cursor.load()
        while True:
            page = client.events(after, page_size)
            for event in page.events:
                done = self.apply(event)
                self.cursor.save(event.id)
                after = event.id
                if done is not None:
                    applied.append(done)
                    if on_applied is not None:
                        on_applied(done)
            if page.next_after > after:
                after = page.next_after
                self.cursor.save(after)
            if not page.has_more or not page.events:
                return applied

    def apply(self, event: FeedEvent) -> Applied | None:
        if event.to_status not in lifecycle.STATUSES:
            log.warning("event %d: unknown status %r ignored", event.id, event.to_status)
            return None
        with self.db.transaction() as session:
            dossier = session.get(Dossier, event.dossier_id)
            if dossier is None:
                return None  # another desk's dossier, of the same agency
            if dossier.status == "ready" and event.version >= dossier.version:
                # The server has this version although its answer never reached us (the
                # feed proves it): the acknowledgement is taken from here.
                for item in dossier_items(session, dossier.id):
                    if item.state == PENDING and item.dossier_version == dossier.version:
                        item.state = DONE
                        item.done_at = utcnow()
                mark_submitted(
                    session,
                    dossier,
                    dossier.version,
                    "Reçu par le serveur de l'agence (confirmé par le suivi).",
                )
            if event.source == "desk" or dossier.status == event.to_status:
                return None
            if not lifecycle.can_transition(dossier.status, event.to_status):
                log.info(
                    "event %d for %s: %s -> %s not allowed here, skipped",
                    event.id,
                    dossier.id,
                    dossier.status,
                    event.to_status,
                )
                return None
            previous = dossier.status
            message = describe(event)
            session.add(
                StatusEvent(
                    dossier=dossier,
                    from_status=previous,
                    to_status=event.to_status,
                    source="server",
                    message=message,
                )
            )
            dossier.status = event.to_status
            dossier.updated_at = utcnow()
            if event.to_status == "complement_requested":
                for piece in dossier.pieces:
                    if piece.kind in event.pieces:
                        piece.status = PIECE_TO_REDO
                        piece.updated_at = utcnow()
            log.info(
                "dossier %s: %s -> %s (server event %d)",
                dossier.id,
                previous,
                event.to_status,
                event.id,
            )
            return Applied(
                event.id, dossier.id, previous, event.to_status, event.message, list(event.pieces)
            )


def dossier_items(session: Any, dossier_id: str) -> list[OutboxItem]:
    from sqlalchemy import select

    return list(session.scalars(select(OutboxItem).where(OutboxItem.dossier_id == dossier_id)))
