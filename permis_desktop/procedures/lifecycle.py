"""The dossier lifecycle: statuses, their French labels and badge colours, and the allowed
transitions, in one place for the desk, the sync client and the agency's server (DESIGN.md).

The steps follow what is known of ANTS processing (domain-ants.md §5): filing, the
applicant's validation when there is no mandat papier (Rhône mandat page), "en cours
d'instruction", "recueil complémentaire" when a piece is missing or unsuitable, then
validation, title production and dispatch by Lettre Expert. The exact ANTS labels beyond
"en cours d'instruction" are [UNCONFIRMED]: these ids are internal and stable. Transitions
allow the skips seen in practice (ANTS may validate without showing "en cours
d'instruction"), never a move back from a delivered title.
"""

from __future__ import annotations

from dataclasses import dataclass

from permis_desktop.errors import BadInput


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    colour: str  # badge background, #RRGGBB
    editable: bool  # the desk may change the facts and pieces
    final: bool  # nothing more is expected


STATUSES: dict[str, Status] = {
    s.id: s
    for s in (
        Status("draft", "Brouillon", "#9E9E9E", editable=True, final=False),
        Status("ready", "Prêt à envoyer", "#1E88E5", editable=False, final=False),
        Status("submitted", "Envoyé", "#3949AB", editable=False, final=False),
        Status(
            "awaiting_applicant",
            "En attente de validation par le demandeur",
            "#FB8C00",
            editable=False,
            final=False,
        ),
        Status("in_review", "En cours d'instruction", "#8E24AA", editable=False, final=False),
        Status(
            "complement_requested",
            "Pièces complémentaires demandées",
            "#F4511E",
            editable=True,
            final=False,
        ),
        Status("accepted", "Validé", "#43A047", editable=False, final=False),
        Status(
            "title_in_production", "Titre en fabrication", "#00897B", editable=False, final=False
        ),
        Status("title_sent", "Titre expédié", "#2E7D32", editable=False, final=True),
        Status("rejected", "Refusé", "#C62828", editable=False, final=True),
        Status("cancelled", "Annulé", "#616161", editable=False, final=True),
    )
}

INITIAL = "draft"

# From -> allowed destinations.
TRANSITIONS: dict[str, frozenset[str]] = {
    # The desk validates (ready) or drops the draft.
    "draft": frozenset({"ready", "cancelled"}),
    # Back to draft to edit again before it leaves; the sync client marks it submitted.
    "ready": frozenset({"draft", "submitted", "cancelled"}),
    # After filing: the applicant validates (no mandate), or instruction starts, or ANTS
    # answers directly.
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
    # The desk completes the named pieces (draft or straight to ready), or answers on the
    # portal and instruction resumes.
    "complement_requested": frozenset(
        {"draft", "ready", "submitted", "in_review", "accepted", "rejected", "cancelled"}
    ),
    # Accepted registrations end here (NEPH issued); licence requests go on to the title.
    "accepted": frozenset({"title_in_production", "title_sent"}),
    "title_in_production": frozenset({"title_sent"}),
    "title_sent": frozenset(),
    # Choice: a refused dossier may be reopened to correct it and file again.
    "rejected": frozenset({"draft"}),
    # Choice: a dossier cancelled by mistake may be restored as a draft.
    "cancelled": frozenset({"draft"}),
}


class TransitionError(BadInput):
    """A status change the lifecycle does not allow; the message is French."""


def status(status_id: str) -> Status:
    try:
        return STATUSES[status_id]
    except KeyError:
        raise TransitionError(
            f"Statut inconnu « {status_id} » : choisissez parmi {', '.join(STATUSES)}."
        ) from None


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def check_transition(from_status: str, to_status: str) -> None:
    """Raise TransitionError (exit status 2) when the change is not allowed."""
    source, target = status(from_status), status(to_status)
    if from_status == to_status:
        raise TransitionError(f"Le dossier est déjà au statut « {source.label} ».")
    if not can_transition(from_status, to_status):
        allowed = ", ".join(f"« {STATUSES[s].label} »" for s in next_statuses(from_status))
        hint = f" Statuts possibles : {allowed}." if allowed else " Ce statut est définitif."
        raise TransitionError(
            f"Impossible de passer du statut « {source.label} » à « {target.label} ».{hint}"
        )


def next_statuses(from_status: str) -> list[str]:
    """The allowed destinations, in the order of STATUSES."""
    allowed = TRANSITIONS.get(from_status, frozenset())
    return [s for s in STATUSES if s in allowed]
