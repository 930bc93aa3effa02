"""Identifier validators: formats, normalisation, levels and French messages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from permis_desktop.procedures import identifiers as ids


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("123456789012", "123456789012"),
        ("1212 0120 0001", "121201200001"),
        ("1212-0120-0001", "121201200001"),
    ],
)
def test_neph_valid(text: str, normalized: str) -> None:
    result = ids.validate_neph(text)
    assert result.ok and result.normalized == normalized and result.level is None


@pytest.mark.parametrize(
    "text", ["", "12345678901", "1234567890123", "12345678901A", "١٢٣٤٥٦٧٨٩٠١٢"]
)
def test_neph_invalid(text: str) -> None:
    result = ids.validate_neph(text)
    assert not result.ok and result.level == "error" and "NEPH" in result.message


def test_photo_code_default_length() -> None:
    result = ids.validate_photo_code("ab12-cd34 ef56-gh78-ij90-kl")
    assert result.ok and result.normalized == "AB12CD34EF56GH78IJ90KL" and result.level is None


def test_photo_code_other_length_is_a_warning() -> None:
    result = ids.validate_photo_code("AB12CD34EF56GH78IJ90K")
    assert result.ok and result.level == "warning" and "22" in result.message
    assert result.normalized == "AB12CD34EF56GH78IJ90K"


def test_photo_code_length_is_configurable() -> None:
    assert ids.validate_photo_code("AB12CD34EF56GH78IJ90K", expected_length=21).level is None
    assert ids.validate_photo_code("AB12CD34EF56GH78IJ90KL", expected_length=21).level == "warning"


@pytest.mark.parametrize("text", ["", "  - ", "AB12CD34EF56GH78IJ90K!", "AB12CD34EF56GH78IJ90KÉ"])
def test_photo_code_invalid(text: str) -> None:
    result = ids.validate_photo_code(text)
    assert not result.ok and result.level == "error"


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("07.31.23.45.67", "+33731234567"),
        ("0799999999", "+33799999999"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+330612345678", "+33612345678"),
        ("0692 12 34 56", "+262692123456"),
        ("+262 692 12 34 56", "+262692123456"),
        ("0639 01 02 03", "+262639010203"),
        ("0690 11 22 33", "+590690112233"),
        ("0694 11 22 33", "+594694112233"),
        ("0696 11 22 33", "+596696112233"),
    ],
)
def test_mobile_valid(text: str, e164: str) -> None:
    result = ids.validate_mobile(text)
    assert result.ok and result.normalized == e164


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "vide"),
        ("01 23 45 67 89", "fixe"),
        ("09 87 65 43 21", "fixe"),
        ("07 00 12 34 56", "machines"),
        ("0721234567", "invalide"),
        ("061234567", "invalide"),
        ("+44 7911 123456", "français"),
        ("612345678", "incomplet"),
        ("+262 612 34 56 78", "indicatif"),
        ("06 12 34 56 7a", "chiffres"),
    ],
)
def test_mobile_invalid(text: str, hint: str) -> None:
    result = ids.validate_mobile(text)
    assert not result.ok and result.level == "error"
    assert hint in result.message


def test_email() -> None:
    good = ids.validate_email("  Lea.Martin@Example.FR ")
    assert good.ok and good.normalized == "Lea.Martin@example.fr"
    for bad in ("", "lea", "lea@", "@example.fr", "lea martin@example.fr", "lea@localhost"):
        result = ids.validate_email(bad)
        assert not result.ok and result.level == "error", bad


@pytest.mark.parametrize(
    "code", ["75056", "2A004", "2B033", "97411", "97101", "97611", "01001", "2a004", "98735"]
)
def test_insee_valid(code: str) -> None:
    result = ids.validate_insee(code)
    assert result.ok and result.normalized == code.upper()


def test_insee_corsica_numeric_form_is_refused_with_a_hint() -> None:
    result = ids.validate_insee("20004")
    assert not result.ok and "2A" in result.message


@pytest.mark.parametrize(
    "code", ["", "00001", "96001", "7505", "750560", "2C004", "99350", "7505٦"]
)
def test_insee_invalid(code: str) -> None:
    assert not ids.validate_insee(code).ok


def test_insee_abroad_only_for_birth_places() -> None:
    assert ids.validate_insee("99350", allow_abroad=True).ok
    assert not ids.validate_insee("99350").ok


def test_insee_department() -> None:
    assert ids.insee_department("75056") == "75"
    assert ids.insee_department("2A004") == "2A"
    assert ids.insee_department("97411") == "974"


@pytest.mark.parametrize(
    ("postal", "insee", "level"),
    [
        ("75011", None, None),
        ("75011", "75056", None),
        ("20000", "2A004", None),
        ("20200", "2B033", None),
        ("97400", "97411", None),
        ("97133", "97701", None),  # Saint-Barthélemy
        ("75011", "69123", "warning"),
        ("20000", "13055", "warning"),
        ("97400", "97209", "warning"),
        ("13001", "2A004", "warning"),
    ],
)
def test_postal_code_consistency(postal: str, insee: str | None, level: str | None) -> None:
    result = ids.validate_postal_code(postal, insee)
    assert result.ok and result.normalized == postal and result.level == level
    if level:
        assert "INSEE" in result.message


@pytest.mark.parametrize("postal", ["", "7501", "750111", "7501A", "00100", "99000"])
def test_postal_code_invalid(postal: str) -> None:
    result = ids.validate_postal_code(postal)
    assert not result.ok and result.level == "error"


def test_birth_dates() -> None:
    today = dt.date(2026, 11, 27)
    assert ids.validate_birth_date("2000-06-15", today).level is None
    partial = ids.validate_birth_date("1990-00-00", today)
    assert partial.ok and partial.level == "warning" and "00/00/1990" in partial.message
    assert ids.validate_birth_date("1990-05-00", today).level == "warning"
    for bad in (
        "1990-00-15",
        "1990-13-01",
        "1990-02-30",
        "15/06/2000",
        "2027-01-01",
        "1850-01-01",
        "20000615",
    ):
        assert not ids.validate_birth_date(bad, today).ok, bad


def test_country_and_licence_number() -> None:
    assert ids.validate_country("fra").normalized == "FRA"
    assert not ids.validate_country("France").ok
    assert ids.validate_licence_number("12AB 34567").normalized == "12AB34567"
    assert not ids.validate_licence_number("1" * 16).ok


def test_icao_check_digit_still_there() -> None:
    # ICAO 9303 specimen: document number L898902C3 has check digit 6.
    assert ids.icao_check_digit("L898902C3") == 6
    assert ids.icao_check_digit("740812") == 2


@given(st.from_regex(r"\A0(6[0-9]{8}|7[3-9][0-9]{7})\Z"))
def test_mobile_normalisation_is_idempotent(number: str) -> None:
    first = ids.validate_mobile(number)
    assert first.ok and first.normalized is not None
    again = ids.validate_mobile(first.normalized)
    assert again.ok and again.normalized == first.normalized


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_any_twelve_digits_is_a_neph(text: str) -> None:
    assert ids.validate_neph(text).normalized == text


@given(st.text(max_size=40))
def test_validators_never_raise(text: str) -> None:
    for validate in (
        ids.validate_neph,
        ids.validate_photo_code,
        ids.validate_mobile,
        ids.validate_email,
        ids.validate_insee,
        ids.validate_postal_code,
        ids.validate_birth_date,
        ids.validate_country,
        ids.validate_licence_number,
    ):
        result = validate(text)
        assert result.ok == (result.level != "error")
        assert result.ok or result.message
