"""Validate, reopen, archive, duplicates: the dossier's life at the desk."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from sqlalchemy import select

from permis_desktop.errors import BadInput
from permis_desktop.models.entities import OutboxItem
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.workflow import ValidationRefused, WorkflowService

TODAY = dt.date(2026, 11, 27)
ADULT_B = {
    "procedure": "exam_registration_first",
    "categories": ["B"],
    "training_mode": "traditional",
    "applicant": {
        "sex": "F",
        "birth_name": "Martin",
        "given_names": ["Léa"],
        "birth_date": "1996-05-14",
        "nationality": "FRA",
        "email": "lea@example.fr",
        "mobile": "0612345678",
        "birth_place": {"commune": "Lyon", "insee": "69123", "country": "FRA"},
        "address": {
            "line1": "3 rue des Lilas",
            "postal_code": "69003",
            "city": "Lyon",
            "country": "FRA",
        },
    },
    "photo_signature": {"code": "ABCD1234EFGH5678IJKL90", "taken": "2026-11-01"},
    "pieces": [
        {"kind": "identity", "document_type": "cni", "expires": "2031-01-01"},
        {"kind": "proof_of_address", "issued": "2026-10-15"},
        {"kind": "photo_signature"},
    ],
}


def _outbox(desk):
    with desk.db.transaction() as session:
        return [(o.dossier_version, o.state) for o in session.scalars(select(OutboxItem))]


def test_complete_dossier_validates_to_ready_with_one_outbox_item(desk) -> None:
    dossier_id = DossierService(desk.db).create(ADULT_B)
    row = DossierService(desk.db).list()[0]
    assert (row.pieces_done, row.pieces_required) == (3, 3)
    version = WorkflowService(desk.db, today=TODAY).validate(dossier_id)
    detail = DossierService(desk.db).get(dossier_id)
    assert detail.status == "ready"
    assert [e.to_status for e in detail.history] == ["draft", "ready"]
    assert _outbox(desk) == [(version, "pending")]
    assert DossierService(desk.db).list()[0].sync_state == "queued"


def test_incomplete_dossier_is_refused_with_each_obstacle(desk) -> None:
    facts = copy.deepcopy(ADULT_B)
    facts["pieces"] = [p for p in facts["pieces"] if p["kind"] != "proof_of_address"]
    facts["applicant"]["birth_date"] = "2012-01-01"
    dossier_id = DossierService(desk.db).create(facts)
    with pytest.raises(ValidationRefused) as refused:
        WorkflowService(desk.db, today=TODAY).validate(dossier_id)
    codes = {o.code for o in refused.value.obstacles}
    assert "too_young" in codes and "piece_missing" in codes
    assert "Justificatif de domicile : manquante." in str(refused.value)
    assert DossierService(desk.db).get(dossier_id).status == "draft"
    assert _outbox(desk) == []


def test_ready_dossier_is_read_only_until_reopened(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(ADULT_B)
    workflow = WorkflowService(desk.db, today=TODAY)
    workflow.validate(dossier_id)
    with pytest.raises(BadInput, match="rouvrez-le"):
        service.update(dossier_id, ADULT_B)
    workflow.reopen(dossier_id)
    assert service.get(dossier_id).status == "draft"
    assert _outbox(desk) == [(1, "withdrawn")]
    assert service.update(dossier_id, ADULT_B) == 2
    workflow.validate(dossier_id)
    assert _outbox(desk) == [(1, "withdrawn"), (2, "pending")]
    history = [(e.from_status, e.to_status) for e in service.get(dossier_id).history]
    assert history == [(None, "draft"), ("draft", "ready"), ("ready", "draft"), ("draft", "ready")]


def test_transitions_outside_the_lifecycle_are_refused(desk) -> None:
    dossier_id = DossierService(desk.db).create(ADULT_B)
    with pytest.raises(BadInput):
        WorkflowService(desk.db).set_status(dossier_id, "title_sent")
    assert DossierService(desk.db).get(dossier_id).status == "draft"


def test_archived_dossiers_leave_the_list_but_stay_findable(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(ADULT_B)
    WorkflowService(desk.db).archive(dossier_id)
    assert service.list() == [] and service.count() == 0
    assert [r.id for r in service.list(include_archived=True)] == [dossier_id]
    assert service.get(dossier_id).history[-1].message == "Dossier archivé"


def test_open_duplicates_match_name_and_birth_date_ignoring_accents(desk) -> None:
    service = DossierService(desk.db)
    existing = service.create(ADULT_B)
    workflow = WorkflowService(desk.db)
    assert [r.id for r in workflow.open_duplicates("MARTIN", ["Lea"], "1996-05-14")] == [existing]
    assert workflow.open_duplicates("Martin", ["Léa"], "1996-05-15") == []
    assert workflow.open_duplicates("Martine", ["Léa"], "1996-05-14") == []
    workflow.set_status(existing, "cancelled")
    assert workflow.open_duplicates("Martin", ["Léa"], "1996-05-14") == []


def test_unknown_fields_are_refused_on_create(desk) -> None:
    with pytest.raises(BadInput, match="adress"):
        DossierService(desk.db).create({**ADULT_B, "adress": {}})
