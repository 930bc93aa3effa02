"""filing assistant progress: the steps of the ANTS form the desk has ticked per dossier

Revision ID: 0006_filing_ticks
Revises: 0005_list_search
Create Date: 2026-11-27 04:30:00

Typing a dossier into the ANTS portal can be interrupted (a phone call, a missing paper);
the filing assistant keeps which steps are done so that the desk resumes where it stopped.
Desk state beside the facts, like the wizard position: not part of the facts document,
not synced, not counted as a change of the dossier.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_filing_ticks"
down_revision = "0005_list_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("filing_ticks", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("filing_ticks")
