"""Opening the server's database, migrating it, and running units of work safely.

SQLite (the default, one file in the data folder) runs in WAL mode with a busy timeout; every
write transaction starts with `BEGIN IMMEDIATE`, so that two writers queue on the lock instead
of both reading and then failing to upgrade to a write lock ("database is locked" that no
timeout cures). PostgreSQL is reached through psycopg 3. Migrations are Alembic scripts inside
the package; they run under a lock (an advisory lock on PostgreSQL, the write lock on SQLite),
so several server processes starting together migrate once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.models.db import enable_wal

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
# Any constant: the key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK = 0x7065726D6973  # "permis"
_IMMEDIATE = "permis_begin_immediate"

T = TypeVar("T")


class DatabaseUnavailable(OperationFailed):
    """The database cannot be reached or is busy: the request may be retried later."""


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` URLs and use psycopg 3 for them."""
    try:
        parsed = make_url(url)
    except Exception:
        raise BadInput(f"Adresse de base de données invalide : {url}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BadInput(
            "Seules SQLite et PostgreSQL sont prises en charge "
            f"(adresse reçue : {parsed.get_backend_name()})."
        )
    return parsed.render_as_string(hide_password=False)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    enable_wal(cursor, BUSY_TIMEOUT_MS / 1000)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Migrate to `revision` under a lock; True when a migration ran."""
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            before = MigrationContext.configure(conn).get_current_revision()
            target = head_revision() if revision == "head" else revision
            if before == target:
                return False
            log.info("migrating the server database from %s to %s", before, target)
            command.upgrade(alembic_config(conn), revision)
    return True


def downgrade(engine: Engine, revision: str) -> None:
    """Go back to `revision` ("base" drops everything): for a failed release, by hand."""
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            log.warning("downgrading the server database to %s", revision)
            command.downgrade(alembic_config(conn), revision)


def schema_differences(engine: Engine) -> list[Any]:
    """What differs between the migrated schema and the models (empty when in step)."""
    from permis_server.models import Base

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))


def _is_transient(exc: DBAPIError) -> bool:
    """Lost connection, lock timeout, serialization failure or deadlock: worth a retry."""
    if exc.connection_invalidated:
        return True
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01", "55P03", "57P01", "08006", "08003", "08001"):
        return True
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on error, always close."""
        session = self.sessions(bind=self._writer)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def run(self, work: Callable[[Session], T], attempts: int = 4) -> T:
        """Run `work` in a write transaction, again if it lost a race or hit a transient error.

        A lost race is an IntegrityError (two requests inserted the same dossier or the same
        idempotency key at once): on the next attempt `work` sees the winner's row.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as session:
                    return work(session)
            except IntegrityError as exc:
                if attempt == attempts:
                    raise
                log.info("write lost a race (%s); retrying", exc.orig)
            except OperationalError as exc:
                if attempt == attempts or not _is_transient(exc):
                    log.error("database error: %s", exc.orig)
                    raise DatabaseUnavailable(
                        "La base de données du serveur est indisponible ou occupée ; "
                        "réessayez dans un instant."
                    ) from exc
                log.warning("transient database error (%s); retrying", exc.orig)
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    @property
    def _writer(self) -> Engine:
        return self.engine.execution_options(**{_IMMEDIATE: True})

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str, migrate: bool = True) -> Database:
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        log.error("cannot open the server database %s: %s", _safe(url), exc.orig)
        raise DatabaseUnavailable(
            f"Impossible d'ouvrir la base de données du serveur ({_safe(url)}) : {exc.orig}"
        ) from exc
    return Database(url, engine, sessionmaker(engine, expire_on_commit=False))


def _safe(url: str) -> str:
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
