"""Progress through the ANTS form in the filing assistant: which steps the desk has ticked.

Typing a dossier into the portal gets interrupted (the phone, a missing paper); the ticks are
kept per dossier so that whoever picks the dossier up again sees where the typing stopped.
They are desk state beside the facts (like the wizard position): setting one neither bumps
the dossier's version (the kit is only made from the validated version) nor queues a sync.
"""

from __future__ import annotations

import logging

from permis_desktop.errors import BadInput
from permis_desktop.models.db import Database
from permis_desktop.models.entities import Dossier

log = logging.getLogger(__name__)

MAX_STEP_ID = 40


class FilingProgress:
    def __init__(self, db: Database) -> None:
        self.db = db

    def ticks(self, dossier_id: str) -> list[str]:
        """The ticked step ids of a dossier, in the order they were ticked."""
        with self.db.transaction() as session:
            return list(self._load(session, dossier_id).filing_ticks or [])

    def set_tick(self, dossier_id: str, step_id: str, done: bool) -> list[str]:
        """Tick (or untick) one step; returns the ticks as stored."""
        if not step_id or len(step_id) > MAX_STEP_ID:
            raise BadInput("Étape du formulaire inconnue.")
        with self.db.transaction() as session:
            dossier = self._load(session, dossier_id)
            ticks = [t for t in (dossier.filing_ticks or []) if t != step_id]
            if done:
                ticks.append(step_id)
            # A new list, so that SQLAlchemy sees the JSON column change.
            dossier.filing_ticks = ticks
            log.info(
                "dossier %s filing step %s %s", dossier_id, step_id, "done" if done else "undone"
            )
            return list(ticks)

    @staticmethod
    def _load(session: object, dossier_id: str) -> Dossier:
        dossier = session.get(Dossier, dossier_id)  # type: ignore[attr-defined]
        if dossier is None:
            raise BadInput(f"Aucun dossier ne porte l'identifiant {dossier_id}.")
        return dossier  # type: ignore[no-any-return]
