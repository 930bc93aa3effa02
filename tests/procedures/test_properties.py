"""Property tests of the rules: monotonic in the right directions, consistent output."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from permis_desktop.procedures.catalog import CATEGORIES, PIECE_ORDER, PROCEDURES
from permis_desktop.procedures.checklist import evaluate
from permis_desktop.procedures.facts import facts_to_json, parse_facts

from .factsbuilder import facts

DATES = st.dates(dt.date(1950, 1, 1), dt.date(2020, 12, 31))
REFS = st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31))
CATS = list(CATEGORIES)


@st.composite
def held_entries(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for category in draw(st.lists(st.sampled_from(CATS), max_size=3, unique=True)):
        entry: dict[str, Any] = {"category": category}
        if draw(st.booleans()):
            entry["obtained"] = draw(st.dates(dt.date(1990, 1, 1), dt.date(2026, 1, 1))).isoformat()
        entry["restrictions"] = draw(
            st.lists(st.sampled_from(["78", "96", "01"]), max_size=2, unique=True)
        )
        out.append(entry)
    return out


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    birth = draw(DATES)
    partial = draw(st.sampled_from(["full", "full", "full", "month", "year"]))
    birth_text = {
        "full": birth.isoformat(),
        "month": f"{birth.year:04d}-{birth.month:02d}-00",
        "year": f"{birth.year:04d}-00-00",
    }[partial]
    return facts(
        draw(st.sampled_from(list(PROCEDURES))),
        draw(st.lists(st.sampled_from(CATS), max_size=3, unique=True)),
        birth=birth_text,
        nationality=draw(st.sampled_from(["FRA", "FRA", "DEU", "MAR", None])),
        postal=draw(
            st.sampled_from(
                ["75011", "20000", "20200", "97400", "97100", "97600", "97300", "97200", None]
            )
        ),
        held=draw(held_entries()),
        ref=draw(REFS).isoformat(),
        mode=draw(st.sampled_from([None, "traditional", "accompanied", "supervised", "assisted"])),
        mandate=draw(st.booleans()),
        hosted=draw(st.booleans()),
        guardianship=draw(st.booleans()),
        medical={
            k: draw(st.booleans()) for k in ("condition", "adapted_vehicle", "invalidity_pension")
        },
    )


def kinds(doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    result = evaluate(doc)
    return {p.kind for p in result.pieces}, {p.kind for p in result.pieces if p.required}


@settings(max_examples=300, deadline=None)
@given(documents(), st.sampled_from(["condition", "adapted_vehicle", "invalidity_pension"]))
def test_adding_a_medical_flag_never_removes_a_piece(doc: dict[str, Any], flag: str) -> None:
    before_all, before_required = kinds(doc)
    flagged = copy.deepcopy(doc)
    flagged["applicant"]["medical"][flag] = True
    after_all, after_required = kinds(flagged)
    assert before_all <= after_all
    assert before_required <= after_required
    assert "medical_opinion" in after_required


@settings(max_examples=300, deadline=None)
@given(documents(), st.integers(min_value=1, max_value=3650))
def test_getting_older_never_adds_too_young(doc: dict[str, Any], days: int) -> None:
    before = evaluate(doc)
    later = copy.deepcopy(doc)
    ref = dt.date.fromisoformat(doc["reference_date"]) + dt.timedelta(days=days)
    later["reference_date"] = ref.isoformat()
    after = evaluate(later)
    if "too_young" in after.codes():
        assert "too_young" in before.codes()
    if before.age is not None:
        assert after.age is not None and after.age >= before.age


@settings(max_examples=300, deadline=None)
@given(documents())
def test_output_is_consistent(doc: dict[str, Any]) -> None:
    result = evaluate(doc)
    out = json.loads(json.dumps(result.to_json()))
    assert {"procedure", "reference_date", "age", "eligible", "problems", "pieces"} <= set(out)
    assert out["eligible"] is (out["problems"] == [])
    order = [p["kind"] for p in out["pieces"]]
    assert order == sorted(order, key=PIECE_ORDER.index) and len(set(order)) == len(order)
    for piece in out["pieces"]:
        assert piece["status"] in {"missing", "provided", "expired", "too_old"}
        assert piece["reason"] and piece["source"] and isinstance(piece["required"], bool)
    required = {p["kind"] for p in out["pieces"] if p["required"]}
    assert {"identity", "proof_of_address", "photo_signature"} <= required
    for problem in out["problems"]:
        assert set(problem) == {"code", "field", "message", "source"} and problem["message"]
    if result.age is not None and result.age_max is not None:
        assert result.age <= result.age_max


@settings(max_examples=200, deadline=None)
@given(documents())
def test_facts_round_trip(doc: dict[str, Any]) -> None:
    parsed = parse_facts(doc)
    assert parse_facts(json.loads(json.dumps(facts_to_json(parsed)))) == parsed
