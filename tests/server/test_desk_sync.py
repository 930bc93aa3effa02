"""The desk's sync client (permis_desktop.sync) against the real service over HTTP."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from permis_desktop.models.entities import Dossier, OutboxItem, Page, StatusEvent
from permis_server.service import Refused, create_token, get_dossier, revoke_token, set_status

from .desk import Desk
from .helpers import auth, dossier_doc, free_port, page_bytes, sha


@pytest.fixture
def db_url(tmp_path) -> str:
    """The desk client is what is tested here: the server runs on SQLite only (its own
    tests, and the end-to-end runs, cover PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'server' / 'permis-server.sqlite3'}"


@pytest.fixture
def desk(server, live, tmp_path) -> Iterator[Desk]:
    d = Desk(tmp_path / "desk1", live, server.token("agence-nord", "guichet-1"))
    yield d
    d.close()


def history(desk: Desk, did: str) -> list[tuple[str | None, str, str]]:
    with desk.db.transaction() as session:
        rows = session.scalars(
            select(StatusEvent).where(StatusEvent.dossier_id == did).order_by(StatusEvent.id)
        ).all()
        return [(r.from_status, r.to_status, r.source) for r in rows]


def test_queued_dossiers_are_sent_pages_first_and_marked_submitted_on_ack(server, desk):
    ids = [desk.queued(f"NOM{n}", pieces=3, pages=2) for n in range(3)]
    draft = desk.new_dossier("BROUILLON")
    report = desk.worker().run_once()
    assert report.ok and report.sent == 3 and report.uploaded_pages == 18
    for did in ids:
        assert desk.status(did) == "submitted"
        assert desk.items(did) == [("done", 0, "")]
        assert history(desk, did)[-1] == ("ready", "submitted", "sync")
        remote = get_dossier(server.db, did, "agence-nord")
        with desk.db.transaction() as session:
            local = [
                p.original_sha256 for piece in session.get(Dossier, did).pieces for p in piece.pages
            ]
        assert remote.pages == local and remote.status == "submitted"
        for h in local:
            assert sha(server.blobs.path(h).read_bytes()) == h
    assert desk.status(draft) == "draft"
    with pytest.raises(Refused) as refused:
        get_dossier(server.db, draft, None)
    assert refused.value.code == "not_found"
    again = desk.worker().run_once()
    assert again.ok and again.sent == 0 and again.uploaded_pages == 0


def test_unreachable_service_backs_off_per_item_and_keeps_everything(server, desk, tmp_path):
    offline = Desk(tmp_path / "desk-off", f"http://127.0.0.1:{free_port()}", desk.token)
    try:
        did = offline.queued("HORSLIGNE")
        report = offline.worker().run_once()
        assert not report.ok and not report.reachable and report.retrying == 1
        assert offline.status(did) == "ready"
        [(state, attempts, error)] = offline.items(did)
        assert (state, attempts) == ("pending", 1) and "injoignable" in error
        with offline.db.transaction() as session:
            item = session.scalars(select(OutboxItem)).one()
            assert item.next_attempt_at > dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # Not due yet: a new round does not hammer the server.
        assert offline.worker().run_once().retrying == 0
        # The network comes back: "Réessayer" makes it due, and it goes.
        offline.base_url = desk.base_url
        assert offline.worker().outbox.retry_now() == 1
        assert offline.worker().run_once().sent == 1
        assert offline.status(did) == "submitted"
    finally:
        offline.close()


def test_a_refused_token_stops_the_round_and_loses_nothing(server, desk):
    ids = [desk.queued("A"), desk.queued("B")]
    revoke_token(server.db, "agence-nord", "guichet-1")
    report = desk.worker().run_once()
    assert report.needs_token and report.sent == 0 and not report.ok
    for did in ids:
        assert desk.status(did) == "ready"
        state, attempts, _ = desk.items(did)[0]
        assert (state, attempts) == ("pending", 0)
    desk.token = create_token(server.db, "agence-nord", "guichet-1")[0]
    assert desk.worker().run_once().sent == 2
    assert [desk.status(d) for d in ids] == ["submitted", "submitted"]


def test_a_permanent_refusal_stops_only_that_item(server, desk, client):
    # The server already holds this dossier id for another agency: 403 for this desk.
    first = desk.queued("PREMIER")
    blocked = desk.queued("BLOQUE")
    last = desk.queued("DERNIER")
    other = server.token("agence-sud", "guichet-9")
    r = client.put(f"/v1/dossiers/{blocked}", json=dossier_doc({}), headers=auth(other))
    assert r.status_code == 201
    report = desk.worker().run_once()
    assert (report.sent, report.failed) == (2, 1)
    assert desk.status(first) == desk.status(last) == "submitted"
    assert desk.status(blocked) == "ready"
    state, _, error = desk.items(blocked)[0]
    assert state == "failed" and "autre agence" in error
    with desk.db.transaction() as session:
        assert session.get(Dossier, blocked).sync_state == "failed"
    # It is listed for the sync panel, and "Réessayer" queues it again.
    worker = desk.worker()
    assert [(w.dossier_id, w.state) for w in worker.outbox.waiting()] == [(blocked, "failed")]
    assert worker.outbox.retry_now() == 1
    assert desk.items(blocked)[0][0] == "pending"


def test_status_round_trip_and_complement_resubmission(server, desk):
    did = desk.queued("MARTIN", pieces=3)
    worker = desk.worker()
    worker.run_once()
    set_status(server.db, did, "in_review")
    set_status(server.db, did, "complement_requested", "Photo floue.", ["photo_signature"])
    applied = []
    worker.on_applied = applied.append
    report = worker.run_once()
    assert [(a.from_status, a.to_status) for a in report.applied] == [
        ("submitted", "in_review"),
        ("in_review", "complement_requested"),
    ]
    assert applied == report.applied
    assert desk.status(did) == "complement_requested"
    with desk.db.transaction() as session:
        dossier = session.get(Dossier, did)
        statuses = {p.kind: p.status for p in dossier.pieces}
        last = dossier.events[-1]
        version = dossier.version
    assert statuses == {
        "identity": "provided",
        "proof_of_address": "provided",
        "photo_signature": "missing",
    }
    assert (
        last.source == "server"
        and "photo_signature" in last.message
        and "Photo floue." in last.message
    )
    # Applying the feed again changes nothing.
    assert worker.run_once().applied == []
    # The desk re-captures the photo and validates again: a new version goes up.
    with desk.db.transaction() as session:
        dossier = session.get(Dossier, did)
        piece = next(p for p in dossier.pieces if p.kind == "photo_signature")
        new_sha = desk.ctx.blobs.put(page_bytes("photo-nette"))
        piece.pages = [Page(position=0, original_sha256=new_sha)]
        piece.status = "provided"
        dossier.version += 1
    desk.validate(did)
    report = worker.run_once()
    assert report.sent == 1 and report.uploaded_pages == 1
    remote = get_dossier(server.db, did, None)
    assert remote.version == version + 1 and remote.status == "submitted"
    assert new_sha in remote.pages
    assert desk.status(did) == "submitted"


def test_a_lost_acknowledgement_is_recovered_without_duplicates(server, desk):
    did = desk.queued("PERDU")
    # The dossier reached the server but the answer never came back to the desk.
    with desk.db.transaction() as session:
        item = session.scalars(select(OutboxItem)).one()
        dossier = session.get(Dossier, did)
        from permis_desktop.sync.outbox import build_upload

        upload, key = build_upload(dossier), item.idempotency_key
    with desk.client() as c:
        for piece in upload["pieces"]:
            for h in piece["pages"]:
                c.put_blob(h, desk.ctx.blobs.path(h))
        assert c.put_dossier(did, upload, key).outcome == "created"
    set_status(server.db, did, "in_review")
    report = desk.worker().run_once()
    assert report.sent == 1 and report.uploaded_pages == 0
    assert desk.status(did) == "in_review"
    assert history(desk, did)[-2:] == [
        ("ready", "submitted", "sync"),
        ("submitted", "in_review", "server"),
    ]
    assert len(get_dossier(server.db, did, None).history) == 2


def test_the_feed_alone_confirms_a_dossier_whose_answer_was_lost(server, desk):
    from permis_desktop.sync.client import FeedEvent
    from permis_desktop.sync.feed import Cursor, Feed

    did = desk.queued("SUIVI")
    with desk.db.transaction() as session:
        version = session.get(Dossier, did).version
    feed = Feed(desk.db, Cursor(desk.paths.data / "c.json", desk.base_url))
    applied = feed.apply(
        FeedEvent(7, did, "2026-01-01T00:00:00Z", "submitted", "in_review", version, "back_office")
    )
    assert applied is not None and desk.status(did) == "in_review"
    assert desk.items(did)[0][0] == "done"


def test_permis_sync_once_exit_codes(server, desk, capsys):
    from permis_desktop.cli import main as permis

    data = str(desk.paths.data)
    assert permis(["--data-dir", data, "config", "set", "sync.server_url", desk.base_url]) == 0
    assert permis(["--data-dir", data, "config", "set", "sync.token", desk.token]) == 0
    did = desk.queued("CLI")
    assert permis(["--data-dir", data, "sync", "--once"]) == 0
    assert desk.status(did) == "submitted"
    out = capsys.readouterr().out
    assert "1 dossier(s) envoyé(s)" in out
    # Unreachable server: something is left waiting, exit 1.
    desk.queued("CLI2")
    assert (
        permis(
            [
                "--data-dir",
                data,
                "config",
                "set",
                "sync.server_url",
                f"http://127.0.0.1:{free_port()}",
            ]
        )
        == 0
    )
    assert permis(["--data-dir", data, "sync", "--once"]) == 1
    assert "injoignable" in capsys.readouterr().err


def test_permis_sync_without_settings_says_what_to_set(tmp_path, capsys):
    from permis_desktop.cli import main as permis

    assert permis(["--data-dir", str(tmp_path / "d"), "sync", "--once"]) == 2
    assert "sync.server_url" in capsys.readouterr().err


def test_the_worker_thread_retries_on_its_timer_without_a_new_local_write(server, desk):
    statuses = []
    live_url = desk.base_url
    desk.base_url = f"http://127.0.0.1:{free_port()}"  # the service is not reachable yet
    did = desk.queued("MINUTERIE")
    worker = desk.worker(poll_seconds=0.2, on_status=statuses.append)
    worker.start()
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=20)
        while not statuses and dt.datetime.now() < deadline:
            threading.Event().wait(0.02)
        assert statuses and statuses[0].online is False and statuses[0].waiting == 1
        assert desk.items(did)[0][:2] == ("pending", 1)
        desk.base_url = live_url  # the network is back; nobody writes or clicks anything
        while desk.status(did) != "submitted" and dt.datetime.now() < deadline:
            threading.Event().wait(0.05)
        assert desk.status(did) == "submitted"
        while (not statuses[-1].online or statuses[-1].waiting) and dt.datetime.now() < deadline:
            threading.Event().wait(0.05)
        assert statuses[-1].online and statuses[-1].waiting == 0 and statuses[-1].last_sync
    finally:
        worker.stop()


def test_the_same_dossier_from_two_desks_of_one_agency_is_stored_once(server, desk, tmp_path):
    import shutil

    did = desk.queued("COPIE", pieces=3)
    # The second desk works on a copy of the first one's data folder (a portable install).
    shutil.copytree(desk.paths.data, tmp_path / "desk2", ignore=shutil.ignore_patterns("*.lock"))
    other = Desk(tmp_path / "desk2", desk.base_url, server.token("agence-nord", "guichet-2"))
    try:
        assert other.status(did) == "ready"
        first, second = desk.worker().run_once(), other.worker().run_once()
        assert first.sent == second.sent == 1
        assert first.uploaded_pages == 3 and second.uploaded_pages == 0
        assert desk.status(did) == other.status(did) == "submitted"
        remote = get_dossier(server.db, did, None)
        assert [e.to_status for e in remote.history] == ["submitted"]
        from permis_server.service import list_dossiers

        assert [r["id"] for r in list_dossiers(server.db)] == [did]
    finally:
        other.close()


def test_revalidating_an_unchanged_dossier_after_a_complement_request_is_refused_clearly(
    server, desk
):
    did = desk.queued("INCHANGE")
    worker = desk.worker()
    worker.run_once()
    set_status(server.db, did, "complement_requested", "Rappelez l'agence.")
    assert worker.run_once().applied[0].to_status == "complement_requested"
    desk.validate(did)  # nothing changed: same version, same content
    report = worker.run_once()
    assert report.failed == 1 and report.sent == 0
    state, _, error = desk.items(did)[-1]
    assert state == "failed" and "refaites les pièces demandées" in error
    assert desk.status(did) == "ready"
    assert get_dossier(server.db, did, None).status == "complement_requested"


def test_backoff_grows_with_jitter_and_honours_retry_after():
    from permis_desktop.sync.outbox import backoff_seconds

    assert backoff_seconds(1, rng=lambda: 0.0) == 1.0
    assert backoff_seconds(1, rng=lambda: 0.999) < 3.0
    assert backoff_seconds(3, rng=lambda: 0.5) == 8.0
    assert backoff_seconds(30, rng=lambda: 0.5) == 300.0
    assert backoff_seconds(1, rng=lambda: 0.5, retry_after=120) == 120.0


def test_a_429_with_retry_after_delays_the_item_that_long(tmp_path):
    """Our service never throttles; a proxy in front of it may (429 + Retry-After)."""
    import http.server

    class Throttled(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(429)
            self.send_header("Retry-After", "120")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_PUT = do_GET = _answer

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Throttled)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    desk = Desk(tmp_path / "d", f"http://127.0.0.1:{httpd.server_address[1]}", "pds_x")
    try:
        did = desk.queued("FREINE")
        before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        report = desk.worker().run_once()
        assert report.retrying == 1 and desk.status(did) == "ready"
        with desk.db.transaction() as session:
            item = session.scalars(select(OutboxItem)).one()
            assert item.next_attempt_at >= before + dt.timedelta(seconds=119)
            assert "429" in item.last_error
    finally:
        desk.close()
        httpd.shutdown()


def test_the_worker_notices_the_service_coming_back_and_sends_without_waiting(server, desk):
    live_url = desk.base_url
    desk.base_url = f"http://127.0.0.1:{free_port()}"
    did = desk.queued("RETOUR")
    worker = desk.worker(poll_seconds=60, probe_seconds=0.1)
    worker.start()
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=20)
        while worker.online is not False and dt.datetime.now() < deadline:
            threading.Event().wait(0.02)
        assert worker.online is False
        # Backed off far into the future: only noticing the service can send it soon.
        with desk.db.transaction() as session:
            item = session.scalars(select(OutboxItem)).one()
            item.next_attempt_at = dt.datetime(2100, 1, 1)
        desk.base_url = live_url
        while desk.status(did) != "submitted" and dt.datetime.now() < deadline:
            threading.Event().wait(0.05)
        assert desk.status(did) == "submitted"
    finally:
        worker.stop()
