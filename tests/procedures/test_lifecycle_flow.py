"""The dossier lifecycle and the wizard flow, headless."""

from __future__ import annotations

import re

import pytest

from permis_desktop.errors import BadInput
from permis_desktop.procedures import flow, lifecycle
from permis_desktop.procedures.catalog import PROCEDURES, Group, procedures_by_group

from .factsbuilder import facts, held

DESIGN_STATUSES = [
    "draft",
    "ready",
    "submitted",
    "awaiting_applicant",
    "in_review",
    "complement_requested",
    "accepted",
    "title_in_production",
    "title_sent",
    "rejected",
    "cancelled",
]


def test_statuses_are_the_design_ids_with_labels_and_colours() -> None:
    assert list(lifecycle.STATUSES) == DESIGN_STATUSES
    assert set(lifecycle.TRANSITIONS) == set(DESIGN_STATUSES)
    for status in lifecycle.STATUSES.values():
        assert status.label and re.fullmatch(r"#[0-9A-F]{6}", status.colour)
    assert lifecycle.STATUSES["in_review"].label == "En cours d'instruction"
    assert lifecycle.INITIAL == "draft"


def test_transition_targets_are_known_statuses() -> None:
    for targets in lifecycle.TRANSITIONS.values():
        assert targets <= set(DESIGN_STATUSES)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("draft", "ready"),
        ("ready", "submitted"),
        ("ready", "draft"),
        ("submitted", "awaiting_applicant"),
        ("awaiting_applicant", "in_review"),
        ("submitted", "accepted"),
        ("in_review", "complement_requested"),
        ("complement_requested", "ready"),
        ("complement_requested", "in_review"),
        ("accepted", "title_in_production"),
        ("title_in_production", "title_sent"),
        ("in_review", "rejected"),
        ("rejected", "draft"),
        ("draft", "cancelled"),
    ],
)
def test_allowed(a: str, b: str) -> None:
    assert lifecycle.can_transition(a, b)
    lifecycle.check_transition(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("draft", "submitted"),
        ("draft", "accepted"),
        ("title_sent", "draft"),
        ("title_sent", "cancelled"),
        ("accepted", "draft"),
        ("in_review", "draft"),
        ("title_in_production", "accepted"),
        ("cancelled", "submitted"),
        ("ready", "accepted"),
    ],
)
def test_refused(a: str, b: str) -> None:
    assert not lifecycle.can_transition(a, b)
    with pytest.raises(lifecycle.TransitionError) as info:
        lifecycle.check_transition(a, b)
    assert "Impossible de passer" in str(info.value)
    assert isinstance(info.value, BadInput)


def test_final_status_message_and_same_status() -> None:
    with pytest.raises(lifecycle.TransitionError, match="définitif"):
        lifecycle.check_transition("title_sent", "draft")
    with pytest.raises(lifecycle.TransitionError, match="déjà"):
        lifecycle.check_transition("draft", "draft")
    with pytest.raises(lifecycle.TransitionError, match="Statut inconnu"):
        lifecycle.check_transition("draft", "lost")
    assert not lifecycle.can_transition("lost", "draft")


def test_every_status_reachable_from_draft_and_final_ones_flagged() -> None:
    seen, frontier = {"draft"}, ["draft"]
    while frontier:
        for nxt in lifecycle.next_statuses(frontier.pop()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(DESIGN_STATUSES)
    assert lifecycle.STATUSES["title_sent"].final and not lifecycle.next_statuses("title_sent")
    assert (
        lifecycle.STATUSES["draft"].editable and lifecycle.STATUSES["complement_requested"].editable
    )
    assert not lifecycle.STATUSES["submitted"].editable


# -- catalog ------------------------------------------------------------------------------------


def test_catalog_groups_for_the_new_dossier_dialog() -> None:
    groups = procedures_by_group()
    assert [g.label for g, _ in groups] == [
        "Inscription",
        "Titre après réussite",
        "Titre après formation",
    ]
    assert [len(p) for _, p in groups] == [2, 3, 4]
    for proc in PROCEDURES.values():
        assert proc.label and proc.help and proc.help.endswith(".")
    assert PROCEDURES["licence_after_training_am"].group is Group.AFTER_TRAINING


# -- flow ---------------------------------------------------------------------------------------


def test_adult_first_registration_steps() -> None:
    ids = flow.step_ids(facts("exam_registration_first", ["B"]))
    assert ids == [
        "demandeur",
        "adresse",
        "permis",
        "sante",
        "photo_signature",
        "mandat",
        "pieces",
        "recapitulatif",
    ]


def test_minor_gets_the_legal_representative_step_and_its_contact() -> None:
    steps = flow.steps(facts("exam_registration_first", ["B"], birth="2010-01-01"))
    assert "representant_legal" in [s.id for s in steps]
    rep = next(s for s in steps if s.id == "representant_legal")
    assert rep.title == "Représentant légal"
    email = next(f for f in rep.fields if f.path == "legal_representative.email")
    assert email.required
    applicant_email = next(f for s in steps for f in s.fields if f.path == "applicant.email")
    assert not applicant_email.required


def test_guardianship_gets_the_legal_representative_step() -> None:
    ids = flow.step_ids(facts("licence_after_exam_first", ["B"], guardianship=True))
    assert "representant_legal" in ids


def test_eighteen_today_has_no_legal_representative_step() -> None:
    assert "representant_legal" not in flow.step_ids(
        facts("exam_registration_first", ["B"], birth="2008-11-27")
    )
    assert "representant_legal" in flow.step_ids(
        facts("exam_registration_first", ["B"], birth="2008-11-28")
    )


def test_host_fields_only_when_hosted() -> None:
    def paths(doc: dict[str, object]) -> list[str]:
        return [f.path for s in flow.steps(doc) if s.id == "adresse" for f in s.fields]

    assert not any(p.startswith("host.") for p in paths(facts("licence_after_exam_first", ["B"])))
    hosted = paths(facts("licence_after_exam_first", ["B"], hosted=True))
    assert "host.birth_name" in hosted and "host.given_names" in hosted


TRAINING = ("training.kind", "training.completed")
REQUESTED = ("categories", "training_mode")
HELD = ("applicant.licence.number", "applicant.licence.categories")


@pytest.mark.parametrize(
    ("procedure", "permis", "formation"),
    [
        ("exam_registration_first", REQUESTED, False),
        ("exam_registration_extension", REQUESTED + HELD, False),
        ("licence_after_exam_first", ("categories",), False),
        ("licence_after_exam_extension", ("categories", *HELD), False),
        ("licence_after_exam_return", ("categories", *HELD), False),
        ("licence_after_training_am", None, True),
        ("licence_after_training_a", HELD, True),
        ("licence_after_training_b96", HELD, True),
        ("licence_after_training_78", HELD, True),
    ],
)
def test_steps_per_procedure(
    procedure: str, permis: tuple[str, ...] | None, formation: bool
) -> None:
    steps = {s.id: s for s in flow.steps(facts(procedure, held=[held("B")]))}
    if permis is None:
        assert "permis" not in steps
    else:
        assert tuple(f.path for f in steps["permis"].fields) == permis
    # The training step is for the training procedures only.
    assert ("formation" in steps) is formation
    if formation:
        assert tuple(f.path for f in steps["formation"].fields) == TRAINING
    assert list(steps)[0] == "demandeur" and list(steps)[-1] == "recapitulatif"
    assert set(steps) <= set(flow.STEP_IDS)
    assert [s for s in flow.STEP_IDS if s in steps] == list(steps)  # the documented order
    for step in steps.values():
        assert step.title == flow.STEP_TITLES[step.id]
    held_fields = [f for f in steps["permis"].fields if f.path in HELD] if permis else []
    # The former licence of a return after invalidation is optional; a held licence is not.
    for spec in held_fields:
        assert spec.required is (procedure != "licence_after_exam_return")


def test_licence_held_fields_not_for_a_first_licence_request() -> None:
    steps = {s.id: s for s in flow.steps(facts("licence_after_exam_first", ["B"]))}
    assert [f.path for f in steps["permis"].fields] == ["categories"]
    ext = {s.id: s for s in flow.steps(facts("licence_after_exam_extension", ["BE"]))}
    assert "applicant.licence.categories" in [f.path for f in ext["permis"].fields]


def test_birth_insee_only_for_a_birth_in_france() -> None:
    def demandeur(doc: dict[str, object]) -> list[str]:
        return [f.path for s in flow.steps(doc) if s.id == "demandeur" for f in s.fields]

    assert "applicant.birth_place.insee" in demandeur(facts("exam_registration_first", ["B"]))
    abroad = facts(
        "exam_registration_first",
        ["B"],
        applicant={"birth_place": {"commune": "Rabat", "country": "MAR"}},
    )
    assert "applicant.birth_place.insee" not in demandeur(abroad)


def test_flow_field_paths_exist_in_the_facts_document() -> None:
    from permis_desktop.procedures.facts import parse_facts, skeleton, skeleton_person

    doc = skeleton("licence_after_training_a")
    doc["legal_representative"] = skeleton_person(representative=True)
    doc["host"] = skeleton_person()
    parse_facts(doc)
    doc["applicant"]["hosted"] = True
    doc["applicant"]["under_guardianship"] = True
    for step in flow.steps(doc):
        for spec in step.fields:
            head, *rest = spec.path.split(".")
            assert head in doc, spec.path
            node = doc[head]
            for part in rest:
                assert isinstance(node, dict) and part in node, spec.path
                node = node[part]
