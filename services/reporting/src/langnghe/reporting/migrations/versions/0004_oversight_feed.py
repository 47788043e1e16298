"""The oversight feed projector's tables: what it remembers of each petition between its
events, and the ids of the feed messages it has published (adapters.oversight_tables).

Strings are written out, not imported: a migration must not change when the code does.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "oversight_petitions",
        sa.Column("petition_id", sa.String(128), primary_key=True),
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("commune_code", sa.String(32)),
        sa.Column("legal_type", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("field_code", sa.String(128)),
        sa.Column("agency_code", sa.String(128)),
        sa.Column("answer_text", sa.Text),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "oversight_published",
        sa.Column("feed_id", sa.String(36), primary_key=True),
        sa.Column("source_seq", sa.BigInteger, nullable=False),
        sa.Column("feed_seq", sa.BigInteger, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("oversight_published")
    op.drop_table("oversight_petitions")
