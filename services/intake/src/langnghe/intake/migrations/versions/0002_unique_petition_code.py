"""The petition's human code is unique at the source: `submissions.code`, filled in for the
submissions already stored (the code is derived from the petition id, the province and the
year received), with a unique index.

Two stored submissions that already share a code (from before this revision) keep the code
on the earlier one only; the later one is left NULL, which the unique index allows, rather
than failing the upgrade: its event is in the log already and cannot change.

Revision ID: 0002
"""

import uuid
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from langnghe.domain.codes import petition_code

revision = "0002"
down_revision = "0001"

submissions = sa.table(
    "submissions",
    sa.column("petition_id", sa.String),
    sa.column("province_code", sa.String),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("code", sa.String),
)


def upgrade() -> None:
    op.add_column("submissions", sa.Column("code", sa.String(32), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(submissions.c.petition_id, submissions.c.province_code, submissions.c.received_at).order_by(
            submissions.c.received_at, submissions.c.petition_id
        )
    )
    seen: set[str] = set()
    updates = []
    for petition_id, province_code, received_at in rows:
        at = received_at if received_at.tzinfo else received_at.replace(tzinfo=UTC)
        code = petition_code(province_code, uuid.UUID(hex=petition_id), at.astimezone(UTC))
        if code not in seen:
            seen.add(code)
            updates.append({"pid": petition_id, "c": code})
    if updates:
        bind.execute(
            sa.update(submissions)
            .where(submissions.c.petition_id == sa.bindparam("pid"))
            .values(code=sa.bindparam("c")),
            updates,
        )
    op.create_index("uq_submissions_code", "submissions", ["code"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_submissions_code", "submissions")
    op.drop_column("submissions", "code")
