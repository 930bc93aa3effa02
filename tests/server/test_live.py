"""The service over real HTTP on 127.0.0.1 (uvicorn), with concurrent clients."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import httpx

from permis_server.service import list_dossiers, set_status

from .helpers import auth, dossier_doc, page_bytes, sha


def test_a_large_page_is_streamed_and_verified(server, live):
    token = server.token()
    data = page_bytes("big", 3_500_000)
    digest = sha(data)

    def chunks():
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    with httpx.Client(base_url=live, headers=auth(token)) as http:
        r = http.put(f"/v1/blobs/{digest}", content=chunks())
        assert r.status_code == 201, r.text
        assert http.head(f"/v1/blobs/{digest}").headers["content-length"] == str(len(data))
    assert sha(server.blobs.path(digest).read_bytes()) == digest


def test_a_body_cut_mid_upload_leaves_nothing_behind(server, live):
    token = server.token()
    data = page_bytes("cut", 200_000)
    digest = sha(data)
    url = urlparse(live)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(
            f"PUT /v1/blobs/{digest} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Length: {len(data)}\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
        )
        sock.sendall(data[: len(data) // 2])
        time.sleep(0.2)
    tmp = server.data_dir / "blobs" / "tmp"
    deadline = time.monotonic() + 10
    while tmp.exists() and any(tmp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server.blobs.exists(digest)
    assert not tmp.exists() or list(tmp.iterdir()) == []
    # The desk sends it again in full: accepted.
    with httpx.Client(base_url=live, headers=auth(token)) as http:
        assert http.put(f"/v1/blobs/{digest}", content=data).status_code == 201


def test_the_same_dossier_sent_at_once_from_two_desks_is_stored_once(server, live):
    tokens = [server.token("agence-nord", "guichet-1"), server.token("agence-nord", "guichet-2")]
    pages = {"identity": [page_bytes("i")], "photo_signature": [page_bytes("p")]}
    with httpx.Client(base_url=live, headers=auth(tokens[0])) as http:
        for blobs in pages.values():
            for data in blobs:
                assert http.put(f"/v1/blobs/{sha(data)}", content=data).status_code == 201
    did = str(uuid.uuid4())
    doc = dossier_doc(pages)
    barrier = threading.Barrier(12)

    def send(n: int) -> tuple[int, str]:
        with httpx.Client(base_url=live, headers=auth(tokens[n % 2]), timeout=30) as http:
            barrier.wait()
            r = http.put(f"/v1/dossiers/{did}", json=doc, headers={"Idempotency-Key": f"item-{n}"})
            return r.status_code, r.json()["outcome"]

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(send, range(12)))
    outcomes = sorted(o for _, o in answers)
    assert outcomes.count("created") == 1, answers
    assert set(outcomes) <= {"created", "unchanged"}
    rows = list_dossiers(server.db)
    assert [r["id"] for r in rows] == [did]
    with httpx.Client(base_url=live, headers=auth(tokens[1])) as http:
        events = http.get("/v1/events").json()["events"]
    assert [(e["dossier_id"], e["to_status"]) for e in events] == [(did, "submitted")]


def test_concurrent_replays_with_one_idempotency_key_all_get_the_first_answer(server, live):
    token = server.token()
    did = str(uuid.uuid4())
    barrier = threading.Barrier(8)

    def send(_n: int) -> tuple[int, dict]:
        with httpx.Client(base_url=live, headers=auth(token), timeout=30) as http:
            barrier.wait()
            r = http.put(
                f"/v1/dossiers/{did}",
                json=dossier_doc({}),
                headers={"Idempotency-Key": "outbox-item-7"},
            )
            return r.status_code, r.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert all(a == answers[0] for a in answers), answers
    assert answers[0][0] == 201 and answers[0][1]["outcome"] == "created"
    assert len(list_dossiers(server.db)) == 1


def test_a_desk_polling_during_concurrent_writes_misses_no_event(server, live):
    """Event ids must become visible in increasing order, or a cursor would skip some."""
    token = server.token()
    writers_done = threading.Event()
    received: list[int] = []

    def poll() -> None:
        after = 0
        with httpx.Client(base_url=live, headers=auth(token), timeout=30) as http:
            while True:
                finished = writers_done.is_set()
                page = http.get(f"/v1/events?after={after}").json()
                received.extend(e["id"] for e in page["events"])
                after = page["next_after"]
                if finished and not page["has_more"]:
                    return

    def write(n: int) -> None:
        did = str(uuid.uuid4())
        with httpx.Client(base_url=live, headers=auth(token), timeout=30) as http:
            r = http.put(f"/v1/dossiers/{did}", json=dossier_doc({}, n=n))
            assert r.status_code == 201, r.text
        set_status(server.db, did, "in_review")
        set_status(server.db, did, "accepted")

    poller = threading.Thread(target=poll)
    poller.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(40)))
    writers_done.set()
    poller.join(60)
    assert len(received) == 120
    assert received == sorted(received) and len(set(received)) == 120
    # Ids come from one counter: no gaps either.
    assert received == list(range(received[0], received[0] + 120))
