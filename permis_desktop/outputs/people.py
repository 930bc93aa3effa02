"""How the printed documents name people, places and procedures (French conventions)."""

from __future__ import annotations

from permis_desktop.procedures.catalog import CATEGORIES
from permis_desktop.procedures.facts import Address, Applicant, Person, Place

# French names of the countries a desk meets most; any other ISO alpha-3 code is shown as is
# (the rules engine checks the format only, the full list is not shipped).
COUNTRY_NAMES = {
    "FRA": "France",
    "DEU": "Allemagne",
    "BEL": "Belgique",
    "CHE": "Suisse",
    "LUX": "Luxembourg",
    "ITA": "Italie",
    "ESP": "Espagne",
    "PRT": "Portugal",
    "GBR": "Royaume-Uni",
    "NLD": "Pays-Bas",
    "POL": "Pologne",
    "ROU": "Roumanie",
    "AND": "Andorre",
    "MCO": "Monaco",
    "MAR": "Maroc",
    "DZA": "Algérie",
    "TUN": "Tunisie",
    "SEN": "Sénégal",
    "MLI": "Mali",
    "CIV": "Côte d'Ivoire",
    "CMR": "Cameroun",
    "TUR": "Turquie",
    "USA": "États-Unis",
    "CAN": "Canada",
    "BRA": "Brésil",
    "CHN": "Chine",
    "VNM": "Viêt Nam",
    "UKR": "Ukraine",
    "RUS": "Russie",
    "HTI": "Haïti",
    "COM": "Comores",
    "MDG": "Madagascar",
}


def country(code: str | None) -> str:
    if not code:
        return ""
    return COUNTRY_NAMES.get(code.upper(), code.upper())


def full_name(person: Applicant | Person | None) -> str:
    """SURNAME Given names, with "née SURNAME" when a usage name differs from the birth name."""
    if person is None:
        return ""
    surname = (person.usage_name or person.birth_name or "").upper()
    given = " ".join(person.given_names)
    name = " ".join(p for p in (surname, given) if p)
    if person.usage_name and person.birth_name and person.usage_name != person.birth_name:
        born = "née" if person.sex == "F" else "né" if person.sex == "M" else "né(e)"
        name += f" ({born} {person.birth_name.upper()})"
    return name or "(nom non renseigné)"


def born_word(person: Applicant | Person | None) -> str:
    sex = person.sex if person is not None else None
    return "née" if sex == "F" else "né" if sex == "M" else "né(e)"


def undersigned(person: Applicant | Person | None) -> str:
    sex = person.sex if person is not None else None
    return "soussignée" if sex == "F" else "soussigné" if sex == "M" else "soussigné(e)"


def birth_text(person: Applicant | Person | None, place: Place | None = None) -> str:
    """ "née le 14/05/1996 à Lyon (France)", or "" when unknown."""
    if person is None or person.birth_date is None:
        return ""
    text = f"{born_word(person)} le {person.birth_date.french()}"
    if place is not None and (place.commune or place.country):
        where = place.commune or ""
        if place.country and place.country != "FRA":
            where = f"{where} ({country(place.country)})" if where else country(place.country)
        if where:
            text += f" à {where}"
    return text


def address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    lines = [line for line in (address.line1, address.line2) if line]
    town = " ".join(p for p in (address.postal_code, address.city) if p)
    if town:
        lines.append(town)
    if address.country and address.country != "FRA":
        lines.append(country(address.country))
    return lines


def address_text(address: Address | None) -> str:
    return ", ".join(address_lines(address))


def categories_text(categories: tuple[str, ...] | list[str]) -> str:
    return ", ".join(categories)


def category_labels(categories: tuple[str, ...] | list[str]) -> str:
    return "; ".join(CATEGORIES[c].label if c in CATEGORIES else c for c in categories)
