"""The petition view keeps the history of dissatisfaction (`times_not_satisfied`, and the
figures `feedback:ever_not_satisfied` and `feedback:not_satisfied_times`): a reopened petition
still counts its earlier "not satisfied". The column is filled from the feedback events, which
the rows of the old shape no longer show once a petition was reopened, so, as 0002 did, every
generation of the view is retired and the stream replayed from sequence 1.

Strings are written out, not imported: a migration must not change when the code does.

Revision ID: 0003
Revises: 0002
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

PROJECTION = "reporting-petitions"
CONSUMER = "reporting-petitions"  # the durable's name, also the live checkpoint's
GENERATION_TABLE = re.compile(r"^(petitions|events_applied_by_type|petition_figures_by_province)_g\d+$")
CONSUMER_TABLES = ("consumer_checkpoints", "processed_messages", "parked_messages", "parked_aggregates",
                   "delivery_attempts")  # fmt: skip


def _start_over() -> None:
    bind = op.get_bind()
    for name in sa.inspect(bind).get_table_names():
        if GENERATION_TABLE.match(name):
            op.drop_table(name)
    generations = sa.table("projection_generations", sa.column("projection", sa.String))
    op.execute(sa.delete(generations).where(generations.c.projection == PROJECTION))
    for name in CONSUMER_TABLES:
        table = sa.table(name, sa.column("consumer", sa.String))
        # The rebuild's own checkpoints are named `<durable>@g<N>`.
        op.execute(
            sa.delete(table).where((table.c.consumer == CONSUMER) | table.c.consumer.like(f"{CONSUMER}@g%"))
        )


def upgrade() -> None:
    _start_over()


def downgrade() -> None:
    _start_over()  # the older code recreates its own shape and replays just the same
