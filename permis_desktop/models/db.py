"""The local SQLite database: opening it safely, migrating it, and short-lived sessions.

SQLite runs in WAL mode (readers never block the writer), with foreign keys on and a busy
timeout so that the GUI, the sync worker and a `permis` command can share the file. Migrations
are Alembic scripts shipped inside the package; before any migration the file is copied into
`backups/` with SQLite's online backup API, so that an upgrade can always be undone by hand.
A damaged file is never overwritten: opening it raises `DatabaseDamaged` and the caller offers
the latest backup.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from permis_desktop.errors import OperationFailed
from permis_desktop.models.entities import utcnow

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# The newest migration's revision id. Start-up compares the database with it without
# importing Alembic (a third of a second); tests check it equals the scripts' head.
SCHEMA_HEAD = "0006_filing_ticks"

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
KEEP_BACKUPS = 10


class DatabaseDamaged(OperationFailed):
    """The database file exists but cannot be read as a SQLite database."""

    def __init__(self, path: Path, detail: str, backup: Path | None) -> None:
        self.path = path
        self.detail = detail
        self.backup = backup
        hint = (
            f" La dernière sauvegarde est {backup}."
            if backup
            else " Aucune sauvegarde n'est disponible."
        )
        super().__init__(
            f"La base de données {path} est endommagée ou illisible ; elle n'a pas été modifiée."
            + hint
        )


def enable_wal(cursor: sqlite3.Cursor, timeout_s: float) -> None:
    """Switch the file to WAL mode, waiting up to `timeout_s` for other connections.

    When several connections open a new file together, each reads it and then asks for the
    write lock to convert it; SQLite sees a possible deadlock and answers "database is
    locked" at once, without calling the busy handler. So the conversion is retried here.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            log.debug("WAL switch deferred, another connection holds the file: %s", exc)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    enable_wal(cursor, BUSY_TIMEOUT_MS / 1000)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if not has_table:
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def latest_backup(backups: Path) -> Path | None:
    found = sorted(backups.glob("permis-*.sqlite3")) if backups.exists() else []
    return found[-1] if found else None


def check_readable(path: Path, backups: Path) -> None:
    """Raise DatabaseDamaged if `path` exists and is not a readable SQLite database."""
    if not path.exists():
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
        if path.stat().st_size and header != b"SQLite format 3\x00":
            raise sqlite3.DatabaseError("file is not a database")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            row = conn.execute("PRAGMA quick_check(1)").fetchone()
            if row and row[0] != "ok":
                raise sqlite3.DatabaseError(str(row[0]))
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:  # could not open or lock: not damage
        raise OperationFailed(_describe_sqlite_error(path, exc)) from exc
    except sqlite3.DatabaseError as exc:
        log.error("database %s is damaged: %s", path, exc)
        raise DatabaseDamaged(path, str(exc), latest_backup(backups)) from exc
    except OSError as exc:
        log.error("database %s cannot be read: %s", path, exc)
        raise OperationFailed(
            f"Impossible de lire la base de données {path} : {exc.strerror or exc}."
        ) from exc


def backup_database(path: Path, backups: Path, label: str) -> Path:
    """Copy the live database into `backups/` with SQLite's online backup API."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    target = backups / f"permis-{stamp}-{label}.sqlite3"
    source = sqlite3.connect(str(path))
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    for old in sorted(backups.glob("permis-*.sqlite3"))[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    log.info("database backed up to %s", target)
    return target


def upgrade(engine: Engine, path: Path, backups: Path, revision: str = "head") -> bool:
    """Bring the schema to `revision`; back up first if the file already holds data.

    Returns True when a migration ran.
    """
    current = current_revision(engine)
    if current == (SCHEMA_HEAD if revision == "head" else revision):
        return False
    from alembic import command

    target = head_revision() if revision == "head" else revision
    if current == target:
        return False
    if current is not None and path.exists():
        backup_database(path, backups, f"before-{target[:12]}")
    log.info("migrating database %s from %s to %s", path, current, target)
    command.upgrade(alembic_config(engine), revision)
    return True


@dataclass
class Database:
    """An open, migrated database and its session factory."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error, always close."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            if isinstance(exc.orig, sqlite3.OperationalError):
                raise OperationFailed(_describe_sqlite_error(self.path, exc.orig)) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path, backups: Path, migrate: bool = True) -> Database:
    check_readable(path, backups)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path)
        if migrate:
            upgrade(engine, path, backups)
    except sqlite3.OperationalError as exc:
        raise OperationFailed(_describe_sqlite_error(path, exc)) from exc
    except OSError as exc:
        raise OperationFailed(
            f"Impossible d'ouvrir la base de données {path} : {exc.strerror or exc}."
        ) from exc
    except Exception as exc:  # SQLAlchemy wraps sqlite3 errors
        orig = getattr(exc, "orig", None)
        if isinstance(orig, sqlite3.OperationalError):
            raise OperationFailed(_describe_sqlite_error(path, orig)) from exc
        raise
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False))


def _describe_sqlite_error(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    log.error("sqlite error on %s: %s", path, exc)
    if "readonly" in text or "read-only" in text:
        return (
            f"Le dossier de données {path.parent} est en lecture seule : impossible d'enregistrer."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return "Le disque est plein : libérez de la place pour continuer à enregistrer."
    if "unable to open" in text:
        return (
            f"Impossible d'ouvrir la base de données {path} : le dossier est en lecture seule, "
            "les droits sont insuffisants ou le disque est indisponible."
        )
    if "locked" in text or "busy" in text:
        return "La base de données est occupée par un autre programme ; réessayez dans un instant."
    return f"Erreur de la base de données : {exc}."


def restore_backup(path: Path, backup: Path) -> Path:
    """Put `backup` in place of the database at `path`; the damaged file is kept aside.

    Returns where the damaged file (and its -wal/-shm companions) now lives. Nothing is
    deleted: a technician may still recover rows from it.
    """
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(aside.with_name(aside.name + suffix))
    source = sqlite3.connect(str(backup))
    try:
        dest = sqlite3.connect(str(path))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    log.warning("database %s restored from %s; damaged copy kept as %s", path, backup, aside)
    return aside
