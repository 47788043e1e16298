"""A petition's code is unique in the case inbox, as it is in reporting's petition view: a
receipt repeating a code fails and is parked with its petition in both read models, so they
never disagree on how many petitions there are.

An inbox that already holds a repeated code (applied before this revision) keeps the case
received first and drops the later ones, the rows reporting never held; their petitions'
later events find no case, as for any petition whose receipt this inbox did not apply.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

cases = sa.table(
    "cases",
    sa.column("petition_id", sa.String),
    sa.column("code", sa.String),
    sa.column("received_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    bind = op.get_bind()
    repeated = sa.select(cases.c.code).group_by(cases.c.code).having(sa.func.count() > 1)
    rows = bind.execute(
        sa.select(cases.c.petition_id, cases.c.code)
        .where(cases.c.code.in_(repeated))
        .order_by(cases.c.code, cases.c.received_at, cases.c.petition_id)
    )
    seen: set[str] = set()
    later: list[str] = []
    for petition_id, code in rows:
        if code in seen:
            later.append(petition_id)
        seen.add(code)
    if later:
        bind.execute(sa.delete(cases).where(cases.c.petition_id.in_(later)))
    op.create_index("uq_cases_code", "cases", ["code"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_cases_code", "cases")
