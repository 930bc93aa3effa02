"""Validators for the identifiers typed at the desk or read from documents.

Each validator takes the raw text and returns a `Validation`: `ok`, the `normalized` value to
store, a `level` ("error" blocks the dossier, "warning" only informs) and a short French
`message` the wizard can show next to the field while the user types. Formats and their
sources are in reference/domain-ants.md §3; where the format is [UNCONFIRMED] the check is
deliberately loose and the message is a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from permis_desktop.procedures.dates import PartialDate

Level = Literal["error", "warning"]

DEFAULT_PHOTO_CODE_LENGTH = 22

_ICAO_WEIGHTS = (7, 3, 1)


def _icao_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"character {char!r} is not allowed in a machine-readable zone")


def icao_check_digit(text: str) -> int:
    """ICAO Doc 9303 part 3 §4.9: weights 7-3-1 repeated, letters A=10…Z=35, filler '<' = 0."""
    return sum(_icao_value(c) * _ICAO_WEIGHTS[i % 3] for i, c in enumerate(text)) % 10


@dataclass(frozen=True)
class Validation:
    ok: bool
    normalized: str | None = None
    level: Level | None = None
    message: str = ""

    @classmethod
    def valid(cls, normalized: str, warning: str = "") -> Validation:
        return cls(True, normalized, "warning" if warning else None, warning)

    @classmethod
    def error(cls, message: str) -> Validation:
        return cls(False, None, "error", message)


_SEPARATORS = re.compile(r"[\s.\-_/()]+")


# -- NEPH -------------------------------------------------------------------------------------


def validate_neph(text: str) -> Validation:
    """NEPH: 12 digits, no public checksum; the internal structure is [UNCONFIRMED]
    (domain-ants.md §3, cron.auto-ecole.net; ANTS 2D-Doc specimen `121201200001`)."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits:
        return Validation.error("Numéro NEPH vide.")
    if not digits.isdigit() or not digits.isascii():
        return Validation.error("Le numéro NEPH ne contient que des chiffres (12 chiffres).")
    if len(digits) != 12:
        return Validation.error(
            f"Le numéro NEPH compte 12 chiffres (ici {len(digits)}) : vérifiez l'attestation "
            "d'inscription."
        )
    return Validation.valid(digits)


# -- e-photo code -----------------------------------------------------------------------------


def validate_photo_code(text: str, expected_length: int = DEFAULT_PHOTO_CODE_LENGTH) -> Validation:
    """Code photo-signature: letters and digits once spaces and dashes are removed. 22
    characters is the likely length (commentcamarche 2024; one page says 21): another length
    is only a warning, and the length is a setting (`rules.photo_code_length`), because the
    format is [UNCONFIRMED] (domain-ants.md §3, §9)."""
    code = re.sub(r"[\s\-]", "", text).upper()
    if not code:
        return Validation.error("Code photo-signature vide.")
    if not (code.isascii() and code.isalnum()):
        return Validation.error(
            "Le code photo-signature ne contient que des lettres et des chiffres : recopiez-le "
            "depuis la planche photo."
        )
    if len(code) != expected_length:
        return Validation.valid(
            code,
            f"Le code photo-signature compte d'habitude {expected_length} caractères (ici "
            f"{len(code)}) : vérifiez-le sur la planche photo.",
        )
    return Validation.valid(code)


# -- French mobile ----------------------------------------------------------------------------

# Overseas mobile blocks inside 06 and their E.164 country codes (choice: the ARCEP plan puts
# them in 06, domain-ants.md §3; their international prefixes are not French +33 but the
# territory's own: Guadeloupe/Saint-Martin/Saint-Barthélemy +590, Guyane +594, Martinique
# +596, La Réunion and Mayotte +262).
_OVERSEAS_MOBILE = {
    "690": "590",
    "691": "590",
    "694": "594",
    "696": "596",
    "697": "596",
    "692": "262",
    "693": "262",
    "639": "262",
}
_OVERSEAS_CODES = frozenset(_OVERSEAS_MOBILE.values())
# ARCEP décision 2018-0881 modified by 2022-1583: mobiles are 06 and 073 to 079 (+ 8 digits);
# 0700 is for 14-digit machine-to-machine numbers (domain-ants.md §3).
_MOBILE = re.compile(r"^(6\d{8}|7[3-9]\d{7})$", re.ASCII)


def validate_mobile(text: str) -> Validation:
    """A French mobile number (06, 073-079, +33 forms and overseas +262/+590/+594/+596),
    normalised to E.164 (`+33612345678`)."""
    raw = text.strip()
    if not raw:
        return Validation.error("Numéro de portable vide.")
    compact = _SEPARATORS.sub("", raw.replace("(0)", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    country = "33"
    if compact.startswith("+"):
        digits = compact[1:]
        for code in ("33", *sorted(_OVERSEAS_CODES)):
            if digits.startswith(code):
                country, national = code, digits[len(code) :]
                break
        else:
            return Validation.error(
                "Seuls les numéros de portable français sont acceptés (06, 07 ou +33…)."
            )
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        return Validation.error(
            "Numéro de portable incomplet : 10 chiffres commençant par 06 ou 07."
        )
    if not national.isdigit() or not national.isascii():
        return Validation.error("Le numéro de portable ne contient que des chiffres.")
    if compact.startswith("+") and national.startswith("0"):
        national = national[1:]  # "+33 (0)6…" written without the parentheses
    if not _MOBILE.match(national):
        if national.startswith("700"):
            return Validation.error(
                "Les numéros en 07 00 sont réservés aux machines : indiquez un portable."
            )
        if len(national) == 9 and national[0] in "123459":
            return Validation.error(
                "Ce numéro est un fixe : ANTS envoie ses SMS sur un portable (06 ou 07)."
            )
        return Validation.error(
            "Numéro de portable invalide : 10 chiffres commençant par 06 ou 07."
        )
    overseas = _OVERSEAS_MOBILE.get(national[:3])
    if country != "33" and overseas != country:
        return Validation.error(
            f"Ce numéro ne correspond pas à l'indicatif +{country} : vérifiez-le."
        )
    return Validation.valid(f"+{overseas or '33'}{national}")


# -- e-mail -----------------------------------------------------------------------------------


def validate_email(text: str) -> Validation:
    """Syntax only (no DNS: the desk may be offline), by the email-validator library."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email as _validate

    raw = text.strip()
    if not raw:
        return Validation.error("Adresse électronique vide.")
    try:
        result = _validate(raw, check_deliverability=False)
    except EmailNotValidError:
        return Validation.error(
            "Adresse électronique invalide : elle doit ressembler à nom@exemple.fr."
        )
    return Validation.valid(result.normalized)


# -- INSEE commune code and postal code -------------------------------------------------------

# INSEE COG commune code: département (2 characters, 2A/2B for Corsica since 1976) + 3 digits;
# overseas départements and collectivities use 97x/98x + 2 digits; 99xxx codes a foreign
# country of birth (domain-ants.md §3, IGN GEOFLA / INSEE COG).
_INSEE = re.compile(
    r"^(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2A|2B)\d{3}$|^97[1-8]\d{2}$|^98[4-9]\d{2}$", re.ASCII
)
_INSEE_ABROAD = re.compile(r"^99\d{3}$", re.ASCII)


def insee_department(code: str) -> str:
    """The département part of a valid INSEE commune code: `75`, `2A`, `974`."""
    return code[:3] if code.startswith(("97", "98")) else code[:2]


def validate_insee(text: str, allow_abroad: bool = False) -> Validation:
    """INSEE commune code (COG), Corsica-aware. `allow_abroad` accepts the 99xxx country codes
    used for a birth place outside France."""
    code = text.strip().upper()
    if not code:
        return Validation.error("Code INSEE vide.")
    if _INSEE.match(code):
        return Validation.valid(code)
    if allow_abroad and _INSEE_ABROAD.match(code):
        return Validation.valid(code)
    if re.match(r"^20\d{3}$", code, re.ASCII):
        return Validation.error(
            "En Corse, le code INSEE commence par 2A (Corse-du-Sud) ou 2B (Haute-Corse), "
            "pas par 20."
        )
    return Validation.error(
        "Code INSEE invalide : 5 caractères, le numéro du département puis 3 chiffres "
        "(par exemple 75056)."
    )


_POSTAL = re.compile(r"^\d{5}$", re.ASCII)


def postal_department(code: str) -> str:
    """The département a postal code points to: `75`, `20` (Corsica, both 2A and 2B), `974`."""
    return code[:3] if code.startswith(("97", "98")) else code[:2]


def _postal_matches_insee(postal: str, insee: str) -> bool:
    department = insee_department(insee)
    if department in ("2A", "2B"):
        return postal.startswith("20")
    if department in ("977", "978"):
        # Saint-Barthélemy and Saint-Martin keep the Guadeloupe postal codes 97133 / 97150.
        return postal.startswith("971")
    return postal_department(postal) == department


def validate_postal_code(text: str, insee: str | None = None) -> Validation:
    """French postal code: 5 digits. With the commune's INSEE code, the départements must
    agree (Corsica: postal 20xxx for INSEE 2A/2B); a mismatch is only a warning because a few
    communes are served by a post office of a neighbouring département (choice: the La Poste
    base is not shipped; domain-ants.md §3 marks postal codes [UNCONFIRMED here])."""
    code = re.sub(r"\s", "", text)
    if not code:
        return Validation.error("Code postal vide.")
    if not _POSTAL.match(code) or not code.isascii():
        return Validation.error("Le code postal compte 5 chiffres (par exemple 75011).")
    if code.startswith("00") or code.startswith("96") or code.startswith("99"):
        return Validation.error(f"Le code postal {code} n'existe pas : vérifiez-le.")
    if insee:
        checked = validate_insee(insee)
        if (
            checked.ok
            and checked.normalized
            and not _postal_matches_insee(code, checked.normalized)
        ):
            return Validation.valid(
                code,
                f"Le code postal {code} ne correspond pas au département du code INSEE "
                f"{checked.normalized} : vérifiez la commune.",
            )
    return Validation.valid(code)


# -- country codes, birth dates, licence numbers ----------------------------------------------

_ALPHA3 = re.compile(r"^[A-Z]{3}$", re.ASCII)


def validate_country(text: str) -> Validation:
    """ISO 3166-1 alpha-3 code (FRA, DEU…): the format only, the list is not shipped."""
    code = text.strip().upper()
    if not _ALPHA3.match(code):
        return Validation.error("Code pays à 3 lettres attendu (par exemple FRA, ESP, MAR).")
    return Validation.valid(code)


def validate_birth_date(text: str, today: dt.date | None = None) -> Validation:
    """`YYYY-MM-DD`, or partial `YYYY-MM-00` / `YYYY-00-00` (accepted with a warning: some
    code-exam operators refuse "00/00/19XX", ANTS help page, domain-ants.md §0)."""
    raw = text.strip()
    try:
        birth = PartialDate.parse(raw)
    except ValueError:
        return Validation.error(
            "Date de naissance invalide : format AAAA-MM-JJ (mois et jour à 00 s'ils sont "
            "inconnus)."
        )
    today = today or dt.date.today()
    if birth.earliest() > today:
        return Validation.error("La date de naissance est dans le futur.")
    if birth.year < 1900:
        return Validation.error("Année de naissance trop ancienne : vérifiez la date.")
    if birth.is_partial:
        return Validation.valid(
            birth.iso(),
            f"Date de naissance incomplète ({birth.french()}) : acceptée par l'ANTS, mais "
            "certains centres d'examen du code la refusent.",
        )
    return Validation.valid(birth.iso())


def validate_licence_number(text: str) -> Validation:
    """Licence number (field 5 of the card): sources disagree on 12 or 13 digits, so accept
    letters and digits up to 15 characters ([UNCONFIRMED], domain-ants.md §3)."""
    code = re.sub(r"[\s\-]", "", text).upper()
    if not code:
        return Validation.error("Numéro de permis vide.")
    if not (code.isascii() and code.isalnum()) or len(code) > 15:
        return Validation.error(
            "Numéro de permis invalide : lettres et chiffres, 15 caractères au plus."
        )
    return Validation.valid(code)
