"""dossier list at 100,000 dossiers: counts per status, duplicate check, substring search

Revision ID: 0005_list_search
Revises: 0004_papers
Create Date: 2026-11-27 04:10:00

Measured with bench/desk.py at 100,000 dossiers:
- counting the open dossiers per status walked the (status, updated_at) index and read every
  row for `archived_at` (0.4 s); (archived_at, status) answers it from the index alone;
- the new-dossier dialog looks up open dossiers by birth date (duplicate check);
- a search with `search_text LIKE '%word%'` reads the whole table (0.25 to 0.35 s); an FTS5
  index with the trigram tokenizer (SQLite >= 3.34) finds the same substrings from the index.
  It is an external-content index over `dossier.search_text`, kept in step by triggers.
  Where FTS5 or the trigram tokenizer is missing, nothing is created and the services fall
  back to LIKE.

A later migration that recreates the `dossier` table (batch mode copies it into a new table)
drops these triggers and may renumber rowids: it must call `create_search_index()` again
(tests/desk checks that the triggers exist at head).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0005_list_search"
down_revision = "0004_papers"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

SEARCH_TRIGGERS = {
    "dossier_search_ai": "AFTER INSERT ON dossier BEGIN "
    "INSERT INTO dossier_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "dossier_search_ad": "AFTER DELETE ON dossier BEGIN "
    "INSERT INTO dossier_search(dossier_search, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "dossier_search_au": "AFTER UPDATE OF search_text ON dossier BEGIN "
    "INSERT INTO dossier_search(dossier_search, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO dossier_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
}


def create_search_index() -> None:
    bind = op.get_bind()
    for name in SEARCH_TRIGGERS:
        bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    bind.execute(sa.text("DROP TABLE IF EXISTS dossier_search"))
    try:
        bind.execute(
            sa.text(
                "CREATE VIRTUAL TABLE dossier_search USING fts5(search_text, content='dossier', "
                "content_rowid='rowid', tokenize='trigram')"
            )
        )
    except sa.exc.OperationalError as exc:  # FTS5 or trigram missing from this SQLite
        log.warning("no FTS5 trigram index (%s): search falls back to LIKE", exc)
        return
    for name, body in SEARCH_TRIGGERS.items():
        bind.execute(sa.text(f"CREATE TRIGGER {name} {body}"))
    bind.execute(sa.text("INSERT INTO dossier_search(dossier_search) VALUES ('rebuild')"))


def upgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_archived_status", ["archived_at", "status"])
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.create_index("ix_applicant_birth_date", ["birth_date"])
    create_search_index()


def downgrade() -> None:
    bind = op.get_bind()
    for name in SEARCH_TRIGGERS:
        bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    bind.execute(sa.text("DROP TABLE IF EXISTS dossier_search"))
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.drop_index("ix_applicant_birth_date")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_archived_status")
