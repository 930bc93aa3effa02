"""Build facts documents for the rule tests: a valid adult French applicant in Paris, changed
by keyword arguments."""

from __future__ import annotations

import copy
from typing import Any

REF = "2026-11-27"
PHOTO_CODE = "AB12CD34EF56GH78IJ90KL"  # 22 characters


def facts(
    procedure: str,
    categories: list[str] | None = None,
    *,
    birth: str | None = "2000-06-15",
    nationality: str | None = "FRA",
    postal: str | None = "75011",
    country: str | None = None,
    held: list[Any] | None = None,
    ref: str = REF,
    mode: str | None = None,
    mandate: bool = False,
    hosted: bool = False,
    guardianship: bool = False,
    medical: dict[str, bool] | None = None,
    pieces: list[dict[str, Any]] | None = None,
    photo: dict[str, Any] | None = None,
    applicant: dict[str, Any] | None = None,
    **top: Any,
) -> dict[str, Any]:
    a: dict[str, Any] = {
        "sex": "F",
        "birth_name": "Martin",
        "given_names": ["Léa", "Marie"],
        "birth_place": {"commune": "Paris", "insee": "75056", "country": "FRA"},
        "address": {"line1": "12 rue des Lilas", "postal_code": postal, "city": "Paris"},
        "email": "lea.martin@example.fr",
        "mobile": "06 12 34 56 78",
    }
    if birth is not None:
        a["birth_date"] = birth
    if nationality is not None:
        a["nationality"] = nationality
    if country is not None:
        a["address"]["country"] = country
    if held:
        a["licence"] = {"number": "123456789012", "categories": held}
    if hosted:
        a["hosted"] = True
    if guardianship:
        a["under_guardianship"] = True
    if medical:
        a["medical"] = medical
    a.update(copy.deepcopy(applicant or {}))
    doc: dict[str, Any] = {
        "procedure": procedure,
        "categories": list(categories or []),
        "mandate": mandate,
        "reference_date": ref,
        "applicant": a,
        "photo_signature": photo
        if photo is not None
        else {"code": PHOTO_CODE, "taken": "2026-11-01"},
    }
    if mode:
        doc["training_mode"] = mode
    if pieces:
        doc["pieces"] = pieces
    doc.update(top)
    return doc


def held(category: str, obtained: str | None = "2015-01-10", *restrictions: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"category": category}
    if obtained:
        entry["obtained"] = obtained
    if restrictions:
        entry["restrictions"] = list(restrictions)
    return entry
