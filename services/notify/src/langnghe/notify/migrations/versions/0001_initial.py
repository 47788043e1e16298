"""Initial schema: runtime tables, recipients, notices, the development channel.

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
        "petition_recipients",
        sa.Column("petition_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("citizen_ref", sa.String(64), nullable=True),
    )
    op.create_table(
        "notices",
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("petition_id", sa.String(64), nullable=False, index=True),
        sa.Column("citizen_ref", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("stream_seq", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dev_channel_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("notice_id", sa.String(64), nullable=False, unique=True),
        sa.Column("recipient_ref", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in ("dev_channel_messages", "notices", "petition_recipients"):
        op.drop_table(name)
