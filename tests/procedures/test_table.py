"""The table of cases (rows in cases.py): each row's exact problem codes and required pieces."""

from __future__ import annotations

import pytest

from permis_desktop.procedures.checklist import evaluate

from .cases import CASES, EX1, EXX, T78, B, Case
from .factsbuilder import facts, held


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 80
    procedures = {c.doc["procedure"] for c in CASES}
    assert len(procedures) == 9
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    result = evaluate(case.doc)
    assert sorted(result.codes()) == sorted(case.problems), [p.message for p in result.problems]
    assert result.eligible is (not case.problems)
    assert result.procedure == case.doc["procedure"]
    assert result.reference_date.isoformat() == case.doc["reference_date"]
    for path in case.fields:
        assert path in [p.field for p in result.problems]
    required = {p.kind for p in result.pieces if p.required}
    optional = {p.kind for p in result.pieces if not p.required}
    if case.required is not None:
        assert required == case.required
    if case.optional is not None:
        assert optional == case.optional
    for kind, status in case.status.items():
        line = result.piece(kind)
        assert line is not None, kind
        assert line.status == status, (kind, line.detail)
        if status != "provided" and status != "missing":
            assert line.detail  # says why and what to do
    if case.age != "any":
        assert result.age == case.age
    warning_codes = [w.code for w in result.warnings]
    for code in case.warnings:
        assert code in warning_codes
    if case.territory is not False:
        assert result.regional_tax_territory == case.territory
    for problem in result.problems:
        assert problem.message and problem.field
    for line in result.pieces:
        assert line.reason and line.source and line.label


SOURCED = {"too_young", "missing_prerequisite", "prerequisite_too_recent", "mandate_not_allowed"}


@pytest.mark.parametrize(
    "case", [c for c in CASES if SOURCED & set(c.problems)], ids=lambda c: c.name
)
def test_rule_problems_cite_their_source(case: Case) -> None:
    for problem in evaluate(case.doc).problems:
        if problem.code in SOURCED:
            assert problem.source, problem


def test_b_age_source_follows_the_date() -> None:
    before = evaluate(facts(EX1, ["B"], birth="2006-06-01", ref="2023-12-31")).problems[0]
    assert "18 ans" in before.message and "avant 2024" in before.source
    after = evaluate(facts(EX1, ["B"], birth="2007-06-01", ref="2024-01-01")).problems[0]
    assert "17 ans" in after.message and "2023-1214" in after.source
    assert "01/06/2024" in after.message  # the day the applicant becomes eligible


def test_heavy_categories_mention_the_professional_exception() -> None:
    problem = evaluate(facts(EXX, ["C"], birth="2006-06-01", held=[B])).problems[0]
    assert problem.code == "too_young" and "parcours professionnel" in problem.message
    problem = evaluate(facts(EXX, ["BE"], birth="2009-11-27", held=[B])).problems[0]
    assert "parcours professionnel" not in problem.message


def test_b78_wait_source_is_the_old_arrete() -> None:
    doc = facts(T78, held=[held("B", "2024-01-15", "78")], ref="2024-02-29")
    problem = evaluate(doc).problems[0]
    assert "14 octobre 2016" in problem.source and "15/04/2024" in problem.message
