"""The checklist beyond the issue's table: completeness, non-blocking warnings, options."""

from __future__ import annotations

import datetime as dt

from permis_desktop.procedures.checklist import RuleOptions, evaluate, missing_pieces

from .factsbuilder import PHOTO_CODE, facts, held

EX1 = "licence_after_exam_first"


def all_pieces(*kinds: str) -> list[dict[str, str]]:
    out = []
    for kind in kinds:
        piece = {"kind": kind}
        if kind == "proof_of_address":
            piece["issued"] = "2026-11-01"
        out.append(piece)
    return out


def test_complete_when_every_required_piece_is_provided() -> None:
    doc = facts(EX1, ["B"], pieces=all_pieces("identity", "proof_of_address", "exam_certificate"))
    result = evaluate(doc)
    assert result.complete and result.eligible and missing_pieces(result) == []
    doc = facts(EX1, ["B"], pieces=all_pieces("identity", "exam_certificate"))
    result = evaluate(doc)
    assert not result.complete
    assert [p.kind for p in missing_pieces(result)] == ["proof_of_address"]


def test_optional_pieces_do_not_block_completeness() -> None:
    doc = facts(
        "exam_registration_first",
        ["B"],
        birth="2011-01-01",
        mode="accompanied",
        legal_representative={"email": "mere@example.fr"},
        pieces=all_pieces(
            "identity", "proof_of_address", "road_safety_certificate", "guardian_identity"
        ),
    )
    result = evaluate(doc)
    optional = {p.kind for p in result.pieces if not p.required}
    assert optional == {"national_service", "hosting_attestation"}
    assert result.complete


def test_photo_activation_warning_within_72_hours() -> None:
    recent = facts(EX1, ["B"], photo={"code": PHOTO_CODE, "taken": "2026-11-25"})
    assert "photo_activation" in [w.code for w in evaluate(recent).warnings]
    older = facts(EX1, ["B"], photo={"code": PHOTO_CODE, "taken": "2026-11-24"})
    assert "photo_activation" not in [w.code for w in evaluate(older).warnings]


def test_old_cepc_and_am_attestation_warnings() -> None:
    doc = facts(EX1, ["B"], pieces=[{"kind": "exam_certificate", "issued": "2026-07-26"}])
    assert "exam_certificate_old" in [w.code for w in evaluate(doc).warnings]
    doc = facts(EX1, ["B"], pieces=[{"kind": "exam_certificate", "issued": "2026-07-27"}])
    assert "exam_certificate_old" not in [w.code for w in evaluate(doc).warnings]
    am = facts("licence_after_training_am", training={"kind": "am", "completed": "2026-07-01"})
    assert "training_certificate_old" in [w.code for w in evaluate(am).warnings]


def test_undated_proof_of_address_is_provided_with_a_warning() -> None:
    doc = facts(EX1, ["B"], pieces=[{"kind": "proof_of_address", "document_type": "bill"}])
    result = evaluate(doc)
    line = result.piece("proof_of_address")
    assert line is not None and line.status == "provided"
    assert "piece_date_unknown" in [w.code for w in result.warnings]


def test_contact_missing_for_an_adult() -> None:
    doc = facts(EX1, ["B"], applicant={"email": "", "mobile": ""})
    warnings = evaluate(doc).warnings
    assert [w.field for w in warnings if w.code == "contact_missing"] == ["applicant.email"]
    assert evaluate(doc).eligible  # a warning never blocks


def test_national_service_window_is_an_option() -> None:
    doc = facts(EX1, ["B"], birth="2010-06-01")  # 16
    assert evaluate(doc).piece("national_service").required is False  # type: ignore[union-attr]
    wide = RuleOptions(national_service_from=16)
    line = evaluate(doc, options=wide).piece("national_service")
    assert line is not None and line.required and "16 à 24 ans" in line.reason


def test_today_argument_and_reference_date() -> None:
    doc = facts(EX1, ["B"], birth="2009-12-01")
    del doc["reference_date"]
    assert evaluate(doc, today=dt.date(2026, 11, 30)).codes() == ["too_young"]
    doc["reference_date"] = "2026-12-01"
    assert evaluate(doc, today=dt.date(2026, 11, 30)).codes() == []  # the facts win


def test_checklist_json_contract() -> None:
    doc = facts(EX1, ["B"], birth="2010-01-01", postal="20000", mandate=True)
    out = evaluate(doc).to_json()
    assert list(out)[:6] == [
        "procedure",
        "procedure_label",
        "reference_date",
        "age",
        "age_max",
        "eligible",
    ]
    assert out["regional_tax_territory"] == "Corse"
    for key in ("problems", "warnings", "pieces"):
        assert isinstance(out[key], list)
    piece = out["pieces"][0]
    assert list(piece)[:5] == ["kind", "label", "required", "status", "reason"]
    assert piece["accepted"] and piece["source"]


def test_held_categories_imply_their_smaller_ones() -> None:
    # CE implies C1E and BE: D1E needs D1, but DE needs D.
    doc = facts("licence_after_exam_extension", ["C1E"], held=[held("B"), held("CE")])
    assert evaluate(doc).codes() == ["wrong_procedure"]  # C1E already held through CE
    doc = facts("licence_after_exam_extension", ["D1E"], held=[held("B"), held("D")])
    assert evaluate(doc).codes() == []  # D implies D1


def test_territory_wording() -> None:
    reunion = evaluate(facts(EX1, ["B"], postal="97400", mandate=True))
    line = reunion.piece("regional_tax_receipt")
    assert line is not None and "domicile à La Réunion" in line.reason
    assert "domicile à La Réunion" in reunion.problems[0].message
    corse = evaluate(facts(EX1, ["B"], postal="20000")).piece("regional_tax_receipt")
    assert corse is not None and "domicile en Corse" in corse.reason
