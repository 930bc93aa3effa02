"""dossier list columns: applicant label, pieces done/required, sync state, archive date

Revision ID: 0002_dossier_list
Revises: 0001_initial
Create Date: 2026-11-27 03:44:19
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002_dossier_list"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _label(birth_name: str, usage_name: str, given_names: list[str]) -> str:
    # Same rule as services.dossiers.display_name, frozen here as it was at this revision.
    surname = usage_name or birth_name
    given = " ".join(given_names)
    if surname and given:
        return f"{surname.upper()} {given}"
    return (surname.upper() if surname else given) or "(sans nom)"


def upgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("applicant_label", sa.String(length=250), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("pieces_done", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("pieces_required", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("sync_state", sa.String(length=20), nullable=False, server_default="local")
        )
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_dossier_applicant_label", ["applicant_label"], unique=False)
        batch_op.create_index("ix_dossier_procedure", ["procedure"], unique=False)

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT d.id, a.birth_name, a.usage_name, a.given_names FROM dossier d "
            "JOIN applicant a ON a.id = d.applicant_id"
        )
    ).fetchall()
    for dossier_id, birth_name, usage_name, given_names in rows:
        names = json.loads(given_names) if isinstance(given_names, str) else given_names or []
        bind.execute(
            sa.text("UPDATE dossier SET applicant_label = :label WHERE id = :id"),
            {"label": _label(birth_name or "", usage_name or "", names), "id": dossier_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_procedure")
        batch_op.drop_index("ix_dossier_applicant_label")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("sync_state")
        batch_op.drop_column("pieces_required")
        batch_op.drop_column("pieces_done")
        batch_op.drop_column("applicant_label")
