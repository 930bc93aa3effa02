"""French words of the desk for ids of the rules engine: statuses, procedures, sync states,
and the counts bar of the dossier list ("12 brouillons, 3 prêts…")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from permis_desktop.procedures.catalog import PROCEDURES
from permis_desktop.procedures.lifecycle import STATUSES


def _tr(text: str) -> str:
    return QCoreApplication.translate("labels", text)


def status_label(status_id: str) -> str:
    status = STATUSES.get(status_id)
    return _tr(status.label) if status else status_id


def status_colour(status_id: str) -> str:
    status = STATUSES.get(status_id)
    return status.colour if status else "#616161"


def procedure_label(procedure_id: str) -> str:
    procedure = PROCEDURES.get(procedure_id)
    return _tr(procedure.label) if procedure else procedure_id


# Singular and plural of each status as a count reads: "1 brouillon", "3 prêts".
_COUNT_WORDS: dict[str, tuple[str, str]] = {
    "draft": ("brouillon", "brouillons"),
    "ready": ("prêt", "prêts"),
    "submitted": ("envoyé", "envoyés"),
    "awaiting_applicant": ("en attente du demandeur", "en attente du demandeur"),
    "in_review": ("en instruction", "en instruction"),
    "complement_requested": ("complément demandé", "compléments demandés"),
    "accepted": ("validé", "validés"),
    "title_in_production": ("titre en fabrication", "titres en fabrication"),
    "title_sent": ("titre expédié", "titres expédiés"),
    "rejected": ("refusé", "refusés"),
    "cancelled": ("annulé", "annulés"),
}


def status_count(status_id: str, count: int) -> str:
    one, many = _COUNT_WORDS.get(status_id, (status_id, status_id))
    return f"{count} {_tr(one if count <= 1 else many)}"


_SYNC_STATES = {
    "local": "Sur ce poste",
    "queued": "En attente d'envoi",
    "sent": "Envoyé",
    "failed": "Échec d'envoi",
}


def sync_label(state: str) -> str:
    return _tr(_SYNC_STATES.get(state, state))
