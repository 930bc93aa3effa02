"""MRZ layouts, check digits and OCR repairs, on the verified specimens (domain-ants.md §3.1)."""

from __future__ import annotations

import random

from permis_desktop.procedures.identifiers import icao_check_digit
from permis_desktop.scan.recognize import compare_identity_piece, compare_mrz, parse_mrz
from permis_desktop.scan.recognize.mrz_parse import layout_for

CNIE_2021 = [
    "IDFRAX4RTBPFW46<<<<<<<<<<<<<<<",
    "9007138F3002119FRA<<<<<<<<<<<6",
    "MARTIN<<MAELYS<GAELLE<MARIE<<<",
]
CNI_1988 = ["IDFRALOISEAU<<<<<<<<<<<<<<<<<<<<<<<<", "970675K002774HERVE<<DJAMEL<7303216M4"]
ICAO_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def test_td1_specimen_all_fields() -> None:
    r = parse_mrz(CNIE_2021)
    assert r is not None
    assert r.to_json() | {} == r.to_json()
    assert (r.format, r.document_type, r.country, r.document_number) == (
        "TD1",
        "ID",
        "FRA",
        "X4RTBPFW4",
    )
    assert (r.surname, r.given_names) == ("MARTIN", ["MAELYS", "GAELLE", "MARIE"])
    assert (r.nationality, r.birth_date, r.sex, r.expiry_date) == (
        "FRA",
        "1990-07-13",
        "F",
        "2030-02-11",
    )
    assert r.checks == {
        "document_number": True,
        "birth_date": True,
        "expiry_date": True,
        "composite": True,
        "country_code": True,
        "nationality_code": True,
        "confident": True,
    }
    assert r.valid and r.corrections == 0


def test_old_french_card_specimen_has_no_expiry() -> None:
    r = parse_mrz(CNI_1988)
    assert r is not None and r.format == "FR_ID_1988"
    assert (r.document_number, r.surname, r.given_names) == (
        "970675K00277",
        "LOISEAU",
        ["HERVE", "DJAMEL"],
    )
    assert (r.birth_date, r.sex, r.expiry_date, r.nationality) == ("1973-03-21", "M", None, "FRA")
    assert r.checks == {
        "document_number": True,
        "birth_date": True,
        "composite": True,
        "country_code": True,
        "confident": True,
    }
    assert r.valid


def test_td3_specimen() -> None:
    r = parse_mrz(ICAO_TD3)
    assert r is not None and r.format == "TD3"
    assert (r.country, r.document_number, r.surname, r.given_names) == (
        "UTO",
        "L898902C3",
        "ERIKSSON",
        ["ANNA", "MARIA"],
    )
    assert (r.birth_date, r.expiry_date, r.sex) == ("1974-08-12", "2012-04-15", "F")
    assert r.valid and set(r.checks) == {
        "document_number",
        "birth_date",
        "expiry_date",
        "personal_number",
        "country_code",
        "nationality_code",
        "confident",
        "composite",
    }


def test_report_keys_are_the_contract() -> None:
    r = parse_mrz(CNIE_2021)
    assert r is not None
    keys = set(r.to_json())
    assert {
        "format",
        "document_type",
        "country",
        "document_number",
        "surname",
        "given_names",
        "nationality",
        "birth_date",
        "sex",
        "expiry_date",
        "checks",
        "valid",
    } <= keys


def test_lookalikes_are_fixed_by_field_type() -> None:
    lines = [
        "IDFRAX4RTBPFW46<<<<<<<<<<<<<<<",
        "9OO7I38F3OO2II9FRA<<<<<<<<<<<6",
        "MART1N<<MAELY5<GAELLE<MAR1E<<<",
    ]
    r = parse_mrz(lines)
    assert r is not None
    assert r.birth_date == "1990-07-13" and r.surname == "MARTIN"
    assert r.given_names == ["MAELYS", "GAELLE", "MARIE"]
    assert r.corrections == 10 and r.valid


def test_wrong_digit_fails_its_check_and_the_document_is_not_valid() -> None:
    lines = list(CNIE_2021)
    lines[1] = "9007148F3002119FRA<<<<<<<<<<<6"  # birth date 900714 instead of 900713
    r = parse_mrz(lines)
    assert r is not None
    assert r.checks["birth_date"] is False and r.checks["composite"] is False
    assert not r.valid


def test_runner_up_candidate_repairs_a_failing_check() -> None:
    cells = [[((c, 0.99),) for c in line] for line in CNIE_2021]
    # The OCR hesitated on one birth-date digit: first choice 8 (wrong), runner-up 3.
    cells[1][5] = (("8", 0.55), ("3", 0.40))
    r = parse_mrz(cells)
    assert r is not None and r.valid and r.birth_date == "1990-07-13" and r.corrections == 1
    # A runner-up below the plausibility floor is not tried: the check stays failed.
    cells[1][5] = (("8", 0.99), ("3", 0.001))
    r = parse_mrz(cells)
    assert r is not None and not r.valid


def test_random_single_errors_never_give_valid_with_a_wrong_field() -> None:
    """Substitute one character: either repaired exactly, or not valid.

    Only substitutions a check digit can see are drawn (ICAO values equal modulo 10, like G
    and 6 or C and W, are invisible to any 7-3-1 check, whatever the reader does), each of a
    character allowed at that position (look-alike fixes have their own test).
    """
    rng = random.Random(1)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
    for specimen in (CNIE_2021, CNI_1988, ICAO_TD3):
        truth = parse_mrz(specimen)
        assert truth is not None
        for _ in range(150):
            lines = [list(line) for line in specimen]
            li = rng.randrange(len(lines))
            col = rng.randrange(len(lines[li]))
            old = lines[li][col]
            kind = layout_for([len(x) for x in specimen]).types[li][col]  # type: ignore[union-attr]
            same_type = {"d": "0123456789<", "c": "0123456789<", "s": "MF<"}.get(
                kind, alphabet if kind == "x" else alphabet[10:]
            )
            lines[li][col] = rng.choice(
                [c for c in same_type if icao_check_digit(c) != icao_check_digit(old)]
            )
            r = parse_mrz(["".join(line) for line in lines])
            assert r is not None
            if r.valid:
                # Only the fields under a check digit are guaranteed (ICAO leaves names, sex
                # and nationality unchecked on TD1/TD3; the 1988 card's last check covers all).
                same = (r.document_number, r.birth_date, r.expiry_date)
                ref = (truth.document_number, truth.birth_date, truth.expiry_date)
                if r.format == "FR_ID_1988":
                    same += (r.surname, tuple(r.given_names), r.sex)
                    ref += (truth.surname, tuple(truth.given_names), truth.sex)
                assert same == ref, ("".join(lines[li]), li, col)


def test_unknown_layout_is_none() -> None:
    assert parse_mrz(["ABC", "DEF"]) is None
    assert parse_mrz(["X" * 30, "Y" * 30]) is None


def test_compare_with_typed_identity() -> None:
    r = parse_mrz(CNIE_2021)
    assert r is not None
    person = {
        "birth_name": "Martin",
        "given_names": ["Maëlys", "Gaëlle", "Marie"],
        "birth_date": "1990-07-13",
        "sex": "F",
        "nationality": "FRA",
    }
    rows = compare_mrz(r, person)
    assert [row.field for row in rows] == [
        "birth_name",
        "given_names",
        "birth_date",
        "sex",
        "nationality",
    ]
    assert all(row.match for row in rows)
    rows = {
        row.field: row
        for row in compare_mrz(r, {"birth_name": "Martin-Dupont", "birth_date": "1990-07-14"})
    }
    assert rows["birth_name"] == ("birth_name", "MARTIN", "Martin-Dupont", False)
    assert rows["birth_date"].match is False
    assert rows["given_names"].typed is None and rows["given_names"].read == "MAELYS GAELLE MARIE"
    piece = {row.field: row for row in compare_identity_piece(r, {})}
    assert piece["expires"].read == "2030-02-11" and piece["expires"].match is False


def test_unknown_nationality_code_is_replaced_by_a_known_candidate() -> None:
    cells = [[((c, 0.99),) for c in line] for line in CNIE_2021]
    cells[1][16] = (("P", 0.6), ("R", 0.35))  # nationality F?A: "PRA" is no country
    r = parse_mrz(cells)
    assert r is not None and r.nationality == "FRA" and r.checks["nationality_code"]
    # No check digit confirms the guess: shown, but the document is not called valid.
    assert r.checks["confident"] is False and not r.valid
    cells[1][16] = (("P", 0.99),)  # no plausible alternative: left as read
    r = parse_mrz(cells)
    assert r is not None and r.nationality == "FPA"
    assert r.checks["nationality_code"] is False and not r.valid


def test_two_doubtful_characters_in_one_field_are_not_vouched_for_by_its_check() -> None:
    """A passport number read 33Q0... for 37QO...: the two slips cancel out modulo 10, so the
    check digits pass; both were doubtful, so the document is not called valid."""
    truth = [
        "P<FRAMOREAU<<INES<IBRAHIM<PIERRE<<<<<<<<<<<<",
        "37QO978730FRA5604252F3411207<<<<<<<<<<<<<<<2",
    ]
    cells = [[((c, 0.99),) for c in line] for line in truth]
    cells[1][1] = (("3", 0.6), ("7", 0.38))
    cells[1][3] = (("0", 0.55), ("O", 0.44))
    r = parse_mrz(cells)
    assert r is not None and r.document_number == "33Q097873"
    assert r.checks["document_number"] and r.checks["composite"]  # fooled, as any reader
    assert r.checks["confident"] is False and not r.valid
    cells[1][3] = (("O", 0.97), ("0", 0.02))  # one doubtful character: the check repairs it
    r = parse_mrz(cells)
    assert r is not None and r.document_number == "37QO97873" and r.valid


def test_doubtful_name_character_is_not_valid() -> None:
    cells = [[((c, 0.99),) for c in line] for line in CNIE_2021]
    cells[2][3] = (("T", 0.7), ("I", 0.29))  # MARTIN, the I read as T, unsure
    r = parse_mrz(cells)
    assert r is not None and r.surname == "MARTIN"[:3] + "TIN"
    assert all(v for k, v in r.checks.items() if k != "confident")
    assert r.checks["confident"] is False and not r.valid
