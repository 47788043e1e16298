"""Initial schema: runtime tables and the case inbox.

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
        "cases",
        sa.Column("petition_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("province_code", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("agency_code", sa.String(64), nullable=True, index=True),
        sa.Column("promised_date", sa.Date, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cases")
