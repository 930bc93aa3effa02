"""papers and filing: ANTS request number and filing date, ANTS documents

Revision ID: 0004_papers
Revises: 0003_wizard_step
Create Date: 2026-11-27 04:10:00

After filing on the ANTS portal the desk records the request number and the date; the PDFs
ANTS issues (récépissé de dépôt, attestation d'inscription…) are kept per dossier, their
bytes in the blob store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_papers"
down_revision = "0003_wizard_step"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ants_request_number", sa.String(length=40), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("ants_filed_on", sa.Date(), nullable=True))
    op.create_table(
        "ants_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("recognised", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
            name=op.f("fk_ants_document_dossier_id_dossier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ants_document")),
    )
    with op.batch_alter_table("ants_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ants_document_dossier_id"), ["dossier_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ants_document_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ants_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ants_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_ants_document_dossier_id"))
    op.drop_table("ants_document")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("ants_filed_on")
        batch_op.drop_column("ants_request_number")
