"""The case inbox follows the whole lifecycle: legal type, statutory date, overdue and
due-soon flags, the unit a petition was escalated to.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("cases", sa.Column("legal_type", sa.String(32), nullable=True))
    op.add_column("cases", sa.Column("statutory_due", sa.Date, nullable=True))
    op.add_column("cases", sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("cases", sa.Column("due_soon", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("cases", sa.Column("handling_unit_code", sa.String(16), nullable=True))
    op.add_column("cases", sa.Column("marks", sa.String(64), nullable=False, server_default=""))
    op.create_index("ix_cases_overdue", "cases", ["overdue"])


def downgrade() -> None:
    op.drop_index("ix_cases_overdue", "cases")
    for column in ("marks", "handling_unit_code", "due_soon", "overdue", "statutory_due", "legal_type"):
        op.drop_column("cases", column)
