"""The local store: schema and migrations, SQLite settings, damaged files, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from permis_desktop.errors import OperationFailed
from permis_desktop.models.db import (
    MIGRATIONS,
    SCHEMA_HEAD,
    DatabaseDamaged,
    alembic_config,
    backup_database,
    current_revision,
    head_revision,
    make_engine,
    open_database,
    restore_backup,
)
from permis_desktop.models.entities import Base
from permis_desktop.paths import AppPaths
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierService


def test_migration_chain_is_linear() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    revisions = list(script.walk_revisions())
    bases = [r for r in revisions if r.down_revision is None]
    assert len(bases) == 1
    for rev in revisions:
        assert not isinstance(rev.down_revision, tuple), f"merge revision {rev.revision}"
    assert heads[0] == SCHEMA_HEAD, "update SCHEMA_HEAD in models/db.py"


def test_upgrading_an_empty_database_gives_exactly_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite3", tmp_path / "backups")
    try:
        with db.engine.connect() as conn:
            # The FTS5 search index (migration 0005) and its shadow tables are not models.
            context = MigrationContext.configure(
                conn,
                opts={
                    "include_name": lambda name, kind, _p: (
                        not str(name).startswith("dossier_search")
                    )
                },
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite3", tmp_path / "backups")
    try:
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    finally:
        db.close()


def _first_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    return [r for r in script.walk_revisions() if r.down_revision is None][0].revision


def test_upgrade_from_the_first_migration_keeps_rows_and_backs_up(tmp_path: Path) -> None:
    path, backups = tmp_path / "old.sqlite3", tmp_path / "backups"
    engine = make_engine(path)
    command.upgrade(alembic_config(engine), _first_revision())
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO applicant (id, birth_name, usage_name, given_names, email, mobile, neph,"
            " under_guardianship, hosted, details) VALUES (1, 'Durand', '', '[\"Inès\"]', '', '',"
            " '', 0, 0, '{}')"
        )
        conn.execute(
            "INSERT INTO dossier (id, applicant_id, procedure, categories, status, mandate, data,"
            " search_text, created_at, updated_at, version) VALUES ('d-1', 1,"
            " 'exam_registration_first', '[\"B\"]', 'draft', 0, '{}', 'durand ines',"
            " '2026-01-01 10:00:00', '2026-01-01 10:00:00', 3)"
        )
    db = open_database(path, backups)
    try:
        detail = DossierService(db).get("d-1")
        assert detail.facts["applicant"]["birth_name"] == "Durand"
        assert detail.version == 3
        assert [r.applicant for r in DossierService(db).list()] == ["DURAND Inès"]
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()
    if _first_revision() != head_revision():
        assert list(backups.glob("permis-*.sqlite3")), "no backup taken before migrating"


def test_backup_is_a_readable_copy(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite3", tmp_path / "backups")
    DossierService(db).create(
        {"procedure": "exam_registration_first", "applicant": {"birth_name": "A"}}
    )
    target = backup_database(db.path, tmp_path / "backups", "manual")
    db.close()
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM dossier").fetchone()[0] == 1


def test_damaged_database_is_reported_and_never_overwritten(paths: AppPaths) -> None:
    garbage = b"this is not a database at all" * 100
    paths.database.write_bytes(garbage)
    with pytest.raises(DatabaseDamaged) as caught:
        DeskContext.open(paths)
    assert "endommagée" in str(caught.value)
    assert caught.value.backup is None
    assert paths.database.read_bytes() == garbage


def test_damaged_database_offers_latest_backup_and_restore_keeps_damaged_copy(
    paths: AppPaths,
) -> None:
    ctx = DeskContext.open(paths)
    DossierService(ctx.db).create(
        {"procedure": "exam_registration_first", "applicant": {"birth_name": "Gardé"}}
    )
    ctx.close()
    backup = backup_database(paths.database, paths.backups, "daily")
    # Damage the header and the first pages of the live file.
    with paths.database.open("r+b") as handle:
        handle.write(b"\x00" * 4096)
    with pytest.raises(DatabaseDamaged) as caught:
        DeskContext.open(paths)
    assert caught.value.backup == backup
    aside = restore_backup(paths.database, backup)
    assert aside.exists() and aside.read_bytes()[:16] == b"\x00" * 16
    ctx = DeskContext.open(paths)
    try:
        assert [r.applicant for r in DossierService(ctx.db).list()] == ["GARDÉ"]
    finally:
        ctx.close()


def test_read_only_data_folder_is_refused_with_a_clear_message(
    paths: AppPaths, make_read_only
) -> None:
    DeskContext.open(paths).close()
    before = paths.database.read_bytes()
    make_read_only(paths.data)
    with pytest.raises(OperationFailed, match="lecture seule"):
        DeskContext.open(paths)
    assert paths.database.read_bytes() == before


def test_read_only_database_file_fails_writes_clearly_and_keeps_rows(
    paths: AppPaths, make_read_only
) -> None:
    ctx = DeskContext.open(paths)
    kept = DossierService(ctx.db).create({"procedure": "exam_registration_first"})
    ctx.close()
    make_read_only(paths.database)
    ctx = DeskContext.open(paths)
    try:
        service = DossierService(ctx.db)
        with pytest.raises(OperationFailed, match="lecture seule"):
            service.create({"procedure": "exam_registration_first"})
        assert [r.id for r in service.list()] == [kept]
    finally:
        ctx.close()


def test_full_disk_gives_a_clear_message_and_keeps_saved_rows(paths: AppPaths) -> None:
    ctx = DeskContext.open(paths)
    service = DossierService(ctx.db)
    kept = service.create(
        {"procedure": "exam_registration_first", "applicant": {"birth_name": "A"}}
    )

    @__import__("sqlalchemy").event.listens_for(ctx.db.engine, "connect")
    def _cap(dbapi_connection, _record):  # SQLite's own "disk full" path: a page quota
        dbapi_connection.execute("PRAGMA max_page_count = 1")

    ctx.db.engine.dispose()
    try:
        with pytest.raises(OperationFailed, match="disque est plein"):
            service.create(
                {
                    "procedure": "exam_registration_first",
                    "applicant": {"birth_name": "B" * 100, "given_names": ["x" * 5000]},
                }
            )
    finally:
        ctx.close()
    ctx = DeskContext.open(paths)
    try:
        assert [r.id for r in DossierService(ctx.db).list()] == [kept]
    finally:
        ctx.close()
