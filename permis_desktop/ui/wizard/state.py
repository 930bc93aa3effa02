"""The editor's facts in memory, without Qt: read and write by dotted path, French dates.

The wizard pages are thin views: each widget is bound to a dotted path of the facts
document (`applicant.address.city`) and this module does the reading and writing, so that
the binding is tested headless. The document edited is always complete (merged over
`facts.skeleton`), so every path exists; the legal representative and the host are created
the first time one of their fields is typed.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from permis_desktop.procedures.dates import PartialDate
from permis_desktop.procedures.facts import skeleton, skeleton_person

_PERSONS = {"legal_representative": True, "host": False}


def _merge(base: Any, stored: Any) -> Any:
    if isinstance(base, dict) and isinstance(stored, dict):
        out = dict(base)
        for key, value in stored.items():
            out[key] = _merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(stored)


def editable_facts(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored facts completed with every blank field the wizard fills."""
    base = skeleton(str(stored["procedure"]))
    facts: dict[str, Any] = _merge(base, stored)
    for person, representative in _PERSONS.items():
        if isinstance(facts.get(person), dict):
            facts[person] = _merge(skeleton_person(representative), facts[person])
    return facts


def get_path(facts: dict[str, Any], path: str) -> Any:
    node: Any = facts
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def set_path(facts: dict[str, Any], path: str, value: Any) -> bool:
    """Write `value` at `path`; returns False when the value was already there."""
    parts = path.split(".")
    head = parts[0]
    if head in _PERSONS and not isinstance(facts.get(head), dict):
        facts[head] = skeleton_person(_PERSONS[head])
    node = facts
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    if node.get(parts[-1]) == value:
        return False
    node[parts[-1]] = value
    return True


# -- French dates ----------------------------------------------------------------------------

_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")


class DateInput:
    """The result of reading a typed date: `iso` when valid, else an `error` in French."""

    __slots__ = ("error", "iso")

    def __init__(self, iso: str | None, error: str = "") -> None:
        self.iso = iso
        self.error = error


def parse_french_date(text: str, partial: bool = False, latest: dt.date | None = None) -> DateInput:
    """JJ/MM/AAAA (also JJMMAAAA, or with dots, dashes or spaces). With `partial`, 00 stands
    for an unknown day or month (a partial birth date, accepted by ANTS). With `latest`, a
    later date is an error (a photo, a signature or a training cannot be in the future)."""
    if not text.strip():
        return DateInput(None)
    match = _FRENCH_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return DateInput(None, "Date à écrire JJ/MM/AAAA, par exemple 14/05/2007.")
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    if partial:
        try:
            PartialDate.parse(iso)
        except ValueError:
            if month == 0 and day != 0:
                return DateInput(None, "Mois inconnu : mettez aussi le jour à 00 (00/00/AAAA).")
            return DateInput(None, "Cette date n'existe pas : vérifiez le jour et le mois.")
        return DateInput(iso)
    if day == 0 or month == 0:
        return DateInput(None, "Indiquez le jour et le mois (la date doit être complète).")
    try:
        day_typed = dt.date(year, month, day)
    except ValueError:
        return DateInput(None, "Cette date n'existe pas : vérifiez le jour et le mois.")
    if latest is not None and day_typed > latest:
        return DateInput(None, "Cette date est dans le futur : vérifiez-la.")
    return DateInput(iso)


def iso_to_french(iso: str | None) -> str:
    """`2007-05-14` → `14/05/2007`; also partial dates (`1990-00-00` → `00/00/1990`)."""
    if not iso:
        return ""
    parts = str(iso).split("-")
    if len(parts) != 3:
        return str(iso)
    return f"{parts[2]}/{parts[1]}/{parts[0]}"


def field_of(problem_field: str, known: set[str] | frozenset[str]) -> str | None:
    """The bound path a rules-engine problem belongs to: itself, or its longest bound
    prefix (`applicant.licence.categories[0].obtained` → `applicant.licence.categories`)."""
    candidate = problem_field
    while candidate:
        if candidate in known:
            return candidate
        cut = max(candidate.rfind("."), candidate.rfind("["))
        if cut <= 0:
            return None
        candidate = candidate[:cut]
    return None
