"""Fixtures of the dossier-service tests: a server on SQLite, and on PostgreSQL when
PERMIS_TEST_POSTGRES_URL names a reachable server (each test then gets its own database)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .helpers import free_port

ENV_PG = "PERMIS_TEST_POSTGRES_URL"
_PG_TEMPLATE: dict[str, str] = {}


def _pg_admin_url() -> str | None:
    return os.environ.get(ENV_PG) or None


def _pg_connect(url: str) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host or "localhost",
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


def _pg_url_for(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _pg_template(admin_url: str) -> str:
    """A database migrated once per test session; each test copies it (fast)."""
    if "name" not in _PG_TEMPLATE:
        from permis_server.db import open_database

        name = f"permis_tpl_{os.getpid()}"
        with _pg_connect(admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        open_database(_pg_url_for(admin_url, name)).close()
        _PG_TEMPLATE["name"] = name
    return _PG_TEMPLATE["name"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    admin = _pg_admin_url()
    if admin and "name" in _PG_TEMPLATE:
        with _pg_connect(admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_PG_TEMPLATE["name"]}" WITH (FORCE)')


def _pg_skip_reason() -> str | None:
    admin = _pg_admin_url()
    if not admin:
        return (
            f"PostgreSQL tests skipped: set {ENV_PG}=postgresql://user:password@host/db "
            "(a role with CREATEDB) to run them; .ci/run does."
        )
    try:
        _pg_connect(admin).close()
    except Exception as exc:  # any connection failure means: no server to test against
        return f"PostgreSQL tests skipped: {ENV_PG} is set but unreachable ({exc})."
    return None


def _database_url(kind: str, tmp_path: Path, migrated: bool) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'server' / 'permis-server.sqlite3'}"
        return
    reason = _pg_skip_reason()
    if reason:
        pytest.skip(reason)
    admin = _pg_admin_url()
    assert admin
    if migrated:
        # One migrated database for the whole session, emptied before each test: much
        # faster than a CREATE DATABASE per test.
        url = _pg_url_for(admin, _pg_template(admin))
        _pg_empty(url)
        yield url
        return
    name = f"permis_t_{uuid.uuid4().hex[:12]}"
    with _pg_connect(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield _pg_url_for(admin, name)
    finally:
        with _pg_connect(admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_empty(url: str) -> None:
    from permis_server.models import EVENT_COUNTER, Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name != "counter")
    with _pg_connect(url) as conn:
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        conn.execute("UPDATE counter SET value = 0 WHERE name = %s", (EVENT_COUNTER,))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty server database."""
    yield from _database_url(request.param, tmp_path, migrated=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (for the migration tests)."""
    yield from _database_url(request.param, tmp_path, migrated=False)


@dataclass
class Server:
    """An opened dossier service (database + file store) and its FastAPI app."""

    url: str
    data_dir: Path
    db: Any
    blobs: Any
    app: Any

    def token(self, agency: str = "agence-nord", desk: str = "guichet-1") -> str:
        from permis_server.service import create_token

        return create_token(self.db, agency, desk)[0]


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    from permis_server.app import create_app
    from permis_server.blobs import FileBlobStore
    from permis_server.db import open_database

    data_dir = tmp_path / "server"
    data_dir.mkdir(exist_ok=True)
    db = open_database(db_url)
    blobs = FileBlobStore(data_dir / "blobs")
    app = create_app(db, blobs, max_blob_bytes=4 * 1024 * 1024)
    try:
        yield Server(db_url, data_dir, db, blobs, app)
    finally:
        db.close()


@pytest.fixture
def client(server: Server) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(server.app) as c:
        yield c


@pytest.fixture
def live(server: Server) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a real HTTP server, in a thread)."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        server.app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    userver = uvicorn.Server(config)
    thread = threading.Thread(target=userver.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not userver.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        userver.should_exit = True
        thread.join(10)


@pytest.fixture
def started(server: Server) -> Iterator[list[Any]]:
    """Server processes a test starts (`test_process.Process`), stopped at the end."""
    processes: list[Any] = []
    yield processes
    for p in processes:
        p.stop()
