"""`evaluate(facts)`: eligibility problems, warnings and the live checklist of justificatifs.

This is what `permis checklist` prints and what the wizard recomputes on every edit, so it
must stay fast (one evaluation well under a millisecond; bench/checklist.py measures it) and
free of I/O. The JSON shape is a public contract (issue "The rules engine"): `procedure`,
`reference_date`, `age`, `eligible`, `problems[{code, field, message}]`, `pieces[{kind,
required, status, reason, source}]`; extra fields may be added, never renamed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from permis_desktop.procedures import identifiers as ids
from permis_desktop.procedures.dates import add_months
from permis_desktop.procedures.facts import Facts, Person, parse_facts
from permis_desktop.procedures.pieces import MISSING, PROVIDED, PieceLine, piece_lines
from permis_desktop.procedures.rules import (
    Problem,
    RuleOptions,
    Situation,
    check_ages,
    check_mandate,
    check_prerequisites,
    check_procedure,
    check_required_facts,
)

__all__ = ["Checklist", "Problem", "RuleOptions", "evaluate"]


@dataclass(frozen=True)
class Checklist:
    procedure: str
    procedure_label: str
    reference_date: dt.date
    age: int | None
    age_max: int | None
    eligible: bool
    complete: bool
    regional_tax_territory: str | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    pieces: tuple[PieceLine, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "procedure": self.procedure,
            "procedure_label": self.procedure_label,
            "reference_date": self.reference_date.isoformat(),
            "age": self.age,
            "age_max": self.age_max,
            "eligible": self.eligible,
            "complete": self.complete,
            "regional_tax_territory": self.regional_tax_territory,
            "problems": [p.to_json() for p in self.problems],
            "warnings": [w.to_json() for w in self.warnings],
            "pieces": [p.to_json() for p in self.pieces],
        }

    def piece(self, kind: str) -> PieceLine | None:
        return next((p for p in self.pieces if p.kind == kind), None)

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


_WARNING_CODES = {
    "applicant.birth_date": "partial_birth_date",
    "photo_signature.code": "photo_code_length",
}


def _field(s: Situation, path: str, result: ids.Validation) -> None:
    if result.level == "error":
        s.problem("invalid_field", path, result.message)
    elif result.level == "warning":
        s.warn(_WARNING_CODES.get(path, "check_field"), path, result.message)


def _person_fields(s: Situation, person: Person | None, path: str) -> None:
    if person is None:
        return
    if person.email:
        _field(s, f"{path}.email", ids.validate_email(person.email))
    if person.mobile:
        _field(s, f"{path}.mobile", ids.validate_mobile(person.mobile))
    if person.birth_date:
        _field(s, f"{path}.birth_date", ids.validate_birth_date(person.birth_date.iso(), s.on))
    if person.address and person.address.postal_code and person.address.in_france:
        _field(
            s, f"{path}.address.postal_code", ids.validate_postal_code(person.address.postal_code)
        )


def check_identifiers(s: Situation) -> None:
    """invalid_field for identifiers that fail validation; warnings for doubtful ones."""
    a = s.facts.applicant
    if a.birth_date is not None:
        _field(s, "applicant.birth_date", ids.validate_birth_date(a.birth_date.iso(), s.on))
    if a.neph:
        _field(s, "applicant.neph", ids.validate_neph(a.neph))
    if a.email:
        _field(s, "applicant.email", ids.validate_email(a.email))
    if a.mobile:
        _field(s, "applicant.mobile", ids.validate_mobile(a.mobile))
    if a.nationality:
        _field(s, "applicant.nationality", ids.validate_country(a.nationality))
    if a.birth_place.country:
        _field(s, "applicant.birth_place.country", ids.validate_country(a.birth_place.country))
    if a.birth_place.insee:
        _field(
            s,
            "applicant.birth_place.insee",
            ids.validate_insee(a.birth_place.insee, allow_abroad=True),
        )
    if a.address.country:
        _field(s, "applicant.address.country", ids.validate_country(a.address.country))
    if a.address.postal_code and a.address.in_france:
        _field(s, "applicant.address.postal_code", ids.validate_postal_code(a.address.postal_code))
    if a.licence.number:
        _field(s, "applicant.licence.number", ids.validate_licence_number(a.licence.number))
    for i, held in enumerate(a.licence.categories):
        if held.obtained is not None and held.obtained > s.on:
            s.problem(
                "invalid_field",
                f"applicant.licence.categories[{i}].obtained",
                f"Date d'obtention du permis {held.category} dans le futur : vérifiez-la.",
            )
    if s.facts.photo_signature.code:
        _field(
            s,
            "photo_signature.code",
            ids.validate_photo_code(s.facts.photo_signature.code, s.options.photo_code_length),
        )
    _person_fields(s, s.facts.legal_representative, "legal_representative")
    _person_fields(s, s.facts.host, "host")


def check_contact_and_dates(s: Situation) -> None:
    """Warnings that never block: contact for ANTS, e-photo activation, old attestations."""
    facts, a = s.facts, s.facts.applicant
    # ANTS reaches the applicant (or, for a minor or a person under guardianship, the legal
    # representative whose account is used) by e-mail or SMS (seed/; domain-ants.md §0).
    represented = a.under_guardianship or s.younger_than(18)
    rep = facts.legal_representative
    if represented and not (rep and (rep.email or rep.mobile)):
        s.warn(
            "contact_missing",
            "legal_representative.email",
            "Indiquez l'adresse électronique ou le portable du représentant légal : l'ANTS "
            "s'en sert pour la validation et le suivi.",
        )
    elif not represented and not (a.email or a.mobile):
        s.warn(
            "contact_missing",
            "applicant.email",
            "Indiquez l'adresse électronique ou le portable du demandeur : l'ANTS s'en sert "
            "pour la validation et le suivi.",
        )
    # e-photo activation can take up to 72 h (Photomaton support page, domain-ants.md §3).
    taken = facts.photo_signature.taken
    if facts.photo_signature.code and taken is not None and (s.on - taken).days < 3:
        s.warn(
            "photo_activation",
            "photo_signature.taken",
            "Photo prise il y a moins de 72 h : le code peut ne pas être encore actif.",
        )
    for piece in facts.pieces:
        # The CEPC serves as a licence for 4 months only (F2828 / F20028).
        if (
            piece.kind == "exam_certificate"
            and piece.issued is not None
            and s.on > add_months(piece.issued, 4)
        ):
            s.warn(
                "exam_certificate_old",
                "pieces",
                "Le CEPC a plus de 4 mois : il ne vaut plus permis de conduire, déposez la "
                "demande sans attendre.",
            )
        if piece.kind == "proof_of_address" and piece.issued is None:
            s.warn(
                "piece_date_unknown",
                "pieces",
                "Indiquez la date du justificatif de domicile pour vérifier qu'il a moins de "
                "6 mois.",
            )
    # The AM attestation lets its holder drive for 4 months (F2890).
    completed = facts.training.completed
    if (
        s.procedure.id == "licence_after_training_am"
        and completed is not None
        and s.on > add_months(completed, 4)
    ):
        s.warn(
            "training_certificate_old",
            "training.completed",
            "L'attestation de formation AM a plus de 4 mois : elle ne permet plus de "
            "conduire en attendant le titre.",
        )


def evaluate(
    facts: Facts | Mapping[str, Any],
    today: dt.date | None = None,
    options: RuleOptions | None = None,
) -> Checklist:
    """Evaluate a dossier's facts (typed, or the raw JSON document, parsed first).

    The rules are those in force on the facts' `reference_date`, else on `today`, else on
    the current date."""
    if not isinstance(facts, Facts):
        facts = parse_facts(facts)
    on = facts.reference_date or today or dt.date.today()
    s = Situation.of(facts, on, options or RuleOptions())
    check_required_facts(s)
    check_identifiers(s)
    check_procedure(s)
    check_ages(s)
    check_prerequisites(s)
    check_mandate(s)
    lines = piece_lines(s)
    check_contact_and_dates(s)
    return Checklist(
        procedure=facts.procedure,
        procedure_label=s.procedure.label,
        reference_date=on,
        age=s.age.youngest if s.age else None,
        age_max=s.age.oldest if s.age else None,
        eligible=not s.problems,
        complete=all(line.status == PROVIDED for line in lines if line.required),
        regional_tax_territory=s.territory,
        problems=tuple(s.problems),
        warnings=tuple(s.warnings),
        pieces=tuple(lines),
    )


def missing_pieces(checklist: Checklist) -> list[PieceLine]:
    """Required pieces not in order (missing, expired or too old)."""
    return [p for p in checklist.pieces if p.required and p.status != PROVIDED]


__all__ += ["MISSING", "PROVIDED", "missing_pieces"]
