"""The petition view follows the whole lifecycle: retire the generations of the old shape and
replay the stream from sequence 1.

The view's tables are per generation and created by the projection itself from
`generation_tables` (they are disposable: rebuilt from the stream). Rows of the old shape
cannot be altered into the new one: the events the old projection ignored (acceptance,
extensions, escalation, publication, feedback, reopening, duplicates, timers) are missing from
them. So every generation table of this projection is dropped, the projection goes back to
generation 1, and the live consumer's position is reset: at start the runtime recreates the
durable consumer from the checkpoint (0, so from sequence 1) and the view is refilled at batch
speed. Parking state of this consumer goes too, since those events will be delivered (and
parked again if they still fail) by the replay.

Strings are written out, not imported: a migration must not change when the code does.

Revision ID: 0002
Revises: 0001
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

PROJECTION = "reporting-petitions"
CONSUMER = "reporting-petitions"  # the durable's name, also the live checkpoint's
GENERATION_TABLE = re.compile(
    r"^(petitions|petition_counts_by_status|events_applied_by_type|petition_figures_by_province)_g\d+$"
)
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
