"""The wizard's flow: which steps and which fields apply to a dossier, from its facts.

The UI pages are thin views over this (DESIGN.md, "Layers"): the legal representative step
only for a minor or a person under guardianship, host fields only when the applicant is
hosted, the licence step for the categories requested and the licence held, the training
step only for the training procedures. Recomputed on every edit, tested
headless. Step ids are stable; titles and labels are French.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from permis_desktop.procedures.catalog import PROCEDURES, Group
from permis_desktop.procedures.dates import AgeRange
from permis_desktop.procedures.facts import Facts, parse_facts

STEP_IDS = (
    "demandeur",
    "adresse",
    "representant_legal",
    "permis",
    "sante",
    "formation",
    "photo_signature",
    "mandat",
    "pieces",
    "recapitulatif",
)

STEP_TITLES = {
    "demandeur": "Demandeur",
    "adresse": "Adresse et contact",
    "representant_legal": "Représentant légal",
    "permis": "Permis de conduire",
    "sante": "Santé",
    "formation": "Formation",
    "photo_signature": "Photo et signature",
    "mandat": "Mandat",
    "pieces": "Pièces justificatives",
    "recapitulatif": "Récapitulatif",
}


@dataclass(frozen=True)
class FieldSpec:
    path: str  # dotted path in the facts document
    label: str
    required: bool = False


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[FieldSpec, ...]


def _f(path: str, label: str, required: bool = False) -> FieldSpec:
    return FieldSpec(path, label, required)


def _person(prefix: str, contact_required: bool) -> list[FieldSpec]:
    return [
        _f(f"{prefix}.sex", "Sexe", True),
        _f(f"{prefix}.birth_name", "Nom de naissance", True),
        _f(f"{prefix}.usage_name", "Nom d'usage"),
        _f(f"{prefix}.given_names", "Prénoms", True),
        _f(f"{prefix}.birth_date", "Date de naissance", True),
        _f(f"{prefix}.email", "Adresse électronique", contact_required),
        _f(f"{prefix}.mobile", "Téléphone portable"),
    ]


def _represented(facts: Facts, on: dt.date) -> bool:
    """Minor (possibly, for a partial birth date) or under guardianship."""
    birth = facts.applicant.birth_date
    if facts.applicant.under_guardianship:
        return True
    return birth is not None and birth.earliest() <= on and AgeRange.of(birth, on).youngest < 18


def steps(facts: Facts | Mapping[str, Any], today: dt.date | None = None) -> list[Step]:
    """The wizard steps that apply, in order, each with the fields that apply."""
    if not isinstance(facts, Facts):
        facts = parse_facts(facts)
    on = facts.reference_date or today or dt.date.today()
    proc = PROCEDURES[facts.procedure]
    a = facts.applicant
    represented = _represented(facts, on)
    out: list[Step] = []

    # For a minor or a person under guardianship, ANTS uses the legal representative's
    # account: their e-mail is the contact, not the applicant's (DESIGN.md; seed/).
    demandeur = _person("applicant", contact_required=not represented)[:5] + [
        _f("applicant.birth_place.country", "Pays de naissance", True),
        _f("applicant.birth_place.commune", "Commune de naissance", True),
    ]
    if a.birth_place.country in (None, "FRA"):
        demandeur.append(_f("applicant.birth_place.insee", "Code INSEE de la commune de naissance"))
    demandeur += [
        _f("applicant.nationality", "Nationalité", True),
        _f("applicant.under_guardianship", "Sous tutelle"),
        # The NEPH is optional in the online request (ANTS help page, domain-ants.md §0).
        _f("applicant.neph", "Numéro NEPH", required=False),
    ]
    out.append(Step("demandeur", STEP_TITLES["demandeur"], tuple(demandeur)))

    # Delivery by Lettre Expert: the address must be complete (F2828 / F20028).
    adresse = [
        _f("applicant.address.line1", "Adresse", True),
        _f("applicant.address.line2", "Complément (bâtiment, étage, « chez »)"),
        _f("applicant.address.postal_code", "Code postal", True),
        _f("applicant.address.city", "Commune", True),
        _f("applicant.address.country", "Pays"),
        _f("applicant.email", "Adresse électronique", not represented),
        _f("applicant.mobile", "Téléphone portable"),
        _f("applicant.hosted", "Hébergé par un tiers"),
    ]
    if a.hosted:
        adresse += _person("host", contact_required=False)[:4]
    out.append(Step("adresse", STEP_TITLES["adresse"], tuple(adresse)))

    if represented:
        rep = [
            _f("legal_representative.quality", "Lien avec le demandeur", True),
            *_person("legal_representative", contact_required=True),
        ]
        out.append(Step("representant_legal", STEP_TITLES["representant_legal"], tuple(rep)))

    # Licence: the categories requested and the training mode (registrations, Cerfa 02 items,
    # domain-ants.md §6), the categories obtained at the exam (title requests after an exam),
    # and the licence held (extensions, the training procedures that change a licence, the
    # former licence of a return after invalidation). Nothing for AM: a first title whose
    # category comes with the procedure.
    permis: list[FieldSpec] = []
    if proc.is_registration:
        permis += [
            _f("categories", "Catégories demandées", True),
            _f("training_mode", "Mode de formation", True),
        ]
    elif proc.group is Group.AFTER_EXAM:
        permis.append(_f("categories", "Catégories obtenues à l'examen", True))
    if proc.is_extension or proc.id in (
        "licence_after_training_a",
        "licence_after_training_b96",
        "licence_after_training_78",
        "licence_after_exam_return",
    ):
        required = proc.id != "licence_after_exam_return"
        permis += [
            _f("applicant.licence.number", "Numéro du permis", required),
            _f("applicant.licence.categories", "Catégories détenues (date, mentions)", required),
        ]
    if permis:
        out.append(Step("permis", STEP_TITLES["permis"], tuple(permis)))

    # Health questions apply to every procedure (F2686: any applicant may need an avis médical).
    out.append(
        Step(
            "sante",
            STEP_TITLES["sante"],
            (
                _f("applicant.medical.condition", "Affection médicale incompatible ou à contrôler"),
                _f("applicant.medical.adapted_vehicle", "Véhicule aménagé pour un handicap"),
                _f(
                    "applicant.medical.invalidity_pension",
                    "Pension d'invalidité civile ou militaire",
                ),
            ),
        )
    )

    # The training attestation: training procedures only (seed/; F2890, F31119, F32927).
    if proc.is_training:
        out.append(
            Step(
                "formation",
                STEP_TITLES["formation"],
                (
                    _f("training.kind", "Formation suivie", True),
                    _f("training.completed", "Date de fin de formation", True),
                ),
            )
        )

    out.append(
        Step(
            "photo_signature",
            STEP_TITLES["photo_signature"],
            (
                _f("photo_signature.code", "Code photo-signature", True),
                _f("photo_signature.taken", "Date de la photo", True),
            ),
        )
    )
    out.append(Step("mandat", STEP_TITLES["mandat"], (_f("mandate", "Mandat papier signé"),)))
    out.append(
        Step("pieces", STEP_TITLES["pieces"], (_f("pieces", "Pièces justificatives", True),))
    )
    out.append(Step("recapitulatif", STEP_TITLES["recapitulatif"], ()))
    return out


def step_ids(facts: Facts | Mapping[str, Any], today: dt.date | None = None) -> list[str]:
    return [s.id for s in steps(facts, today)]
