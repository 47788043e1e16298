"""Submissions remember the event they must produce until the event store has it.

`event_body` is the petition.received envelope to append (cleared once settled);
`settled_seq` is its stream sequence once the store acknowledged it. A row without
`settled_seq` is a submission whose append was not (yet) confirmed: the next retry with its
key, or the vault sweeper, appends the same event (same id, expected sequence 0).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("event_body", sa.Text, nullable=True))
        batch.add_column(sa.Column("settled_seq", sa.BigInteger, nullable=True))
    # Rows from before this revision stay unsettled: the sweeper looks each one up in the
    # store once, settles it if its event is there, and reports it if not (no body to append).
    op.create_index(
        "ix_submissions_unsettled",
        "submissions",
        ["received_at"],
        postgresql_where=sa.text("settled_seq IS NULL"),
        sqlite_where=sa.text("settled_seq IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_unsettled", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("settled_seq")
        batch.drop_column("event_body")
