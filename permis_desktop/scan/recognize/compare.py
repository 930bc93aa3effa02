"""Compare what a document says (MRZ, 2D-Doc) with what the desk typed, field by field.

The wizard shows these rows side by side, fills the empty typed fields in one click, and
warns on mismatches. Typed values come in the facts-document form (DESIGN.md): a person's
`birth_name`, `usage_name`, `given_names`, `birth_date` (ISO, possibly partial), `sex`,
`nationality` (ISO alpha-3) and an `address` with `line1`, `line2`, `postal_code`, `city`.

Names are compared the way an MRZ writes them: no accents, no case, hyphens and apostrophes
as spaces (ICAO 9303-3 §6 transliteration), so "Maëlys-Anne" matches "MAELYS ANNE".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from permis_desktop.scan.recognize.mrz_parse import MrzResult
from permis_desktop.scan.recognize.twoddoc import TwoDDocResult
from permis_desktop.textfold import fold

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


class FieldComparison(NamedTuple):
    """One row of the "read vs typed" dialog. `match` is False when `typed` is empty."""

    field: str  # facts-document key (e.g. "birth_name", "address.postal_code")
    read: str | None
    typed: str | None
    match: bool


def normalize(text: str | None) -> str:
    """Accents, case and punctuation out; used for names, streets and cities."""
    if not text:
        return ""
    return _NON_ALNUM.sub(" ", fold(text).replace("œ", "oe").replace("æ", "ae")).strip()


def _row(
    field: str, read: str | None, typed: str | None, same: bool | None = None
) -> FieldComparison:
    typed = typed or None
    if same is None:
        same = bool(read) and bool(typed) and normalize(read) == normalize(typed)
    return FieldComparison(field, read or None, typed, bool(same and typed))


def _names(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if v) or None
    return str(value) if value else None


def compare_mrz(result: MrzResult, person: Mapping[str, Any]) -> list[FieldComparison]:
    """Rows for surname, given names, birth date, sex, nationality, document number, expiry.

    The MRZ surname matches either the typed birth name or usage name. The MRZ may truncate
    long given names (the 1988 card keeps 14 characters): a typed value that starts with the
    read one still matches when the read line was full.
    """
    rows: list[FieldComparison] = []
    typed_birth = person.get("birth_name") or None
    typed_usage = person.get("usage_name") or None
    read_surname = normalize(result.surname)
    if (
        typed_usage
        and normalize(typed_usage) == read_surname
        and normalize(typed_birth) != read_surname
    ):
        rows.append(_row("usage_name", result.surname, typed_usage))
    else:
        rows.append(_row("birth_name", result.surname, typed_birth))
    read_given = " ".join(result.given_names)
    typed_given = _names(person.get("given_names"))
    same_given = None
    if read_given and typed_given:
        a, b = normalize(read_given), normalize(typed_given)
        truncated = result.format == "FR_ID_1988" and len(a.replace(" ", "")) >= 12
        same_given = a == b or (truncated and b.startswith(a))
    rows.append(_row("given_names", read_given, typed_given, same_given))
    typed_birth_date = person.get("birth_date") or None
    rows.append(
        _row(
            "birth_date",
            result.birth_date,
            typed_birth_date,
            bool(result.birth_date) and result.birth_date == typed_birth_date,
        )
    )
    rows.append(_row("sex", result.sex if result.sex in ("F", "M") else None, person.get("sex")))
    rows.append(_row("nationality", result.nationality, person.get("nationality")))
    return rows


def compare_identity_piece(result: MrzResult, piece: Mapping[str, Any]) -> list[FieldComparison]:
    """Rows for the piece itself: document number and expiry date (`number`, `expires`)."""
    return [
        _row("number", result.document_number, piece.get("number")),
        _row(
            "expires",
            result.expiry_date,
            piece.get("expires"),
            bool(result.expiry_date) and result.expiry_date == piece.get("expires"),
        ),
    ]


def compare_2ddoc(
    result: TwoDDocResult, person: Mapping[str, Any], address: Mapping[str, Any] | None = None
) -> list[FieldComparison]:
    """Rows for the holder and the address of a proof of address.

    The holder matches when the typed birth or usage name and the first given name all
    appear among the words of the 2D-Doc's holder line (its order and title vary).
    """
    address = address if address is not None else (person.get("address") or {})
    words = set(normalize(result.holder).split())
    typed_names = [person.get("usage_name"), person.get("birth_name")]
    given = person.get("given_names") or []
    first_given = given[0] if isinstance(given, list | tuple) and given else _names(given)
    typed_holder = " ".join(x for x in (typed_names[0] or typed_names[1], first_given) if x) or None
    surname_ok = any(n and set(normalize(n).split()) <= words for n in typed_names)
    given_ok = not first_given or set(normalize(str(first_given)).split()) <= words
    rows = [_row("holder", result.holder, typed_holder, bool(words) and surname_ok and given_ok)]
    read_line = " ".join(result.address_lines) or None
    typed_line = " ".join(x for x in (address.get("line1"), address.get("line2")) if x) or None
    same_line = None
    if read_line and typed_line:
        read_n, typed_n = normalize(read_line), normalize(typed_line)
        same_line = read_n == typed_n or any(
            normalize(line) == normalize(address.get("line1")) for line in result.address_lines
        )
        same_line = same_line or read_n in typed_n or typed_n in read_n
    rows.append(_row("address.line1", read_line, typed_line, same_line))
    rows.append(_row("address.postal_code", result.postal_code, address.get("postal_code")))
    rows.append(_row("address.city", result.city, address.get("city")))
    return rows
