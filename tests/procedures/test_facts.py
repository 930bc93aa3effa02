"""The facts parser: strict structure, field paths in French errors, round trip, skeletons."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from permis_desktop.errors import BadInput
from permis_desktop.procedures.catalog import PROCEDURES
from permis_desktop.procedures.checklist import evaluate
from permis_desktop.procedures.dates import PartialDate
from permis_desktop.procedures.facts import FactsError, facts_to_json, parse_facts, skeleton

from .factsbuilder import facts, held


def full_doc() -> dict[str, Any]:
    return facts(
        "licence_after_exam_extension",
        ["CE"],
        held=[held("B"), held("C", "2020-02-02", "01")],
        mode="traditional",
        mandate=True,
        hosted=True,
        medical={"condition": True},
        pieces=[
            {"kind": "proof_of_address", "document_type": "bill", "issued": "2026-10-01"},
            {"kind": "identity", "document_type": "cni", "expires": "2030-01-01"},
        ],
        legal_representative={
            "quality": "tuteur",
            "sex": "M",
            "birth_name": "Martin",
            "given_names": ["Paul"],
            "birth_date": "1970-01-01",
            "email": "paul@example.fr",
            "mobile": "0611223344",
            "address": {"line1": "1 rue X", "postal_code": "69001", "city": "Lyon"},
        },
        host={"birth_name": "Durand", "given_names": ["Anne"], "email": "anne@example.fr"},
        training={"kind": "a", "completed": "2026-11-01"},
        applicant={"usage_name": "Dupont", "neph": "121201200001", "under_guardianship": True},
    )


def test_full_document_parses_into_typed_values() -> None:
    parsed = parse_facts(full_doc())
    assert parsed.procedure == "licence_after_exam_extension"
    assert parsed.categories == ("CE",)
    assert parsed.reference_date == dt.date(2026, 11, 27)
    assert parsed.applicant.birth_date == PartialDate(2000, 6, 15)
    assert parsed.applicant.licence.categories[1].restrictions == ("01",)
    assert parsed.applicant.licence.categories[1].obtained == dt.date(2020, 2, 2)
    assert parsed.legal_representative is not None
    assert parsed.legal_representative.address is not None
    assert parsed.legal_representative.address.city == "Lyon"
    assert parsed.host is not None and parsed.host.given_names == ("Anne",)
    assert parsed.pieces[1].expires == dt.date(2030, 1, 1)
    assert parsed.applicant.medical.any


def test_round_trip() -> None:
    parsed = parse_facts(full_doc())
    assert parse_facts(facts_to_json(parsed)) == parsed


@pytest.mark.parametrize(
    ("path", "bad_key"),
    [
        ((), "colour"),
        (("applicant",), "adress"),
        (("applicant", "address"), "zip"),
        (("applicant", "birth_place"), "department"),
        (("applicant", "medical"), "diabetes"),
        (("applicant", "licence"), "issued"),
        (("photo_signature",), "expires"),
        (("training",), "hours"),
        (("legal_representative",), "nickname"),
    ],
)
def test_unknown_field_is_an_error_naming_its_path(path: tuple[str, ...], bad_key: str) -> None:
    doc = full_doc()
    target = doc
    for key in path:
        target = target[key]
    target[bad_key] = "x"
    with pytest.raises(FactsError) as info:
        parse_facts(doc)
    expected = ".".join((*path, bad_key))
    assert info.value.field == expected
    assert expected in str(info.value) and "Champ inconnu" in str(info.value)
    assert isinstance(info.value, BadInput) and info.value.exit_code == 2


def test_unknown_field_suggests_the_close_name() -> None:
    doc = full_doc()
    doc["applicant"]["adress"] = doc["applicant"].pop("address")
    with pytest.raises(FactsError, match="Vouliez-vous dire « address »"):
        parse_facts(doc)


def test_unknown_field_in_lists() -> None:
    doc = full_doc()
    doc["applicant"]["licence"]["categories"][0]["since"] = "2010-01-01"
    with pytest.raises(FactsError) as info:
        parse_facts(doc)
    assert info.value.field == "applicant.licence.categories[0].since"
    doc = full_doc()
    doc["pieces"][1]["pages_count"] = 2
    with pytest.raises(FactsError) as info:
        parse_facts(doc)
    assert info.value.field == "pieces[1].pages_count"


def test_host_has_no_quality() -> None:
    doc = full_doc()
    doc["host"]["quality"] = "ami"
    with pytest.raises(FactsError, match="host.quality"):
        parse_facts(doc)


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d.pop("procedure"), "procedure", "démarche"),
        (lambda d: d.update(procedure="licence_after_lottery"), "procedure", "Démarche inconnue"),
        (lambda d: d.update(categories=["Z"]), "categories[0]", "Catégorie inconnue"),
        (lambda d: d.update(categories="B"), "categories", "liste"),
        (lambda d: d.update(training_mode="online"), "training_mode", "inconnu"),
        (lambda d: d.update(mandate="oui"), "mandate", "true ou false"),
        (lambda d: d.update(reference_date="27/11/2026"), "reference_date", "AAAA-MM-JJ"),
        (lambda d: d.update(reference_date="20261127"), "reference_date", "AAAA-MM-JJ"),
        (lambda d: d["applicant"].update(birth_date="1990-00-15"), "applicant.birth_date", "00"),
        (lambda d: d["applicant"].update(birth_date="1990-02-30"), "applicant.birth_date", "Date"),
        (lambda d: d["applicant"].update(sex="X"), "applicant.sex", "Sexe"),
        (lambda d: d["applicant"].update(hosted="yes"), "applicant.hosted", "true ou false"),
        (lambda d: d["applicant"].update(given_names="Léa"), "applicant.given_names", "liste"),
        (lambda d: d["applicant"].update(given_names=[1]), "applicant.given_names[0]", "texte"),
        (lambda d: d["applicant"].update(email=3), "applicant.email", "texte"),
        (lambda d: d["applicant"].update(address="Paris"), "applicant.address", "objet"),
        (
            lambda d: d["applicant"]["licence"]["categories"].append({"obtained": "2020-01-01"}),
            "applicant.licence.categories[2].category",
            "catégorie",
        ),
        (
            lambda d: d["applicant"]["licence"]["categories"].append("Q"),
            "applicant.licence.categories[2]",
            "Catégorie inconnue",
        ),
        (lambda d: d["pieces"].append({"kind": "selfie"}), "pieces[2].kind", "inconnu"),
        (lambda d: d["pieces"].append({"issued": "2026-01-01"}), "pieces[2].kind", "nature"),
        (lambda d: d["pieces"][0].update(issued="2026-02-30"), "pieces[0].issued", "Date"),
        (lambda d: d.update(training={"kind": "moto"}), "training.kind", "Formation"),
        (lambda d: d.update(photo_signature={"taken": "hier"}), "photo_signature.taken", "Date"),
    ],
)
def test_malformed_values(mutate: Any, field: str, words: str) -> None:
    doc = full_doc()
    mutate(doc)
    with pytest.raises(FactsError) as info:
        parse_facts(doc)
    assert info.value.field == field
    assert words.lower() in str(info.value).lower()


@pytest.mark.parametrize("doc", [[], "texte", 3, None])
def test_document_must_be_an_object(doc: Any) -> None:
    with pytest.raises(FactsError, match="objet JSON"):
        parse_facts(doc)


def test_blank_and_null_values_are_absent() -> None:
    doc = facts(
        "exam_registration_first", ["b"], applicant={"email": "", "mobile": None, "neph": "  "}
    )
    parsed = parse_facts(doc)
    assert parsed.categories == ("B",)  # categories are case-insensitive
    assert parsed.applicant.email is None and parsed.applicant.mobile is None
    assert parsed.applicant.neph is None


def test_bare_category_strings_in_licence() -> None:
    parsed = parse_facts(facts("exam_registration_extension", ["BE"], held=["B"]))
    assert parsed.applicant.licence.categories[0].category == "B"
    assert parsed.applicant.licence.categories[0].obtained is None


def test_dossier_show_envelope_is_accepted() -> None:
    doc = full_doc()
    doc.update(id="0b8f", status="draft", version=3, history=[{"to": "draft"}])
    doc["pieces"].append(
        {
            "kind": "exam_certificate",
            "status": "missing",
            "document_type": None,
            "issued": None,
            "expires": None,
            "pages": [],
        }
    )
    parsed = parse_facts(doc)
    assert [p.kind for p in parsed.pieces] == ["proof_of_address", "identity"]


@pytest.mark.parametrize("procedure_id", list(PROCEDURES))
def test_skeleton_parses_and_evaluates(procedure_id: str) -> None:
    doc = skeleton(procedure_id)
    parsed = parse_facts(copy.deepcopy(doc))
    assert parsed.procedure == procedure_id
    result = evaluate(parsed, today=dt.date(2026, 11, 27))
    assert not result.eligible  # nothing typed yet
    assert "missing_field" in result.codes()
    assert {p.kind for p in result.pieces if p.required} >= {
        "identity",
        "proof_of_address",
        "photo_signature",
    }


def test_skeleton_of_unknown_procedure() -> None:
    with pytest.raises(FactsError):
        skeleton("nope")


def test_reference_date_defaults_to_today_argument() -> None:
    doc = facts("licence_after_exam_first", ["B"], birth="2009-06-01")
    del doc["reference_date"]
    assert evaluate(doc, today=dt.date(2026, 5, 31)).codes() == ["too_young"]
    assert evaluate(doc, today=dt.date(2026, 6, 1)).codes() == []
    assert evaluate(doc).reference_date == dt.date.today()
