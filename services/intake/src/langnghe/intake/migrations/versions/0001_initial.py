"""Initial schema: runtime tables, the personal-data vault, submissions.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from langnghe.runtime.tables import create_runtime_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_runtime_tables(op)
    op.create_table(
        "citizen_contacts",
        sa.Column("citizen_ref", sa.String(64), primary_key=True),
        sa.Column("full_name", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("address", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("idempotency_key", sa.String(128), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("petition_id", sa.String(64), nullable=False, unique=True),
        sa.Column("province_code", sa.String(16), nullable=False),
        sa.Column("citizen_ref", sa.String(64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("submissions")
    op.drop_table("citizen_contacts")
