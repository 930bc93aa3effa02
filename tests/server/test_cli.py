"""`permis-server` back-office commands, run in-process against the test database."""

from __future__ import annotations

import json
import uuid

import pytest

from permis_server.cli import main

from .helpers import auth, dossier_doc, page_bytes, sha, upload_all


def run(server, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(server.data_dir), "--database-url", server.url, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sent(server, client):
    """One dossier with three pieces, received from desk guichet-1 of agence-nord."""
    token = server.token()
    pages = {
        "identity": [page_bytes("r"), page_bytes("v")],
        "proof_of_address": [page_bytes("a")],
        "photo_signature": [page_bytes("p")],
    }
    upload_all(client, token, pages)
    did = str(uuid.uuid4())
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(token))
    assert r.status_code == 201
    return did, pages, token


def test_token_create_prints_the_token_once_and_it_works(server, client, capsys):
    code, out, err = run(
        server, capsys, "token", "create", "--agency", "agence-est", "--desk", "g1"
    )
    assert code == 0
    token = out.strip()
    assert token.startswith("pds_") and len(token) > 40 and "\n" not in token
    assert token not in err
    assert client.get("/v1/desk", headers=auth(token)).json() == {
        "agency": "agence-est",
        "desk": "g1",
    }
    code, out, _ = run(server, capsys, "token", "list", "--json")
    assert code == 0 and token not in out
    assert json.loads(out)[0]["desk"] == "g1"


def test_token_create_refuses_an_empty_name(server, capsys):
    code, out, err = run(server, capsys, "token", "create", "--agency", " ", "--desk", "g1")
    assert code == 2 and out == "" and "agence" in err


def test_dossier_list_json_has_the_contract_fields(server, capsys, sent):
    did, pages, _ = sent
    code, out, _ = run(server, capsys, "dossier", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in ("id", "status", "version", "procedure", "agency", "desk")} == {
        "id": did,
        "status": "submitted",
        "version": 1,
        "procedure": "exam_registration_first",
        "agency": "agence-nord",
        "desk": "guichet-1",
    }
    assert row["pages"] == [sha(p) for ps in pages.values() for p in ps]
    code, out, _ = run(server, capsys, "dossier", "list")
    assert code == 0 and did in out and "submitted" in out


def test_set_status_records_a_complement_request(server, client, capsys, sent):
    did, _, token = sent
    assert run(server, capsys, "dossier", "set-status", did, "in_review")[0] == 0
    code, out, _ = run(
        server,
        capsys,
        "dossier",
        "set-status",
        did,
        "complement_requested",
        "--message",
        "Photo illisible, refaire la pièce d'identité.",
        "--pieces",
        "identity,photo_signature",
    )
    assert code == 0 and "complement_requested" in out
    events = client.get("/v1/events", headers=auth(token)).json()["events"]
    assert events[-1]["pieces"] == ["identity", "photo_signature"]
    assert events[-1]["message"] == "Photo illisible, refaire la pièce d'identité."
    code, out, _ = run(server, capsys, "dossier", "show", did, "--json")
    shown = json.loads(out)
    assert shown["status"] == "complement_requested"
    assert [e["to_status"] for e in shown["history"]] == [
        "submitted",
        "in_review",
        "complement_requested",
    ]


@pytest.mark.parametrize(
    "args, words",
    [
        (["accepted", "--pieces", "identity"], "--pieces"),
        (["complement_requested", "--pieces", "identity"], "message"),
        (
            ["complement_requested", "--message", "x", "--pieces", "medical_opinion"],
            "medical_opinion",
        ),
        (["title_sent"], "title_sent"),
        (["teleported"], "Statut inconnu"),
    ],
)
def test_set_status_refuses_what_the_lifecycle_or_the_dossier_does_not_allow(
    server, capsys, sent, args, words
):
    did, _, _ = sent
    code, out, err = run(server, capsys, "dossier", "set-status", did, *args)
    assert code == 2, err
    assert words in err and out == ""
    code, out, _ = run(server, capsys, "dossier", "list", "--json")
    assert json.loads(out)[0]["status"] == "submitted"


def test_set_status_on_an_unknown_dossier(server, capsys):
    code, _, err = run(server, capsys, "dossier", "set-status", str(uuid.uuid4()), "in_review")
    assert code == 2 and "introuvable" in err


def test_a_final_status_says_it_is_final(server, capsys, sent):
    did, _, _ = sent
    assert (
        run(server, capsys, "dossier", "set-status", did, "rejected", "--message", "Hors délai")[0]
        == 0
    )
    code, _, err = run(server, capsys, "dossier", "set-status", did, "in_review")
    assert code == 2 and "définitif" in err


def test_an_unreachable_database_is_a_clear_failure(tmp_path, capsys):
    code = main(
        [
            "--data-dir",
            str(tmp_path),
            "--database-url",
            "postgresql://nobody:x@127.0.0.1:1/none",
            "dossier",
            "list",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 1
    assert "Impossible d'ouvrir la base de données" in err and "x@" not in err


def test_desk_only_statuses_are_refused(server, capsys, sent):
    did, _, _ = sent
    code, _, err = run(server, capsys, "dossier", "set-status", did, "draft")
    assert code == 2 and "propre au poste" in err
