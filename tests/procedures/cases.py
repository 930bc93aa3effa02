"""The rows of the table of cases (tests/procedures/test_table.py): the nine procedures, edge
ages on the birthday, the 2024 changes, overseas and Corsica, minors, hosted applicants,
foreigners, extensions, piece statuses and identifier checks. Each row states the exact
problem codes and required pieces expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .factsbuilder import facts, held

BASE = {"identity", "proof_of_address", "photo_signature"}
MINOR = {"guardian_identity"}
ASSR = {"road_safety_certificate"}
JDC = {"national_service"}


@dataclass
class Case:
    name: str
    doc: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    required: set[str] | None = None
    optional: set[str] | None = None
    status: dict[str, str] = field(default_factory=dict)
    age: int | None | str = "any"
    warnings: list[str] = field(default_factory=list)
    territory: str | None | bool = False  # False: not checked
    fields: list[str] = field(default_factory=list)  # problem fields that must appear


def pa(issued: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "proof_of_address", "document_type": "bill", "issued": issued, **kw}


def ident(doc_type: str, expires: str, kind: str = "identity") -> dict[str, Any]:
    return {"kind": kind, "document_type": doc_type, "expires": expires}


REG1, REGX = "exam_registration_first", "exam_registration_extension"
EX1, EXX, RET = (
    "licence_after_exam_first",
    "licence_after_exam_extension",
    "licence_after_exam_return",
)
AM, TA, B96, T78 = (
    "licence_after_training_am",
    "licence_after_training_a",
    "licence_after_training_b96",
    "licence_after_training_78",
)
B = held("B", "2015-01-10")
B78 = held("B", "2026-10-01", "78")

CASES = [
    # -- the nine procedures, adult French applicant in Paris (age 26) ----------------------
    Case("reg_first_adult", facts(REG1, ["B"]), [], BASE, set(), age=26, territory=None),
    Case("reg_ext_be", facts(REGX, ["BE"], held=[B]), [], BASE | {"current_licence"}, set()),
    Case("ex_first_b", facts(EX1, ["B"]), [], BASE | {"exam_certificate"}, set()),
    Case(
        "ex_ext_be",
        facts(EXX, ["BE"], held=[B]),
        [],
        BASE | {"current_licence", "exam_certificate"},
    ),
    Case("ex_return_b", facts(RET, ["B"]), [], BASE | {"exam_certificate", "medical_opinion"}),
    Case("am_adult_born_2000", facts(AM), [], BASE | {"training_certificate"} | ASSR),
    Case(
        "a_after_2_years",
        facts(TA, held=[held("A2", "2024-11-27")]),
        [],
        BASE | {"current_licence", "training_certificate"},
    ),
    Case(
        "b96_holder_b", facts(B96, held=[B]), [], BASE | {"current_licence", "training_certificate"}
    ),
    Case(
        "b78_lift_2026",
        facts(T78, held=[B78]),
        [],
        BASE | {"current_licence", "training_certificate"},
    ),
    # -- edge ages on the birthday -----------------------------------------------------------
    Case(
        "reg_b_16_today",
        facts(REG1, ["B"], birth="2010-11-27"),
        [],
        BASE | ASSR | MINOR,
        {"national_service", "hosting_attestation"},
        age=16,
    ),
    Case(
        "reg_b_16_tomorrow",
        facts(REG1, ["B"], birth="2010-11-28"),
        ["too_young"],
        age=15,
        fields=["applicant.birth_date"],
    ),
    Case(
        "reg_b_aac_15_today", facts(REG1, ["B"], birth="2011-11-27", mode="accompanied"), [], age=15
    ),
    Case(
        "reg_b_aac_15_tomorrow",
        facts(REG1, ["B"], birth="2011-11-28", mode="accompanied"),
        ["too_young"],
        age=14,
    ),
    Case(
        "reg_b_traditional_15",
        facts(REG1, ["B"], birth="2011-11-27", mode="traditional"),
        ["too_young"],
    ),
    Case("reg_b_supervised_16", facts(REG1, ["B"], birth="2010-06-01", mode="supervised"), []),
    Case(
        "ex_b_17_today",
        facts(EX1, ["B"], birth="2009-11-27"),
        [],
        BASE | {"exam_certificate"} | ASSR | MINOR | JDC,
        {"hosting_attestation"},
        age=17,
    ),
    Case("ex_b_17_tomorrow", facts(EX1, ["B"], birth="2009-11-28"), ["too_young"], age=16),
    Case(
        "am_14_today",
        facts(AM, birth="2012-11-27"),
        [],
        BASE | {"training_certificate"} | ASSR | MINOR,
        {"national_service", "hosting_attestation"},
        age=14,
    ),
    Case("am_14_tomorrow", facts(AM, birth="2012-11-28"), ["too_young"], age=13),
    Case(
        "am_born_1987_no_assr", facts(AM, birth="1987-12-31"), [], BASE | {"training_certificate"}
    ),
    Case(
        "am_born_1988_assr",
        facts(AM, birth="1988-01-01"),
        [],
        BASE | {"training_certificate"} | ASSR,
    ),
    Case("a_20_today", facts(TA, birth="2006-11-27", held=[held("A2", "2024-01-01")]), [], age=20),
    Case(
        "a_20_tomorrow",
        facts(TA, birth="2006-11-28", held=[held("A2", "2024-01-01")]),
        ["too_young"],
        age=19,
    ),
    Case(
        "adult_18_today",
        facts(REG1, ["B"], birth="2008-11-27"),
        [],
        BASE | ASSR | JDC,
        set(),
        age=18,
    ),
    Case(
        "minor_18_tomorrow",
        facts(REG1, ["B"], birth="2008-11-28"),
        [],
        BASE | ASSR | JDC | MINOR,
        {"hosting_attestation"},
        age=17,
    ),
    Case("assr_20", facts(REG1, ["B"], birth="2005-11-28"), [], BASE | ASSR | JDC, age=20),
    Case("assr_21_not_needed", facts(REG1, ["B"], birth="2005-11-27"), [], BASE | JDC, age=21),
    Case("jdc_24", facts(EX1, ["B"], birth="2001-11-28"), [], BASE | {"exam_certificate"} | JDC),
    Case(
        "jdc_25_not_needed",
        facts(EX1, ["B"], birth="2001-11-27"),
        [],
        BASE | {"exam_certificate"},
        set(),
    ),
    Case(
        "jdc_17_today_required",
        facts(REGX, ["A1"], birth="2009-11-27", held=[held("AM")]),
        [],
        BASE | {"current_licence"} | JDC | MINOR,
    ),
    Case(
        "born_29_feb_not_yet",
        facts(EX1, ["B"], birth="2008-02-29", ref="2025-02-28"),
        ["too_young"],
        age=16,
    ),
    Case(
        "born_29_feb_1_march", facts(EX1, ["B"], birth="2008-02-29", ref="2025-03-01"), [], age=17
    ),
    # -- the 2024 changes --------------------------------------------------------------------
    Case(
        "b_17_before_2024",
        facts(EX1, ["B"], birth="2006-06-01", ref="2023-12-31"),
        ["too_young"],
        age=17,
    ),
    Case("b_17_from_2024", facts(EX1, ["B"], birth="2006-06-01", ref="2024-01-01"), [], age=17),
    Case("b_18_before_2024", facts(EX1, ["B"], birth="2005-06-01", ref="2023-06-01"), [], age=18),
    Case("reg_b_16_before_2024", facts(REG1, ["B"], birth="2007-01-01", ref="2023-06-01"), []),
    Case(
        "b78_wait_before_march_2024",
        facts(T78, held=[held("B", "2024-01-15", "78")], ref="2024-02-29"),
        ["prerequisite_too_recent"],
        fields=["applicant.licence.categories[0].obtained"],
    ),
    Case(
        "b78_no_wait_from_march_2024",
        facts(T78, held=[held("B", "2024-01-15", "78")], ref="2024-03-01"),
        [],
    ),
    Case(
        "b78_wait_met_exactly",
        facts(T78, held=[held("B", "2023-11-29", "78")], ref="2024-02-29"),
        [],
    ),
    Case(
        "b78_wait_needs_date",
        facts(T78, held=[held("B", None, "78")], ref="2024-02-01"),
        ["missing_field"],
    ),
    Case("b78_no_date_needed_2026", facts(T78, held=[held("B", None, "78")]), []),
    # -- prerequisites and procedure fit -----------------------------------------------------
    Case(
        "a_a2_too_recent", facts(TA, held=[held("A2", "2024-11-28")]), ["prerequisite_too_recent"]
    ),
    Case("a_without_a2", facts(TA, held=[B]), ["missing_prerequisite"]),
    Case("a_a2_without_date", facts(TA, held=[held("A2", None)]), ["missing_field"]),
    Case("a_already_held", facts(TA, held=[held("A")]), ["wrong_procedure"]),
    Case("b96_without_b", facts(B96, held=[held("A2")]), ["missing_prerequisite"]),
    Case("b96_already_96", facts(B96, held=[held("B", "2015-01-10", "96")]), ["wrong_procedure"]),
    Case("b78_without_78", facts(T78, held=[B]), ["missing_prerequisite"]),
    Case("b78_without_licence", facts(T78), ["missing_prerequisite"]),
    Case(
        "reg_first_holder", facts(REG1, ["A2"], held=[B]), ["wrong_procedure"], fields=["procedure"]
    ),
    Case("ex_first_holder_am", facts(EX1, ["B"], held=[held("AM")]), ["wrong_procedure"]),
    Case("reg_ext_no_licence", facts(REGX, ["BE"]), ["missing_prerequisite", "wrong_procedure"]),
    Case(
        "ex_ext_already_held",
        facts(EXX, ["B"], held=[B]),
        ["wrong_procedure"],
        fields=["categories"],
    ),
    Case("reg_am_by_exam", facts(REG1, ["AM"]), ["wrong_procedure"]),
    Case("am_with_other_category", facts(AM, ["B"]), ["wrong_procedure"]),
    Case(
        "am_training_kind_mismatch",
        facts(AM, training={"kind": "b96"}),
        ["invalid_field"],
        fields=["training.kind"],
    ),
    Case(
        "am_training_kind_ok",
        facts(AM, ["AM"], training={"kind": "am", "completed": "2026-11-20"}),
        [],
    ),
    Case("ex_ext_ce_needs_c", facts(EXX, ["CE"], held=[B]), ["missing_prerequisite"]),
    Case(
        "ex_ext_ce_with_c",
        facts(EXX, ["CE"], held=[B, held("C")]),
        [],
        BASE | {"current_licence", "exam_certificate", "medical_opinion"},
    ),
    Case("ex_ext_c1e_with_c", facts(EXX, ["C1E"], held=[B, held("C")]), []),
    Case("ex_ext_d1e_needs_d1", facts(EXX, ["D1E"], held=[B]), ["missing_prerequisite"]),
    Case("ex_ext_de_with_d", facts(EXX, ["DE"], held=[B, held("D")]), []),
    Case("ex_ext_c1_needs_b", facts(EXX, ["C1"], held=[held("A2")]), ["missing_prerequisite"]),
    Case("ex_ext_d_23", facts(EXX, ["D"], birth="2002-11-28", held=[B]), ["too_young"]),
    Case("ex_ext_d_24", facts(EXX, ["D"], birth="2002-11-27", held=[B]), []),
    Case("ex_ext_c_20", facts(EXX, ["C"], birth="2006-06-01", held=[B]), ["too_young"]),
    Case(
        "reg_ext_c_20",
        facts(REGX, ["C"], birth="2006-06-01", held=[B]),
        [],
        BASE | {"current_licence", "medical_opinion"} | JDC,
    ),
    Case("reg_ext_c_19", facts(REGX, ["C"], birth="2007-06-01", held=[B]), ["too_young"]),
    Case("reg_ext_a2_17", facts(REGX, ["A2"], birth="2009-11-27", held=[held("AM")]), []),
    Case(
        "reg_ext_a2_16", facts(REGX, ["A2"], birth="2009-11-28", held=[held("AM")]), ["too_young"]
    ),
    Case("reg_first_a1_15", facts(REG1, ["A1"], birth="2011-11-27"), []),
    Case("ex_ext_a1_15", facts(EXX, ["A1"], birth="2011-11-27", held=[held("AM")]), ["too_young"]),
    Case("ex_ext_be_17", facts(EXX, ["BE"], birth="2009-11-27", held=[B]), ["too_young"]),
    Case("ex_first_b1_16", facts(EX1, ["B1"], birth="2010-11-27"), []),
    Case(
        "ex_return_jdc_22",
        facts(RET, ["B"], birth="2004-06-01"),
        [],
        BASE | {"exam_certificate", "medical_opinion"} | JDC,
    ),
    Case("ex_return_with_old_licence", facts(RET, ["B"], held=[B]), []),
    # -- overseas, Corsica, regional tax, mandate --------------------------------------------
    Case(
        "corse_ex_first",
        facts(EX1, ["B"], postal="20000"),
        [],
        BASE | {"exam_certificate", "regional_tax_receipt"},
        territory="Corse",
    ),
    Case(
        "corse_mandate",
        facts(EX1, ["B"], postal="20090", mandate=True),
        ["mandate_not_allowed"],
        fields=["mandate"],
    ),
    Case(
        "haute_corse_reg_mandate",
        facts(REG1, ["B"], postal="20200", mandate=True),
        ["mandate_not_allowed"],
        BASE,
        territory="Corse",
    ),
    Case(
        "martinique",
        facts(EX1, ["B"], postal="97200"),
        [],
        BASE | {"exam_certificate", "regional_tax_receipt"},
        territory="Martinique",
    ),
    Case(
        "guyane",
        facts(EXX, ["BE"], postal="97300", held=[B]),
        [],
        BASE | {"exam_certificate", "current_licence", "regional_tax_receipt"},
        territory="Guyane",
    ),
    Case(
        "reunion",
        facts(RET, ["B"], postal="97400"),
        [],
        BASE | {"exam_certificate", "medical_opinion", "regional_tax_receipt"},
        territory="La Réunion",
    ),
    Case("mayotte", facts(EX1, ["B"], postal="97600"), [], territory="Mayotte"),
    Case(
        "guadeloupe_no_tax",
        facts(EX1, ["B"], postal="97100", mandate=True),
        [],
        BASE | {"exam_certificate"},
        territory=None,
    ),
    Case("paris_mandate_ok", facts(EX1, ["B"], mandate=True), [], territory=None),
    Case(
        "reunion_a1_only_no_tax",
        facts(EX1, ["A1"], postal="97400"),
        [],
        BASE | {"exam_certificate"},
    ),
    Case(
        "reunion_a1_and_b1_tax",
        facts(EX1, ["A1", "B1"], postal="97400"),
        [],
        BASE | {"exam_certificate", "regional_tax_receipt"},
    ),
    Case("corse_am_no_tax", facts(AM, postal="20000"), [], BASE | {"training_certificate"} | ASSR),
    Case(
        "corse_b96_tax",
        facts(B96, postal="20000", held=[B]),
        [],
        BASE | {"current_licence", "training_certificate", "regional_tax_receipt"},
    ),
    Case(
        "martinique_a_tax",
        facts(TA, postal="97200", held=[held("A2", "2020-01-01")]),
        [],
        BASE | {"current_licence", "training_certificate", "regional_tax_receipt"},
    ),
    Case(
        "mayotte_78_mandate",
        facts(T78, postal="97600", held=[B78], mandate=True),
        ["mandate_not_allowed"],
        BASE | {"current_licence", "training_certificate", "regional_tax_receipt"},
    ),
    Case("reunion_registration_no_tax", facts(REG1, ["B"], postal="97400"), [], BASE),
    Case(
        "abroad_address_no_tax",
        facts(EX1, ["B"], postal="1000", country="BEL"),
        [],
        BASE | {"exam_certificate"},
        territory=None,
    ),
    # -- minors, guardianship, hosted ---------------------------------------------------------
    Case(
        "minor_hosted",
        facts(REG1, ["B"], birth="2010-05-05", hosted=True),
        [],
        BASE | ASSR | MINOR | {"hosting_attestation", "host_identity"},
        {"national_service"},
    ),
    Case(
        "adult_hosted",
        facts(EX1, ["B"], hosted=True),
        [],
        BASE | {"exam_certificate", "hosting_attestation", "host_identity"},
        set(),
    ),
    Case(
        "adult_guardianship",
        facts(EXX, ["BE"], held=[B], guardianship=True),
        [],
        BASE | {"current_licence", "exam_certificate"} | MINOR,
    ),
    Case(
        "minor_contact_warning",
        facts(REG1, ["B"], birth="2010-05-05"),
        [],
        warnings=["contact_missing"],
    ),
    Case(
        "minor_contact_from_representative",
        facts(
            REG1,
            ["B"],
            birth="2010-05-05",
            legal_representative={"quality": "mère", "email": "mere@example.fr"},
        ),
        [],
    ),
    # -- foreigners ---------------------------------------------------------------------------
    Case(
        "foreigner_mar",
        facts(EX1, ["B"], nationality="MAR", birth="2006-01-01"),
        [],
        BASE | {"exam_certificate", "residence_proof"} | ASSR,
    ),
    Case("eu_deu", facts(REG1, ["B"], nationality="DEU"), [], BASE | {"residence_proof"}),
    Case("swiss", facts(REG1, ["B"], nationality="CHE"), [], BASE | {"residence_proof"}),
    Case(
        "foreign_minor_no_jdc",
        facts(REG1, ["B"], nationality="DZA", birth="2009-01-01"),
        [],
        BASE | ASSR | MINOR | {"residence_proof"},
        {"hosting_attestation"},
    ),
    Case(
        "nationality_missing",
        facts(REG1, ["B"], nationality=None, birth="2007-01-01"),
        ["missing_field"],
        BASE | ASSR,
        {"national_service"},
        fields=["applicant.nationality"],
    ),
    # -- health -------------------------------------------------------------------------------
    Case(
        "medical_condition",
        facts(EX1, ["B"], medical={"condition": True}),
        [],
        BASE | {"exam_certificate", "medical_opinion"},
    ),
    Case(
        "adapted_vehicle",
        facts(REG1, ["B"], medical={"adapted_vehicle": True}),
        [],
        BASE | {"medical_opinion"},
    ),
    Case(
        "invalidity_pension",
        facts(B96, held=[B], medical={"invalidity_pension": True}),
        [],
        BASE | {"current_licence", "training_certificate", "medical_opinion"},
    ),
    Case("be_no_medical", facts(REGX, ["BE"], held=[B]), [], BASE | {"current_licence"}),
    Case(
        "reg_d1_medical",
        facts(REGX, ["D1"], held=[B]),
        [],
        BASE | {"current_licence", "medical_opinion"},
    ),
    # -- statuses of provided pieces ----------------------------------------------------------
    Case(
        "address_6_months_exactly",
        facts(EX1, ["B"], pieces=[pa("2026-05-27")]),
        [],
        status={"proof_of_address": "provided"},
    ),
    Case(
        "address_too_old",
        facts(EX1, ["B"], pieces=[pa("2026-05-26")]),
        [],
        status={"proof_of_address": "too_old"},
    ),
    Case(
        "address_old_and_new",
        facts(EX1, ["B"], pieces=[pa("2025-01-01"), pa("2026-11-01")]),
        [],
        status={"proof_of_address": "provided"},
    ),
    Case(
        "cni_expired_5_years",
        facts(EX1, ["B"], pieces=[ident("cni", "2021-11-27")]),
        [],
        status={"identity": "provided"},
    ),
    Case(
        "cni_expired_over_5",
        facts(EX1, ["B"], pieces=[ident("cni", "2021-11-26")]),
        [],
        status={"identity": "expired"},
    ),
    Case(
        "bio_passport_over_5",
        facts(EX1, ["B"], pieces=[ident("passport_biometric", "2021-11-26")]),
        [],
        status={"identity": "expired"},
    ),
    Case(
        "old_passport_2_years",
        facts(EX1, ["B"], pieces=[ident("passport_non_biometric", "2024-11-27")]),
        [],
        status={"identity": "provided"},
    ),
    Case(
        "old_passport_over_2",
        facts(EX1, ["B"], pieces=[ident("passport_non_biometric", "2024-11-26")]),
        [],
        status={"identity": "expired"},
    ),
    Case(
        "eu_licence_expired",
        facts(EX1, ["B"], pieces=[ident("licence_eu", "2026-11-26")]),
        [],
        status={"identity": "expired"},
    ),
    Case(
        "eu_licence_last_day",
        facts(EX1, ["B"], pieces=[ident("licence_eu", "2026-11-27")]),
        [],
        status={"identity": "provided"},
    ),
    Case(
        "host_identity_expired",
        facts(
            EX1,
            ["B"],
            hosted=True,
            pieces=[ident("residence_permit", "2026-01-01", "host_identity")],
        ),
        [],
        status={"host_identity": "expired", "hosting_attestation": "missing"},
    ),
    Case(
        "medical_2_years",
        facts(RET, ["B"], pieces=[{"kind": "medical_opinion", "issued": "2024-11-27"}]),
        [],
        status={"medical_opinion": "provided"},
    ),
    Case(
        "medical_over_2_years",
        facts(RET, ["B"], pieces=[{"kind": "medical_opinion", "issued": "2024-11-26"}]),
        [],
        status={"medical_opinion": "expired"},
    ),
    Case(
        "photo_6_months",
        facts(EX1, ["B"], photo={"code": "AB12CD34EF56GH78IJ90KL", "taken": "2026-05-27"}),
        [],
        status={"photo_signature": "provided"},
    ),
    Case(
        "photo_over_6_months",
        facts(EX1, ["B"], photo={"code": "AB12CD34EF56GH78IJ90KL", "taken": "2026-05-26"}),
        [],
        status={"photo_signature": "expired"},
    ),
    Case(
        "photo_missing",
        facts(EX1, ["B"], photo={}),
        [],
        status={"photo_signature": "missing"},
        warnings=[],
    ),
    Case(
        "residence_permit_expired",
        facts(
            EX1,
            ["B"],
            nationality="SEN",
            pieces=[
                {
                    "kind": "residence_proof",
                    "document_type": "residence_permit",
                    "expires": "2026-10-01",
                }
            ],
        ),
        [],
        status={"residence_proof": "expired"},
    ),
    Case(
        "show_json_missing_piece",
        facts(
            EX1,
            ["B"],
            pieces=[{"kind": "identity", "status": "missing", "pages": [], "document_type": None}],
        ),
        [],
        status={"identity": "missing"},
    ),
    Case(
        "piece_not_needed",
        facts(EX1, ["B"], pieces=[{"kind": "regional_tax_receipt"}]),
        [],
        warnings=["piece_not_needed"],
    ),
    # -- identifiers --------------------------------------------------------------------------
    Case(
        "bad_neph",
        facts(EX1, ["B"], applicant={"neph": "1234"}),
        ["invalid_field"],
        fields=["applicant.neph"],
    ),
    Case("good_neph", facts(EX1, ["B"], applicant={"neph": "1212 0120 0001"}), []),
    Case(
        "landline",
        facts(EX1, ["B"], applicant={"mobile": "01 23 45 67 89"}),
        ["invalid_field"],
        fields=["applicant.mobile"],
    ),
    Case(
        "bad_email",
        facts(EX1, ["B"], applicant={"email": "lea.martin@"}),
        ["invalid_field"],
        fields=["applicant.email"],
    ),
    Case(
        "photo_code_short",
        facts(EX1, ["B"], photo={"code": "AB12-CD34-EF56-GH78-IJ", "taken": "2026-11-01"}),
        [],
        warnings=["photo_code_length"],
        status={"photo_signature": "provided"},
    ),
    Case(
        "photo_code_bad_chars",
        facts(EX1, ["B"], photo={"code": "AB12CD34EF56GH78IJ90K!"}),
        ["invalid_field"],
        fields=["photo_signature.code"],
    ),
    Case(
        "corsica_insee_numeric",
        facts(
            EX1,
            ["B"],
            applicant={"birth_place": {"commune": "Ajaccio", "insee": "20004", "country": "FRA"}},
        ),
        ["invalid_field"],
        fields=["applicant.birth_place.insee"],
    ),
    Case(
        "corsica_insee_2a",
        facts(
            EX1,
            ["B"],
            applicant={"birth_place": {"commune": "Ajaccio", "insee": "2A004", "country": "FRA"}},
        ),
        [],
    ),
    Case(
        "born_abroad_insee_99",
        facts(
            EX1,
            ["B"],
            nationality="MAR",
            applicant={"birth_place": {"commune": "Rabat", "insee": "99350", "country": "MAR"}},
        ),
        [],
    ),
    Case(
        "postal_4_digits",
        facts(EX1, ["B"], postal="7501"),
        ["invalid_field"],
        fields=["applicant.address.postal_code"],
    ),
    Case(
        "partial_birth_date",
        facts(EX1, ["B"], birth="2000-00-00"),
        [],
        age=25,
        warnings=["partial_birth_date"],
    ),
    Case(
        "partial_birth_date_conservative",
        facts(EX1, ["B"], birth="2009-00-00", ref="2026-06-01"),
        ["too_young"],
        age=16,
    ),
    Case(
        "partial_month_known",
        facts(EX1, ["B"], birth="2009-05-00", ref="2026-06-01"),
        [],
        age=17,
        warnings=["partial_birth_date"],
    ),
    Case("birth_in_future", facts(EX1, ["B"], birth="2027-01-01"), ["invalid_field"], age=None),
    Case(
        "birth_missing",
        facts(EX1, ["B"], birth=None),
        ["missing_field"],
        BASE | {"exam_certificate"},
        {"national_service", "road_safety_certificate", "guardian_identity"},
        age=None,
    ),
    Case("categories_missing", facts(REG1, []), ["missing_field"], fields=["categories"]),
    Case("postal_missing", facts(EX1, ["B"], postal=None), ["missing_field"]),
    Case(
        "licence_obtained_future",
        facts(B96, held=[held("B", "2027-01-01")]),
        ["invalid_field", "missing_prerequisite"],
    ),
    Case(
        "representative_bad_mobile",
        facts(
            REG1,
            ["B"],
            birth="2010-01-01",
            legal_representative={"quality": "père", "mobile": "0700123456"},
        ),
        ["invalid_field"],
        fields=["legal_representative.mobile"],
    ),
    Case(
        "overseas_mobile",
        facts(EX1, ["B"], postal="97400", applicant={"mobile": "0692 12 34 56"}),
        [],
    ),
]
