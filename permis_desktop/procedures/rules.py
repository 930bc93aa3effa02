"""Eligibility: the minimum ages, prerequisites and procedure checks, with their sources.

ANTS does not check ages, prerequisites or documents when a dossier is typed in: "le PGA n'a
pas de filtre bloquant, par exemple sur l'âge minimum" (Préfecture du Rhône, FAQ
téléprocédures 2017, domain-ants.md §0). This module does. Every rule cites its source
(domain-ants.md section and the service-public fiche or text); where the sources are silent
the comment says "choice" and why. Rules that changed are `DatedRule`s: the facts'
`reference_date` picks the version in force that day.

`Situation` gathers once what every rule needs (age range, held and requested categories,
regional-tax territory) so that one evaluation stays well under a millisecond.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from permis_desktop.procedures.catalog import CATEGORIES, IMPLIED_CATEGORIES, PROCEDURES, Procedure
from permis_desktop.procedures.dates import AgeRange, Dated, DatedRule, add_months, add_years
from permis_desktop.procedures.facts import Facts, HeldCategory
from permis_desktop.procedures.identifiers import DEFAULT_PHOTO_CODE_LENGTH


@dataclass(frozen=True)
class RuleOptions:
    """The rule parameters the sources leave open; the desk's settings may change them."""

    # rules.photo_code_length: 22 is likely but [UNCONFIRMED] (domain-ants.md §3).
    photo_code_length: int = DEFAULT_PHOTO_CODE_LENGTH
    # JDC window "17 révolus à 25 non révolus" (F2825, 2025); older texts say "< 25" or
    # 16-18 for the recensement: keep it configurable (domain-ants.md §1.1).
    national_service_from: int = 17
    national_service_until: int = 25


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str
    source: str = ""  # the text or fiche the rule comes from; empty for a data check

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "source": self.source,
        }


# -- the rules' data, with sources --------------------------------------------------------------

# Minimum age to obtain each category: code de la route R221-5 (domain-ants.md §2): AM 14
# (F2890); A1, B1 16 (F2832, F2833); A2, BE, C1, C1E 18 (F31083, F2845, F31121, F31124); A 20
# (F2830, F31119); C, CE, D1, D1E 21 (F2843, F2846, F31128, F31129); D, DE 24 (F2844, F2848).
# The professional-course exceptions (C/CE at 18, D at 21 with a FIMO…) are not modelled.
LICENCE_MIN_AGE: dict[str, int] = {
    "AM": 14,
    "A1": 16,
    "B1": 16,
    "A2": 18,
    "BE": 18,
    "C1": 18,
    "C1E": 18,
    "A": 20,
    "C": 21,
    "CE": 21,
    "D1": 21,
    "D1E": 21,
    "D": 24,
    "DE": 24,
}

# B: 17 since 1 January 2024, 18 before (décret n° 2023-1214 du 20 décembre 2023, JORF
# 21/12/2023, modifying R221-5; F2825 2025: "17 ans ou plus pour obtenir le permis B").
B_MIN_AGE: DatedRule[int] = DatedRule(
    "b_min_age",
    (
        Dated(18, None, "R221-5 du code de la route avant 2024"),
        Dated(17, dt.date(2024, 1, 1), "Décret n° 2023-1214 du 20 décembre 2023 (R221-5)"),
    ),
)

# Categories open earlier to professional-driver courses (F2843, F2846, F2844, F2848; Sénat
# QE 2021 on R221-5 and code des transports R3314-4/-6; Rhône FAQ for D before 24 with FIMO).
PROFESSIONAL_EXCEPTIONS = frozenset({"C", "CE", "D1", "D1E", "D", "DE"})

# Exam registration for B: from 16, 15 in apprentissage anticipé (F2825 2025: "vous pouvez
# vous inscrire à l'examen à partir de l'âge de 16 ans"; F2826 for the AAC).
B_REGISTRATION_AGE = 16
B_REGISTRATION_AGE_ACCOMPANIED = 15
# Choice (sources silent on registration ages for the other categories): registration opens
# one year before the category's minimum licence age, the same margin as B (16 vs 17).
OTHER_REGISTRATION_MARGIN = 1

# Prerequisites: BE, C1, C, D1, D need B; C1E needs C1; CE needs C; D1E needs D1; DE needs D
# (domain-ants.md §2: F2845, F31121, F31124, F2843, F2846, F31128, F31129, F2844, F2848).
PREREQUISITES: dict[str, str] = {
    "BE": "B",
    "C1": "B",
    "C": "B",
    "D1": "B",
    "D": "B",
    "C1E": "C1",
    "CE": "C",
    "D1E": "D1",
    "DE": "D",
}

# The service-public fiche of each category (domain-ants.md §2, §1.4).
FICHES: dict[str, str] = {
    "AM": "F2890",
    "A1": "F2832",
    "A2": "F31083",
    "A": "F2830, F31119",
    "B1": "F2833",
    "B": "F2825",
    "BE": "F2845",
    "C1": "F31121",
    "C1E": "F31124",
    "C": "F2843",
    "CE": "F2846",
    "D1": "F31128",
    "D1E": "F31129",
    "D": "F2844",
    "DE": "F2848",
}

# A after the A2 -> A training: A2 held for at least 2 years (F31119).
A2_HELD_YEARS = 2

# Lift of code 78: before 1 March 2024, B78 had to be held for 3 months; the arrêté du 15
# février 2024 (JO 18/02/2024) modifying the arrêté du 14 octobre 2016 abolished the wait
# (Tribune des Auto-Écoles; F32927 2020 text still shows the old rule; domain-ants.md §1.3).
B78_WAIT_MONTHS: DatedRule[int] = DatedRule(
    "b78_wait_months",
    (
        Dated(3, None, "Arrêté du 14 octobre 2016 (F32927)"),
        Dated(0, dt.date(2024, 3, 1), "Arrêté du 15 février 2024"),
    ),
)

# Taxe régionale on licences (CGI art. 1599 terdecies; F31845; ANTS mandat page): Corse,
# Martinique, Guyane, La Réunion, Mayotte; not Guadeloupe (domain-ants.md §1.7).
REGIONAL_TAX_TERRITORIES: tuple[tuple[str, str], ...] = (
    ("20", "Corse"),
    ("972", "Martinique"),
    ("973", "Guyane"),
    ("974", "La Réunion"),
    ("976", "Mayotte"),
)

# Nationals who prove normal residence instead of a titre de séjour: EU, EEA, Switzerland,
# Andorra, Monaco (F2825 2025, domain-ants.md §1.1).
EU_EEA_CH = frozenset(
    {
        "AUT",
        "BEL",
        "BGR",
        "HRV",
        "CYP",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "DEU",
        "GRC",
        "HUN",
        "IRL",
        "ITA",
        "LVA",
        "LTU",
        "LUX",
        "MLT",
        "NLD",
        "POL",
        "PRT",
        "ROU",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
        "ISL",
        "LIE",
        "NOR",
        "CHE",
        "AND",
        "MCO",
    }
)


def regional_tax_territory(postal_code: str | None) -> str | None:
    """The territory of a postal code that pays the regional tax, or None."""
    if (
        not postal_code
        or len(postal_code) != 5
        or not postal_code.isascii()
        or not postal_code.isdigit()
    ):
        return None
    for prefix, name in REGIONAL_TAX_TERRITORIES:
        if postal_code.startswith(prefix):
            return name
    return None


_IN_TERRITORY = {"La Réunion": "à La Réunion", "Mayotte": "à Mayotte"}


def in_territory(name: str) -> str:
    """French "en Corse", "à La Réunion"… for messages."""
    return _IN_TERRITORY.get(name, f"en {name}")


def licence_min_age(category: str, on: dt.date) -> Dated[int]:
    if category == "B":
        return B_MIN_AGE.at(on)
    return Dated(
        LICENCE_MIN_AGE[category], None, f"R221-5 du code de la route ; {FICHES[category]}"
    )


def registration_min_age(category: str, on: dt.date, accompanied: bool) -> int:
    if category == "B":
        return B_REGISTRATION_AGE_ACCOMPANIED if accompanied else B_REGISTRATION_AGE
    return licence_min_age(category, on).value - OTHER_REGISTRATION_MARGIN


# -- the situation ----------------------------------------------------------------------------


@dataclass
class Situation:
    facts: Facts
    procedure: Procedure
    on: dt.date
    options: RuleOptions
    age: AgeRange | None
    held: dict[str, HeldCategory]  # held categories as listed, valid on the reference date
    held_all: frozenset[str]  # plus the categories they imply
    requested: tuple[str, ...]
    territory: str | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def of(cls, facts: Facts, on: dt.date, options: RuleOptions) -> Situation:
        applicant = facts.applicant
        birth = applicant.birth_date
        age = AgeRange.of(birth, on) if birth is not None and birth.earliest() <= on else None
        held: dict[str, HeldCategory] = {}
        for entry in applicant.licence.categories:
            if entry.obtained is None or entry.obtained <= on:
                held.setdefault(entry.category, entry)
        expanded = set(held)
        pending = list(held)
        while pending:
            for implied in IMPLIED_CATEGORIES.get(pending.pop(), ()):
                if implied not in expanded:
                    expanded.add(implied)
                    pending.append(implied)
        proc = PROCEDURES[facts.procedure]
        requested = facts.categories
        if proc.is_training and proc.implied_category:
            requested = (proc.implied_category,)
        address = applicant.address
        territory = regional_tax_territory(address.postal_code) if address.in_france else None
        return cls(facts, proc, on, options, age, held, frozenset(expanded), requested, territory)

    @property
    def french(self) -> bool:
        return self.facts.applicant.nationality == "FRA"

    @property
    def foreign(self) -> bool:
        nationality = self.facts.applicant.nationality
        return nationality is not None and nationality != "FRA"

    def younger_than(self, years: int) -> bool:
        """Possibly under `years` (a partial birth date counts its youngest possible age)."""
        return self.age is not None and self.age.youngest < years

    def at_least(self, years: int) -> bool:
        """Possibly aged `years` or more (the oldest possible age)."""
        return self.age is not None and self.age.oldest >= years

    def problem(self, code: str, field_path: str, message: str, source: str = "") -> None:
        self.problems.append(Problem(code, field_path, message, source))

    def warn(self, code: str, field_path: str, message: str, source: str = "") -> None:
        self.warnings.append(Problem(code, field_path, message, source))


def _french_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _cat_list(categories: tuple[str, ...] | list[str]) -> str:
    return ", ".join(categories)


# -- the checks -------------------------------------------------------------------------------


def check_required_facts(s: Situation) -> None:
    """Facts without which the rules cannot decide: a dossier missing them is not eligible
    (choice: the issue's problem codes are kept for real problems, `missing_field` is added)."""
    applicant = s.facts.applicant
    if applicant.birth_date is None:
        s.problem(
            "missing_field",
            "applicant.birth_date",
            "Indiquez la date de naissance : elle décide de l'âge minimum et des pièces.",
        )
    if applicant.nationality is None:
        s.problem(
            "missing_field",
            "applicant.nationality",
            "Indiquez la nationalité : elle décide des pièces de séjour et de la JDC.",
        )
    if applicant.address.in_france and applicant.address.postal_code is None:
        s.problem(
            "missing_field",
            "applicant.address.postal_code",
            "Indiquez le code postal du domicile (taxe régionale, mandat).",
        )
    if not s.procedure.is_training and not s.requested:
        s.problem("missing_field", "categories", "Indiquez la ou les catégories demandées.")


def check_procedure(s: Situation) -> None:
    """wrong_procedure: the procedure does not fit the applicant's licence."""
    proc = s.procedure
    held = sorted(s.held, key=list(CATEGORIES).index)
    if proc.is_first and held:
        # "*_first" is for a first licence (seed/; F2825 / F2828 primo-accédant).
        s.problem(
            "wrong_procedure",
            "procedure",
            f"Le demandeur a déjà le permis ({_cat_list(held)}) : choisissez la démarche "
            "« extension de catégorie ».",
            "Dépliant ministériel des démarches en ligne ; F2825, F20028",
        )
    if proc.is_extension and not held:
        # Choice (the converse of the rule above): an extension needs a licence held.
        s.problem(
            "wrong_procedure",
            "procedure",
            "Aucune catégorie détenue n'est indiquée : pour un premier permis, choisissez "
            "la démarche « primo-accédant », sinon renseignez le permis actuel.",
        )
    if not proc.is_training:
        if "AM" in s.requested:
            # AM is obtained after a training, with no exam (F2890): choice to redirect.
            s.problem(
                "wrong_procedure",
                "categories",
                "La catégorie AM s'obtient après une formation, sans examen : utilisez la "
                "démarche « titre à la suite d'une formation AM ».",
                "F2890",
            )
        if proc.id != "licence_after_exam_return":
            already = [c for c in s.requested if c in s.held_all]
            if already:
                # Choice: a category already held is not requested again (F20028: extension
                # is for a new category).
                s.problem(
                    "wrong_procedure",
                    "categories",
                    f"Le demandeur détient déjà la catégorie {_cat_list(already)} : "
                    "retirez-la de la demande.",
                    "F20028",
                )
        return
    # Training procedures: the category is implied (seed/: "formation AM, A, B96, levée 78").
    wanted = proc.implied_category
    others = [c for c in s.facts.categories if c != wanted]
    if others:
        s.problem(
            "wrong_procedure",
            "categories",
            f"La démarche « {proc.label} » porte sur la catégorie {wanted} : retirez "
            f"{_cat_list(others)} ou choisissez une autre démarche.",
        )
    kind = s.facts.training.kind
    if kind is not None and kind != proc.training_kind:
        s.problem(
            "invalid_field",
            "training.kind",
            "La formation indiquée ne correspond pas à la démarche choisie.",
        )
    if (
        proc.id in ("licence_after_training_am", "licence_after_training_a")
        and wanted in s.held_all
    ):
        s.problem(
            "wrong_procedure",
            "procedure",
            f"Le demandeur détient déjà la catégorie {wanted} : cette demande est inutile.",
        )
    if proc.id == "licence_after_training_b96":
        b = s.held.get("B")
        if b is not None and "96" in b.restrictions:
            s.problem(
                "wrong_procedure",
                "procedure",
                "Le permis porte déjà la mention 96 : cette demande est inutile.",
                "F32927",
            )


def check_ages(s: Situation) -> None:
    """too_young, on the youngest possible age (a partial birth date never lets a too young
    applicant through)."""
    if s.age is None:
        return
    birth = s.facts.applicant.birth_date
    assert birth is not None
    accompanied = s.facts.training_mode == "accompanied"
    for category in s.requested:
        if s.procedure.is_registration:
            if category == "AM":
                continue  # wrong_procedure already says it
            minimum = registration_min_age(category, s.on, accompanied)
            what = "l'inscription à l'examen"
            source = (
                "F2825 (2025), F2826"
                if category == "B"
                else "Choix : inscription un an avant l'âge du titre (R221-5)"
            )
        else:
            rule = licence_min_age(category, s.on)
            minimum, source = rule.value, rule.source
            what = "obtenir le titre"
        if s.age.youngest < minimum:
            ready = add_years(birth.latest(), minimum)
            # The professional-course exceptions are not modelled: say so (domain-ants.md §2).
            exception = (
                " (sauf parcours professionnel : CAP, bac pro, titre professionnel, FIMO)"
                if category in PROFESSIONAL_EXCEPTIONS
                else ""
            )
            s.problem(
                "too_young",
                "applicant.birth_date",
                f"Trop jeune pour la catégorie {category} : {minimum} ans minimum pour "
                f"{what}{exception}, possible à partir du {_french_date(ready)}.",
                source,
            )


def check_prerequisites(s: Situation) -> None:
    """missing_prerequisite and prerequisite_too_recent."""
    proc = s.procedure
    if not proc.is_training:
        for category in s.requested:
            needed = PREREQUISITES.get(category)
            if needed and needed not in s.held_all:
                s.problem(
                    "missing_prerequisite",
                    "applicant.licence.categories",
                    f"La catégorie {category} demande d'avoir déjà le permis {needed} : "
                    "renseignez le permis actuel ou demandez d'abord le permis "
                    f"{needed}.",
                    FICHES[category],
                )
        return
    if proc.id == "licence_after_training_a":
        a2 = s.held.get("A2")
        if "A2" not in s.held_all:
            s.problem(
                "missing_prerequisite",
                "applicant.licence.categories",
                "La formation vers A demande le permis A2 : renseignez-le dans le permis actuel.",
                "F31119",
            )
        elif a2 is not None:
            _check_held_since(
                s,
                a2,
                add_years,
                A2_HELD_YEARS,
                "Le permis A2 doit être détenu depuis 2 ans",
                "F31119",
            )
    elif proc.id == "licence_after_training_b96":
        if "B" not in s.held_all:
            s.problem(
                "missing_prerequisite",
                "applicant.licence.categories",
                "La formation B96 demande le permis B : renseignez-le dans le permis actuel.",
                "F32927",
            )
    elif proc.id == "licence_after_training_78":
        b = s.held.get("B")
        if b is None or "78" not in b.restrictions:
            s.problem(
                "missing_prerequisite",
                "applicant.licence.categories",
                "La levée du code 78 demande un permis B portant la mention 78 (boîte "
                "automatique) : renseignez-la dans le permis actuel.",
                "Arrêté du 15 février 2024 ; F32927",
            )
        else:
            wait_rule = B78_WAIT_MONTHS.at(s.on)
            wait = wait_rule.value
            if wait:
                _check_held_since(
                    s,
                    b,
                    add_months,
                    wait,
                    f"Avant le 1er mars 2024, le permis B78 devait être détenu depuis {wait} mois",
                    wait_rule.source,
                )


def _check_held_since(
    s: Situation,
    entry: HeldCategory,
    step: Callable[[dt.date, int], dt.date],
    amount: int,
    rule: str,
    source: str,
) -> None:
    index = s.facts.applicant.licence.categories.index(entry)
    where = f"applicant.licence.categories[{index}].obtained"
    if entry.obtained is None:
        s.problem(
            "missing_field",
            where,
            f"Indiquez la date d'obtention du permis {entry.category} : {rule.lower()}.",
            source,
        )
        return
    ready: dt.date = step(entry.obtained, amount)
    if s.on < ready:
        s.problem(
            "prerequisite_too_recent",
            where,
            f"{rule} : possible à partir du {_french_date(ready)}.",
            source,
        )


def check_mandate(s: Situation) -> None:
    """mandate_not_allowed: no mandat papier for an applicant in a regional-tax territory
    (ANTS mandat page: "DOM hors Guadeloupe, Corse"; domain-ants.md §0, §1.7)."""
    if s.facts.mandate and s.territory:
        s.problem(
            "mandate_not_allowed",
            "mandate",
            f"Le mandat papier n'est pas possible pour un domicile {in_territory(s.territory)} "
            "(taxe régionale) : le demandeur devra valider la demande en ligne.",
            "Aide ANTS, mandat papier ; CGI art. 1599 terdecies",
        )
