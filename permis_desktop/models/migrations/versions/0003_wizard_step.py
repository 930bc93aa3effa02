"""dossier wizard position: the page the desk left each dossier on

Revision ID: 0003_wizard_step
Revises: 0002_dossier_list
Create Date: 2026-11-27 04:00:00

The facts document is strictly parsed (unknown fields are refused), so where the user left
the wizard is desk state kept beside the facts, in its own column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_wizard_step"
down_revision = "0002_dossier_list"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wizard_step", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("wizard_step")
