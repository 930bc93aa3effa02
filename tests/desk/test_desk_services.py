"""Service-level pieces of the desk: wizard position, mandate date, required fields,
blob references, and the `permis dossier validate|reopen|archive` twins of the window."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import text

from permis_desktop.cli import main
from permis_desktop.models.entities import Dossier, Page, Piece
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.workflow import missing_fields
from permis_desktop.ui.wizard.state import (
    editable_facts,
    field_of,
    get_path,
    iso_to_french,
    parse_french_date,
    set_path,
)

READY = {
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
        "birth_place": {"commune": "Lyon", "insee": "69123", "country": "FRA"},
        "address": {"line1": "3 rue des Lilas", "postal_code": "69003", "city": "Lyon"},
    },
    "photo_signature": {"code": "ABCD1234EFGH5678IJKL90", "taken": "2026-11-01"},
    "pieces": [
        {"kind": "identity", "document_type": "cni", "expires": "2031-01-01"},
        {"kind": "proof_of_address", "issued": "2026-11-15"},
    ],
    "reference_date": "2026-11-27",
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_wizard_step_and_mandate_date_are_kept_beside_the_facts(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create({"procedure": "exam_registration_first"})
    version = service.get(dossier_id).version
    service.set_wizard_step(dossier_id, "adresse")
    detail = service.get(dossier_id)
    assert (detail.wizard_step, detail.version) == ("adresse", version)
    facts = {**detail.facts, "mandate": True}
    service.update(dossier_id, facts, mandate_signed_on="2026-11-20")
    assert service.get(dossier_id).mandate_signed_on == "2026-11-20"
    service.update(dossier_id, facts)  # not given: kept
    assert service.get(dossier_id).mandate_signed_on == "2026-11-20"
    assert "wizard_step" not in service.get(dossier_id).to_json()


def test_required_fields_of_the_flow_stop_the_validation(desk) -> None:
    facts = copy.deepcopy(READY)
    facts["applicant"]["birth_place"]["commune"] = ""
    facts["applicant"]["sex"] = None
    missing = missing_fields(facts)
    assert [o.field for o in missing] == ["applicant.sex", "applicant.birth_place.commune"]
    assert "Demandeur" in missing[0].message
    assert missing_fields(READY) == []


def test_referenced_blobs_cover_every_table_that_points_to_one(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create({"procedure": "exam_registration_first"})
    with desk.db.transaction() as session:
        dossier = session.get(Dossier, dossier_id)
        piece = Piece(kind="identity", status="provided")
        dossier.pieces.append(piece)
        piece.pages.append(Page(original_sha256="a" * 64, processed_sha256="b" * 64))
    assert {"a" * 64, "b" * 64} <= service.referenced_blobs()


def test_refresh_list_columns_recounts_pieces(desk) -> None:
    service = DossierService(desk.db)
    dossier_id = service.create(copy.deepcopy(READY))
    with desk.db.transaction() as session:
        session.get(Dossier, dossier_id).pieces_done = 0
    service.refresh_list_columns(dossier_id)
    row = service.list()[0]
    assert (row.pieces_done, row.pieces_required) == (3, 3)


def test_facts_paths_and_french_dates() -> None:
    facts = editable_facts({"procedure": "exam_registration_first", "applicant": {"sex": "F"}})
    assert get_path(facts, "applicant.address.city") == ""
    assert facts["applicant"]["sex"] == "F"
    assert set_path(facts, "legal_representative.email", "mere@example.fr")
    assert facts["legal_representative"]["quality"] == ""
    assert not set_path(facts, "legal_representative.email", "mere@example.fr")
    assert parse_french_date("14/05/2007").iso == "2007-05-14"
    assert parse_french_date("14052007").iso == "2007-05-14"
    assert parse_french_date("00/00/1990", partial=True).iso == "1990-00-00"
    assert parse_french_date("00/00/1990").error
    assert "00/00/AAAA" in parse_french_date("14/00/1990", partial=True).error
    assert parse_french_date("1990").error
    assert iso_to_french("1990-05-00") == "00/05/1990"
    known = frozenset({"applicant.licence.categories"})
    assert field_of("applicant.licence.categories[0].obtained", known) == (
        "applicant.licence.categories"
    )
    assert field_of("procedure", known) is None


def test_cli_validate_refused_exits_1_with_french_obstacles(capsys, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"procedure": "exam_registration_first"}), encoding="utf-8")
    _, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "new", str(facts))
    dossier_id = out.strip()
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "dossier", "validate", dossier_id)
    assert code == 1 and out == ""
    assert "ne peut pas encore être validé" in err and "Justificatif d'identité" in err
    code, out, err = run(
        capsys, "--data-dir", str(tmp_path), "dossier", "validate", dossier_id, "--json"
    )
    assert code == 1
    report = json.loads(out)
    assert report["validated"] is False
    codes = {o["code"] for o in report["obstacles"]}
    assert {"missing_field", "piece_missing"} <= codes


def test_cli_validate_reopen_archive(capsys, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(READY), encoding="utf-8")
    _, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "new", str(facts))
    dossier_id = out.strip()
    code, out, _ = run(
        capsys, "--data-dir", str(tmp_path), "dossier", "validate", dossier_id, "--json"
    )
    assert code == 0, out
    assert json.loads(out)["status"] == "ready"
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "reopen", dossier_id)
    assert code == 0 and "rouvert" in out
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "archive", dossier_id)
    assert code == 0 and "archivé" in out
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "list", "--json")
    assert json.loads(out) == []
    code, _, _ = run(
        capsys, "--data-dir", str(tmp_path), "dossier", "archive", dossier_id, "--restore"
    )
    _, out, _ = run(capsys, "--data-dir", str(tmp_path), "dossier", "show", dossier_id, "--json")
    history = [(e["to"], e["source"], e["message"]) for e in json.loads(out)["history"]]
    assert ("ready", "cli", "Dossier validé") in history
    assert ("draft", "cli", "Dossier rouvert pour modification") in history
    assert ("draft", "cli", "Dossier archivé") in history
    assert ("draft", "cli", "Dossier sorti des archives") in history


def test_search_uses_the_trigram_index_and_stays_in_step_with_edits(desk) -> None:
    service = DossierService(desk.db)
    with desk.db.transaction() as session:
        triggers = {
            name
            for (name,) in session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            )
        }
    assert {"dossier_search_ai", "dossier_search_ad", "dossier_search_au"} <= triggers
    first = service.create(
        {
            "procedure": "exam_registration_first",
            "applicant": {
                "birth_name": "Lefèvre",
                "given_names": ["Chloé"],
                "neph": "121201200001",
            },
        }
    )
    second = service.create(
        {
            "procedure": "exam_registration_first",
            "applicant": {"birth_name": "Li", "given_names": ["Bo"]},
        }
    )
    assert [r.id for r in service.list(search="LEFEVRE chlo")] == [first]
    assert [r.id for r in service.list(search="01200")] == [first]  # inside the NEPH
    assert [r.id for r in service.list(search="li bo")] == [second]  # short words: LIKE
    assert service.count(search="efe") == 1
    detail = service.get(first)
    facts = {**detail.facts, "applicant": {**detail.facts["applicant"], "birth_name": "Durand"}}
    service.update(first, facts)
    assert service.list(search="lefevre") == []
    assert [r.id for r in service.list(search="durand")] == [first]
    service.delete(first)
    assert service.list(search="durand") == []


def test_a_date_that_must_be_past_refuses_the_future() -> None:
    today = dt.date(2026, 11, 27)
    assert parse_french_date("28/11/2026", latest=today).error.startswith("Cette date est dans")
    assert parse_french_date("27/11/2026", latest=today).iso == "2026-11-27"
