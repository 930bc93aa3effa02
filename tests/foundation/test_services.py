from __future__ import annotations

import pytest

from permis_desktop.errors import BadInput
from permis_desktop.services.dossiers import DossierService

FACTS = {
    "procedure": "exam_registration_first",
    "categories": ["B"],
    "training_mode": "traditional",
    "mandate": True,
    "applicant": {
        "sex": "F",
        "birth_name": "Dupré",
        "given_names": ["Élodie", "Anne"],
        "birth_date": "2005-04-02",
        "nationality": "FRA",
        "email": "elodie@example.fr",
        "mobile": "+33612345678",
        "neph": "123456789012",
        "address": {
            "line1": "3 rue des Lilas",
            "postal_code": "69003",
            "city": "Lyon",
            "country": "FRA",
        },
        "medical": {"condition": False},
    },
    "photo_signature": {"code": "ABCD1234EFGH5678IJKL90", "taken": "2026-10-01"},
    "pieces": [{"kind": "identity", "document_type": "cni", "expires": "2031-05-01"}],
}


def test_create_and_get_round_trips_the_facts(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(FACTS)
    detail = service.get(dossier_id)
    assert detail.status == "draft" and detail.version == 1
    facts = detail.facts
    for key in ("procedure", "categories", "training_mode", "mandate", "photo_signature"):
        assert facts[key] == FACTS[key]
    assert facts["applicant"] == FACTS["applicant"]
    assert facts["pieces"] == FACTS["pieces"]
    assert [e.to_status for e in detail.history] == ["draft"]


def test_update_bumps_version_and_replaces_facts(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(FACTS)
    changed = {
        **FACTS,
        "categories": ["A2"],
        "legal_representative": {"birth_name": "Dupré", "given_names": ["Marc"]},
    }
    assert service.update(dossier_id, changed) == 2
    facts = service.get(dossier_id).facts
    assert facts["categories"] == ["A2"]
    assert facts["legal_representative"]["given_names"] == ["Marc"]
    service.update(dossier_id, FACTS)
    assert "legal_representative" not in service.get(dossier_id).facts


@pytest.mark.parametrize(
    "query",
    [
        "elodie",
        "DUPRE",
        "dupré élodie",
        "02/04/2005",
        "2005-04-02",
        "123456789012",
        "elodie@example",
        "0612345678",
    ],
)
def test_search_is_accent_and_case_insensitive_on_name_dates_and_contact(desk, query) -> None:
    service = DossierService(desk.db)
    wanted = service.create(FACTS)
    service.create(
        {
            "procedure": "exam_registration_first",
            "applicant": {"birth_name": "Martin", "given_names": ["Paul"]},
        }
    )
    assert [r.id for r in service.list(search=query)] == [wanted]


def test_list_filters_by_status_and_counts(desk) -> None:
    service = DossierService(desk.db)
    service.create(FACTS)
    assert len(service.list(status="draft")) == 1
    assert service.list(status="ready") == []
    assert service.count_by_status() == {"draft": 1}


def test_delete_removes_dossier_and_unshared_applicant(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(FACTS)
    service.delete(dossier_id)
    assert service.list() == []
    with pytest.raises(BadInput, match="Aucun dossier"):
        service.get(dossier_id)


def test_bad_dates_in_pieces_are_refused_in_french(desk) -> None:
    with pytest.raises(BadInput, match="Date invalide"):
        DossierService(desk.db).create(
            {**FACTS, "pieces": [{"kind": "identity", "expires": "31/12/2030"}]}
        )
    assert DossierService(desk.db).list() == []


def test_short_id_prefix_opens_the_dossier(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(FACTS)
    assert service.get(dossier_id[:8]).id == dossier_id
