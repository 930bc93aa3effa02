"""The /v1 API through FastAPI's TestClient, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from permis_server.service import set_status

from .helpers import auth, dossier_doc, page_bytes, sha, upload_all


def test_health_needs_no_token_and_whoami_names_the_desk(server, client):
    assert client.get("/v1/health").json()["status"] == "ok"
    token = server.token("agence-nord", "guichet-2")
    r = client.get("/v1/desk", headers=auth(token))
    assert r.status_code == 200
    assert r.json() == {"agency": "agence-nord", "desk": "guichet-2"}


def test_every_endpoint_refuses_a_missing_or_unknown_token(server, client):
    server.token()
    data = page_bytes("p")
    did = str(uuid.uuid4())
    calls = [
        ("GET", "/v1/desk", {}),
        ("HEAD", f"/v1/blobs/{sha(data)}", {}),
        ("PUT", f"/v1/blobs/{sha(data)}", {"content": data}),
        ("PUT", f"/v1/dossiers/{did}", {"json": dossier_doc({})}),
        ("GET", f"/v1/dossiers/{did}", {}),
        ("GET", "/v1/events?after=0", {}),
    ]
    bad = [{}, auth("pds_not-a-real-token"), auth("garbage"), {"Authorization": "Basic eDp5"}]
    for method, path, kwargs in calls:
        for headers in bad:
            r = client.request(method, path, headers=headers, **kwargs)
            assert r.status_code == 401, (method, path, headers, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
            if method != "HEAD":
                assert r.json()["error"] == "unauthorized"
    assert not server.blobs.exists(sha(data))


def test_a_revoked_or_replaced_token_stops_working(server, client):
    from permis_server.service import create_token, revoke_token

    old = server.token("agence-nord", "guichet-1")
    assert client.get("/v1/desk", headers=auth(old)).status_code == 200
    new, existed = create_token(server.db, "agence-nord", "guichet-1")
    assert existed
    assert client.get("/v1/desk", headers=auth(old)).status_code == 401
    assert client.get("/v1/desk", headers=auth(new)).status_code == 200
    revoke_token(server.db, "agence-nord", "guichet-1")
    assert client.get("/v1/desk", headers=auth(new)).status_code == 401


def test_only_a_hash_of_the_token_is_stored(server):
    from sqlalchemy import select

    from permis_server.models import Desk

    token = server.token()
    with server.db.read() as session:
        stored = session.scalars(select(Desk.token_sha256)).all()
    assert stored == [sha(token.encode())]
    assert token not in stored


def test_blob_upload_is_verified_idempotent_and_visible_to_head(server, client):
    token = server.token()
    data = page_bytes("page-1", 50_000)
    digest = sha(data)
    assert client.head(f"/v1/blobs/{digest}", headers=auth(token)).status_code == 404
    r = client.put(f"/v1/blobs/{digest}", content=data, headers=auth(token))
    assert r.status_code == 201
    assert r.json() == {"sha256": digest, "size": len(data), "created": True}
    r = client.put(f"/v1/blobs/{digest}", content=data, headers=auth(token))
    assert r.status_code == 200 and r.json()["created"] is False
    r = client.head(f"/v1/blobs/{digest}", headers=auth(token))
    assert r.status_code == 200
    assert r.headers["content-length"] == str(len(data))
    with server.blobs.open(digest) as handle:
        assert handle.read() == data


def test_blob_with_wrong_bytes_is_rejected_and_not_kept(server, client):
    token = server.token()
    data = page_bytes("page-1")
    digest = sha(data)
    r = client.put(f"/v1/blobs/{digest}", content=data[:-1], headers=auth(token))
    assert r.status_code == 400
    assert r.json()["error"] == "hash_mismatch"
    assert not server.blobs.exists(digest)
    assert list(server.blobs.iter_hashes()) == []
    assert list((server.data_dir / "blobs" / "tmp").iterdir()) == []


def test_blob_name_must_be_a_sha256_and_size_is_limited(server, client):
    token = server.token()
    r = client.put("/v1/blobs/ABC", content=b"x", headers=auth(token))
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    big = b"\0" * (4 * 1024 * 1024 + 1)
    r = client.put(f"/v1/blobs/{sha(big)}", content=big, headers=auth(token))
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert not server.blobs.exists(sha(big))


def test_dossier_waits_for_its_blobs_then_is_received_as_submitted(server, client):
    token = server.token()
    pages = {
        "identity": [page_bytes("id-recto"), page_bytes("id-verso")],
        "proof_of_address": [page_bytes("addr")],
    }
    did = str(uuid.uuid4())
    doc = dossier_doc(pages)
    # Only one blob is there: the answer lists exactly the two others.
    upload_all(client, token, {"identity": pages["identity"][:1]})
    r = client.put(f"/v1/dossiers/{did}", json=doc, headers=auth(token) | {"Idempotency-Key": "k1"})
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "missing_blobs"
    assert sorted(body["missing"]) == sorted(
        [sha(pages["identity"][1]), sha(pages["proof_of_address"][0])]
    )
    upload_all(client, token, pages)
    r = client.put(f"/v1/dossiers/{did}", json=doc, headers=auth(token) | {"Idempotency-Key": "k1"})
    assert r.status_code == 201, r.text
    assert r.json() == {
        "id": did,
        "outcome": "created",
        "received_version": 1,
        "version": 1,
        "status": "submitted",
    }
    r = client.get(f"/v1/dossiers/{did}", headers=auth(token))
    assert r.status_code == 200
    got = r.json()
    assert got["status"] == "submitted" and got["version"] == 1
    assert got["agency"] == "agence-nord" and got["desk"] == "guichet-1"
    assert got["document"] == doc["document"]
    assert got["pages"] == [sha(p) for ps in pages.values() for p in ps]
    assert [(e["from_status"], e["to_status"], e["source"]) for e in got["history"]] == [
        (None, "submitted", "desk")
    ]


def test_replays_are_no_ops_and_conflicts_are_explicit(server, client):
    token = server.token()
    pages = {"identity": [page_bytes("a")]}
    upload_all(client, token, pages)
    did = str(uuid.uuid4())
    h = auth(token) | {"Idempotency-Key": "item-1"}
    first = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=h)
    assert first.status_code == 201
    # Same key, same body: exactly the first answer.
    again = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=h)
    assert (again.status_code, again.json()) == (201, first.json())
    # Another key (e.g. the outbox item was recreated), same version and content: unchanged.
    r = client.put(
        f"/v1/dossiers/{did}",
        json=dossier_doc(pages),
        headers=auth(token) | {"Idempotency-Key": "item-2"},
    )
    assert r.status_code == 200 and r.json()["outcome"] == "unchanged"
    # Same key reused for a different body: refused.
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=2), headers=h)
    assert r.status_code == 422 and r.json()["error"] == "idempotency_key_reused"
    # Same version, different content: a conflict naming the server's version.
    r = client.put(
        f"/v1/dossiers/{did}", json=dossier_doc(pages, email="x@example.fr"), headers=auth(token)
    )
    assert r.status_code == 409
    assert r.json()["error"] == "version_conflict" and r.json()["version"] == 1
    # A newer version while still submitted: updated, no status event.
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=3), headers=auth(token))
    assert r.status_code == 200 and r.json()["outcome"] == "updated"
    # An older version arriving late: ignored, and the answer says so.
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=2), headers=auth(token))
    assert r.status_code == 200
    assert r.json() == {
        "id": did,
        "outcome": "superseded",
        "received_version": 2,
        "version": 3,
        "status": "submitted",
    }
    got = client.get(f"/v1/dossiers/{did}", headers=auth(token)).json()
    assert got["version"] == 3 and len(got["history"]) == 1
    from sqlalchemy import func, select

    from permis_server.models import Dossier, DossierRevision

    with server.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 1
        versions = session.scalars(
            select(DossierRevision.version).order_by(DossierRevision.version)
        ).all()
    assert versions == [1, 3]


def test_same_dossier_from_two_desks_of_one_agency_is_stored_once(server, client):
    t1 = server.token("agence-nord", "guichet-1")
    t2 = server.token("agence-nord", "guichet-2")
    pages = {"identity": [page_bytes("a")]}
    upload_all(client, t1, pages)
    did = str(uuid.uuid4())
    r1 = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(t1))
    r2 = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(t2))
    assert r1.json()["outcome"] == "created" and r2.json()["outcome"] == "unchanged"
    from permis_server.service import list_dossiers

    rows = list_dossiers(server.db)
    assert [r["id"] for r in rows] == [did]
    assert rows[0]["desk"] == "guichet-1"
    # The second desk sees it too (same agency) and can send the next version.
    assert client.get(f"/v1/dossiers/{did}", headers=auth(t2)).status_code == 200
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=2), headers=auth(t2))
    assert r.json()["outcome"] == "updated"
    assert list_dossiers(server.db)[0]["desk"] == "guichet-2"


def test_a_desk_never_reaches_another_agencys_dossiers_or_events(server, client):
    north = server.token("agence-nord", "guichet-1")
    south = server.token("agence-sud", "guichet-1")
    pages = {"identity": [page_bytes("a")]}
    upload_all(client, north, pages)
    did = str(uuid.uuid4())
    assert (
        client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(north)).status_code
        == 201
    )
    r = client.get(f"/v1/dossiers/{did}", headers=auth(south))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    # Overwriting it with a newer version from the other agency is refused.
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=5), headers=auth(south))
    assert r.status_code == 403
    # Replaying it as is would reveal nothing either.
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(south))
    assert r.status_code == 403
    set_status(server.db, did, "in_review")
    assert client.get("/v1/events?after=0", headers=auth(south)).json()["events"] == []
    north_events = client.get("/v1/events?after=0", headers=auth(north)).json()["events"]
    assert [e["to_status"] for e in north_events] == ["submitted", "in_review"]
    got = client.get(f"/v1/dossiers/{did}", headers=auth(north)).json()
    assert got["version"] == 1 and got["agency"] == "agence-nord"


def test_unknown_dossier_is_404_and_a_bad_id_is_invalid(server, client):
    token = server.token()
    r = client.get(f"/v1/dossiers/{uuid.uuid4()}", headers=auth(token))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.put("/v1/dossiers/not-a-uuid", json=dossier_doc({}), headers=auth(token))
    assert r.status_code == 422


@pytest.mark.parametrize(
    "bad",
    [
        {"version": 0, "procedure": "exam_registration_first"},
        {"version": 1, "procedure": "Exam Registration"},
        {
            "version": 1,
            "procedure": "exam_registration_first",
            "pieces": [{"kind": "identity", "pages": ["zz"]}],
        },
        {"version": 1, "procedure": "exam_registration_first", "unexpected": True},
    ],
)
def test_malformed_dossier_documents_are_refused_with_a_reason(server, client, bad):
    token = server.token()
    r = client.put(f"/v1/dossiers/{uuid.uuid4()}", json=bad, headers=auth(token))
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_request" and body["message"].startswith("Requête invalide")


def test_status_round_trip_through_the_feed_with_a_complement_request(server, client):
    token = server.token()
    pages = {
        "identity": [page_bytes("id")],
        "proof_of_address": [page_bytes("addr")],
        "photo_signature": [page_bytes("photo")],
    }
    upload_all(client, token, pages)
    did = str(uuid.uuid4())
    client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(token))
    feed = client.get("/v1/events", headers=auth(token)).json()
    cursor = feed["next_after"]
    assert [e["to_status"] for e in feed["events"]] == ["submitted"]

    set_status(server.db, did, "in_review")
    set_status(
        server.db,
        did,
        "complement_requested",
        "Justificatif de domicile de plus de 6 mois.",
        ["proof_of_address"],
    )
    feed = client.get(f"/v1/events?after={cursor}", headers=auth(token)).json()
    events = feed["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("submitted", "in_review"),
        ("in_review", "complement_requested"),
    ]
    assert events[1]["message"] == "Justificatif de domicile de plus de 6 mois."
    assert events[1]["pieces"] == ["proof_of_address"]
    assert events[1]["source"] == "back_office" and events[1]["version"] == 1
    assert events[0]["id"] < events[1]["id"] == feed["next_after"]
    got = client.get(f"/v1/dossiers/{did}", headers=auth(token)).json()
    assert got["requested_pieces"] == ["proof_of_address"]

    # The desk re-captures the piece and sends version 2: back to submitted.
    pages["proof_of_address"] = [page_bytes("addr-new")]
    upload_all(client, token, pages)
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=2), headers=auth(token))
    assert r.status_code == 200 and r.json()["outcome"] == "updated"
    last = client.get(f"/v1/events?after={feed['next_after']}", headers=auth(token)).json()[
        "events"
    ]
    assert [(e["from_status"], e["to_status"], e["version"]) for e in last] == [
        ("complement_requested", "submitted", 2)
    ]
    got = client.get(f"/v1/dossiers/{did}", headers=auth(token)).json()
    assert got["version"] == 2 and got["requested_pieces"] == [] and got["status_message"] == ""


def test_a_dossier_under_review_cannot_be_overwritten_by_a_desk(server, client):
    token = server.token()
    pages = {"identity": [page_bytes("id")]}
    upload_all(client, token, pages)
    did = str(uuid.uuid4())
    client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages), headers=auth(token))
    set_status(server.db, did, "in_review")
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc(pages, version=2), headers=auth(token))
    assert r.status_code == 409
    assert r.json()["error"] == "not_editable" and r.json()["status"] == "in_review"
    assert client.get(f"/v1/dossiers/{did}", headers=auth(token)).json()["version"] == 1


def test_event_feed_pages_with_a_cursor(server, client):
    token = server.token()
    ids = []
    for n in range(5):
        did = str(uuid.uuid4())
        ids.append(did)
        client.put(f"/v1/dossiers/{did}", json=dossier_doc({}, n=n), headers=auth(token))
    seen: list[int] = []
    after = 0
    while True:
        page = client.get(f"/v1/events?after={after}&limit=2", headers=auth(token)).json()
        seen += [e["id"] for e in page["events"]]
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert len(seen) == 5 and seen == sorted(seen) and len(set(seen)) == 5
    empty = client.get(f"/v1/events?after={after}", headers=auth(token)).json()
    assert empty == {"events": [], "next_after": after, "has_more": False}
    assert client.get("/v1/events?after=-1", headers=auth(token)).status_code == 422


def test_an_oversized_dossier_document_is_refused_before_it_is_read(server, client):
    token = server.token()
    huge = dossier_doc({}, notes="x" * (2 * 1024 * 1024 + 10))
    r = client.put(f"/v1/dossiers/{uuid.uuid4()}", json=huge, headers=auth(token))
    assert r.status_code == 413 and r.json()["error"] == "too_large"


def test_old_idempotency_keys_are_pruned_and_replays_stay_harmless(server, client):
    import datetime as dt

    from sqlalchemy import update

    from permis_server.models import IdempotencyKey
    from permis_server.service import prune_idempotency_keys

    token = server.token()
    did = str(uuid.uuid4())
    h = auth(token) | {"Idempotency-Key": "old-item"}
    assert client.put(f"/v1/dossiers/{did}", json=dossier_doc({}), headers=h).status_code == 201
    with server.db.write() as session:
        session.execute(update(IdempotencyKey).values(created_at=dt.datetime(2020, 1, 1)))
    assert prune_idempotency_keys(server.db, days=30) == 1
    r = client.put(f"/v1/dossiers/{did}", json=dossier_doc({}), headers=h)
    assert r.status_code == 200 and r.json()["outcome"] == "unchanged"
