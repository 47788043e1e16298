"""Initial schema: runtime tables (checkpoints, parking, projection generations).

Revision ID: 0001
"""

from alembic import op

from langnghe.runtime.tables import create_runtime_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_runtime_tables(op)


def downgrade() -> None:
    pass
