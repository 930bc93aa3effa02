"""The facts document: parse and check the JSON a dossier is described by (DESIGN.md).

The same document is typed by the wizard, given to `permis checklist` and `permis dossier
new`, stored by the services and produced by `permis dossier show --json`. Parsing is strict
about structure (an unknown field anywhere is an error naming its path, so a misspelt
`adress` is never silently ignored; dates are ISO `YYYY-MM-DD`) and lenient about content:
identifiers that fail their format (NEPH, mobile, e-photo code…) are not parse errors but
`invalid_field` problems of the checklist, so a half-typed dossier can still be evaluated.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from permis_desktop.errors import BadInput
from permis_desktop.procedures.catalog import (
    CATEGORIES,
    PIECE_KINDS,
    PROCEDURES,
    TRAINING_KINDS,
    TRAINING_MODES,
)
from permis_desktop.procedures.dates import PartialDate, parse_iso_date


class FactsError(BadInput):
    """The facts document is malformed; `field` is the dotted path of the culprit."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


SEXES = ("F", "M")


@dataclass(frozen=True)
class Place:
    commune: str | None = None
    insee: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None  # ISO alpha-3; absent means France

    @property
    def in_france(self) -> bool:
        return self.country in (None, "FRA")


@dataclass(frozen=True)
class HeldCategory:
    category: str
    obtained: dt.date | None = None
    restrictions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Licence:
    number: str | None = None
    categories: tuple[HeldCategory, ...] = ()


@dataclass(frozen=True)
class Medical:
    condition: bool = False
    adapted_vehicle: bool = False
    invalidity_pension: bool = False

    @property
    def any(self) -> bool:
        return self.condition or self.adapted_vehicle or self.invalidity_pension


@dataclass(frozen=True)
class Applicant:
    sex: str | None = None
    birth_name: str | None = None
    usage_name: str | None = None
    given_names: tuple[str, ...] = ()
    birth_date: PartialDate | None = None
    birth_place: Place = field(default_factory=Place)
    nationality: str | None = None
    address: Address = field(default_factory=Address)
    email: str | None = None
    mobile: str | None = None
    neph: str | None = None
    under_guardianship: bool = False
    hosted: bool = False
    licence: Licence = field(default_factory=Licence)
    medical: Medical = field(default_factory=Medical)


@dataclass(frozen=True)
class Person:
    """The legal representative or the host: identity and contact."""

    sex: str | None = None
    birth_name: str | None = None
    usage_name: str | None = None
    given_names: tuple[str, ...] = ()
    birth_date: PartialDate | None = None
    email: str | None = None
    mobile: str | None = None
    quality: str | None = None  # legal representative only: mère, père, tuteur…
    address: Address | None = None  # legal representative only, when not the applicant's


@dataclass(frozen=True)
class PhotoSignature:
    code: str | None = None
    taken: dt.date | None = None


@dataclass(frozen=True)
class Training:
    kind: str | None = None
    completed: dt.date | None = None


@dataclass(frozen=True)
class ProvidedPiece:
    kind: str
    document_type: str | None = None
    issued: dt.date | None = None
    expires: dt.date | None = None


@dataclass(frozen=True)
class Facts:
    procedure: str
    categories: tuple[str, ...] = ()
    training_mode: str | None = None
    mandate: bool = False
    reference_date: dt.date | None = None
    applicant: Applicant = field(default_factory=Applicant)
    legal_representative: Person | None = None
    host: Person | None = None
    photo_signature: PhotoSignature = field(default_factory=PhotoSignature)
    training: Training = field(default_factory=Training)
    pieces: tuple[ProvidedPiece, ...] = ()


# -- field lists ------------------------------------------------------------------------------

_TOP = (
    "procedure",
    "categories",
    "training_mode",
    "mandate",
    "reference_date",
    "applicant",
    "legal_representative",
    "host",
    "photo_signature",
    "training",
    "pieces",
)
# Added by `permis dossier show --json` around the facts; accepted and ignored so that its
# output can be fed back to `permis checklist`.
_ENVELOPE = ("id", "status", "version", "history")
_PIECE_ENVELOPE = ("status", "pages")
_APPLICANT = (
    "sex",
    "birth_name",
    "usage_name",
    "given_names",
    "birth_date",
    "birth_place",
    "nationality",
    "address",
    "email",
    "mobile",
    "neph",
    "under_guardianship",
    "hosted",
    "licence",
    "medical",
)
_PLACE = ("commune", "insee", "country")
_ADDRESS = ("line1", "line2", "postal_code", "city", "country")
_LICENCE = ("number", "categories")
_HELD = ("category", "obtained", "restrictions")
_MEDICAL = ("condition", "adapted_vehicle", "invalidity_pension")
_PERSON = ("sex", "birth_name", "usage_name", "given_names", "birth_date", "email", "mobile")
_REPRESENTATIVE = (*_PERSON, "quality", "address")
_PHOTO = ("code", "taken")
_TRAINING = ("kind", "completed")
_PIECE = ("kind", "document_type", "issued", "expires")


# -- parsing helpers --------------------------------------------------------------------------


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _object(
    value: Any, path: str, allowed: tuple[str, ...], ignored: tuple[str, ...] = ()
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        where = path or "le document de faits"
        raise FactsError(f"{where} doit être un objet JSON ({{…}}).", path)
    for key in value:
        if key in allowed or key in ignored:
            continue
        full = _join(path, str(key))
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
        raise FactsError(
            f"Champ inconnu : {full}.{hint} Champs possibles ici : {', '.join(allowed)}.", full
        )
    return value


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(data: Mapping[str, Any], name: str, path: str) -> str | None:
    value = data.get(name)
    if _absent(value):
        return None
    if not isinstance(value, str):
        raise FactsError(f"{_join(path, name)} doit être un texte.", _join(path, name))
    return value.strip()


def _bool(data: Mapping[str, Any], name: str, path: str) -> bool:
    value = data.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FactsError(f"{_join(path, name)} doit valoir true ou false.", _join(path, name))
    return value


def _date(data: Mapping[str, Any], name: str, path: str) -> dt.date | None:
    text = _text(data, name, path)
    if text is None:
        return None
    try:
        return parse_iso_date(text)
    except ValueError:
        raise FactsError(
            f"Date invalide pour {_join(path, name)} : « {text} » (format attendu AAAA-MM-JJ).",
            _join(path, name),
        ) from None


def _partial_date(data: Mapping[str, Any], name: str, path: str) -> PartialDate | None:
    text = _text(data, name, path)
    if text is None:
        return None
    try:
        return PartialDate.parse(text)
    except ValueError:
        raise FactsError(
            f"Date invalide pour {_join(path, name)} : « {text} » (format attendu AAAA-MM-JJ, "
            "avec 00 pour un mois ou un jour inconnu).",
            _join(path, name),
        ) from None


def _list(data: Mapping[str, Any], name: str, path: str) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactsError(f"{_join(path, name)} doit être une liste ([…]).", _join(path, name))
    return value


def _texts(data: Mapping[str, Any], name: str, path: str) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(_list(data, name, path)):
        if not isinstance(item, str):
            raise FactsError(
                f"{_join(path, name)}[{i}] doit être un texte.", f"{_join(path, name)}[{i}]"
            )
        if item.strip():
            out.append(item.strip())
    return tuple(out)


def _choice(
    data: Mapping[str, Any],
    name: str,
    path: str,
    choices: Mapping[str, Any] | tuple[str, ...],
    what: str,
) -> str | None:
    value = _text(data, name, path)
    if value is None:
        return None
    if value not in choices:
        raise FactsError(
            f"{what} inconnu(e) « {value} » ({_join(path, name)}) : choisissez parmi "
            f"{', '.join(choices)}.",
            _join(path, name),
        )
    return value


def _category(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.strip().upper() not in CATEGORIES:
        raise FactsError(
            f"Catégorie inconnue « {value} » ({where}) : choisissez parmi {', '.join(CATEGORIES)}.",
            where,
        )
    return value.strip().upper()


def _sub(
    data: Mapping[str, Any], name: str, path: str, allowed: tuple[str, ...]
) -> Mapping[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    return _object(value, _join(path, name), allowed)


# -- parsing ----------------------------------------------------------------------------------


def _place(data: Mapping[str, Any], path: str) -> Place:
    return Place(
        _text(data, "commune", path),
        _text(data, "insee", path),
        _upper(_text(data, "country", path)),
    )


def _upper(value: str | None) -> str | None:
    return value.upper() if value else value


def _address(data: Mapping[str, Any], path: str) -> Address:
    return Address(
        _text(data, "line1", path),
        _text(data, "line2", path),
        _text(data, "postal_code", path),
        _text(data, "city", path),
        _upper(_text(data, "country", path)),
    )


def _licence(data: Mapping[str, Any], path: str) -> Licence:
    held = []
    for i, item in enumerate(_list(data, "categories", path)):
        where = f"{_join(path, 'categories')}[{i}]"
        if isinstance(item, str):  # a bare category id is a convenient short form
            held.append(HeldCategory(_category(item, where)))
            continue
        entry = _object(item, where, _HELD)
        if _absent(entry.get("category")):
            raise FactsError(
                f"{where}.category manque : indiquez la catégorie détenue.", f"{where}.category"
            )
        held.append(
            HeldCategory(
                _category(entry.get("category"), f"{where}.category"),
                _date(entry, "obtained", where),
                _texts(entry, "restrictions", where),
            )
        )
    return Licence(_text(data, "number", path), tuple(held))


def _medical(data: Mapping[str, Any], path: str) -> Medical:
    return Medical(
        _bool(data, "condition", path),
        _bool(data, "adapted_vehicle", path),
        _bool(data, "invalidity_pension", path),
    )


def _applicant(data: Mapping[str, Any]) -> Applicant:
    path = "applicant"
    return Applicant(
        sex=_choice(data, "sex", path, SEXES, "Sexe"),
        birth_name=_text(data, "birth_name", path),
        usage_name=_text(data, "usage_name", path),
        given_names=_texts(data, "given_names", path),
        birth_date=_partial_date(data, "birth_date", path),
        birth_place=_place(_sub(data, "birth_place", path, _PLACE), f"{path}.birth_place"),
        nationality=_upper(_text(data, "nationality", path)),
        address=_address(_sub(data, "address", path, _ADDRESS), f"{path}.address"),
        email=_text(data, "email", path),
        mobile=_text(data, "mobile", path),
        neph=_text(data, "neph", path),
        under_guardianship=_bool(data, "under_guardianship", path),
        hosted=_bool(data, "hosted", path),
        licence=_licence(_sub(data, "licence", path, _LICENCE), f"{path}.licence"),
        medical=_medical(_sub(data, "medical", path, _MEDICAL), f"{path}.medical"),
    )


def _person(value: Any, path: str, allowed: tuple[str, ...]) -> Person | None:
    if value is None:
        return None
    data = _object(value, path, allowed)
    address = (
        _address(_sub(data, "address", path, _ADDRESS), f"{path}.address")
        if data.get("address") is not None
        else None
    )
    return Person(
        sex=_choice(data, "sex", path, SEXES, "Sexe"),
        birth_name=_text(data, "birth_name", path),
        usage_name=_text(data, "usage_name", path),
        given_names=_texts(data, "given_names", path),
        birth_date=_partial_date(data, "birth_date", path),
        email=_text(data, "email", path),
        mobile=_text(data, "mobile", path),
        quality=_text(data, "quality", path) if "quality" in allowed else None,
        address=address,
    )


def _pieces(data: Mapping[str, Any]) -> tuple[ProvidedPiece, ...]:
    out = []
    for i, item in enumerate(_list(data, "pieces", "")):
        where = f"pieces[{i}]"
        entry = _object(item, where, _PIECE, _PIECE_ENVELOPE)
        kind = _choice(entry, "kind", where, PIECE_KINDS, "Nature de pièce")
        if kind is None:
            raise FactsError(
                f"{where}.kind manque : indiquez la nature de la pièce.", f"{where}.kind"
            )
        if entry.get("status") == "missing":
            continue  # `dossier show --json` lists the pieces still awaited as "missing"
        out.append(
            ProvidedPiece(
                kind,
                _text(entry, "document_type", where),
                _date(entry, "issued", where),
                _date(entry, "expires", where),
            )
        )
    return tuple(out)


def parse_facts(data: Any) -> Facts:
    """The typed facts; FactsError (exit status 2 in the CLI) with a French message naming
    the field when the document is malformed."""
    top = _object(data, "", _TOP, _ENVELOPE)
    procedure_id = _text(top, "procedure", "")
    if procedure_id is None:
        raise FactsError("Le document doit indiquer la démarche (« procedure »).", "procedure")
    if procedure_id not in PROCEDURES:
        raise FactsError(
            f"Démarche inconnue « {procedure_id} » (procedure) : choisissez parmi "
            f"{', '.join(PROCEDURES)}.",
            "procedure",
        )
    categories: list[str] = []
    for i, item in enumerate(_list(top, "categories", "")):
        category = _category(item, f"categories[{i}]")
        if category not in categories:
            categories.append(category)
    applicant = _applicant(_sub(top, "applicant", "", _APPLICANT))
    photo = _sub(top, "photo_signature", "", _PHOTO)
    training = _sub(top, "training", "", _TRAINING)
    return Facts(
        procedure=procedure_id,
        categories=tuple(categories),
        training_mode=_choice(top, "training_mode", "", TRAINING_MODES, "Mode de formation"),
        mandate=_bool(top, "mandate", ""),
        reference_date=_date(top, "reference_date", ""),
        applicant=applicant,
        legal_representative=_person(
            top.get("legal_representative"), "legal_representative", _REPRESENTATIVE
        ),
        host=_person(top.get("host"), "host", _PERSON),
        photo_signature=PhotoSignature(
            _text(photo, "code", "photo_signature"), _date(photo, "taken", "photo_signature")
        ),
        training=Training(
            _choice(training, "kind", "training", TRAINING_KINDS, "Formation"),
            _date(training, "completed", "training"),
        ),
        pieces=_pieces(top),
    )


# -- back to JSON, and the empty document for a new dossier -----------------------------------


def _to_json(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
        return {k: v for k, v in out.items() if v not in (None, {}, [], False)}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    return value


def facts_to_json(facts: Facts) -> dict[str, Any]:
    """The facts as a JSON-ready dict (absent and false values left out); parses back equal."""
    out: dict[str, Any] = _to_json(facts)
    out["procedure"] = facts.procedure
    out["mandate"] = facts.mandate
    return out


def skeleton_person(representative: bool = False) -> dict[str, Any]:
    """The blank legal representative (`representative=True`) or host of the wizard."""
    person: dict[str, Any] = {
        "sex": None,
        "birth_name": "",
        "usage_name": "",
        "given_names": [],
        "birth_date": "",
        "email": "",
        "mobile": "",
    }
    if representative:
        person["quality"] = ""
    return person


def skeleton(procedure_id: str) -> dict[str, Any]:
    """The empty facts document of a new dossier, with every field the wizard fills (blank);
    `parse_facts(skeleton(p))` succeeds for every procedure. The legal representative and
    the host are null until the flow asks for them (`skeleton_person`)."""
    if procedure_id not in PROCEDURES:
        raise FactsError(f"Démarche inconnue « {procedure_id} » (procedure).", "procedure")
    proc = PROCEDURES[procedure_id]
    person = skeleton_person()
    return {
        "procedure": procedure_id,
        "categories": [proc.implied_category] if proc.implied_category else [],
        "training_mode": None,
        "mandate": False,
        "applicant": {
            **person,
            "birth_place": {"commune": "", "insee": "", "country": "FRA"},
            "nationality": "FRA",
            "address": {"line1": "", "line2": "", "postal_code": "", "city": "", "country": "FRA"},
            "neph": "",
            "under_guardianship": False,
            "hosted": False,
            "licence": {"number": "", "categories": []},
            "medical": {"condition": False, "adapted_vehicle": False, "invalidity_pension": False},
        },
        "legal_representative": None,
        "host": None,
        "photo_signature": {"code": "", "taken": None},
        "training": {"kind": proc.training_kind, "completed": None},
        "pieces": [],
    }
