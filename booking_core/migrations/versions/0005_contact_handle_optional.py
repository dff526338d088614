"""a relayed contact carries the requester's handle only when they published one

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_contacts") as batch:
        batch.alter_column("from_handle", existing_type=sa.String(length=200), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE directory_contacts SET from_handle = '' WHERE from_handle IS NULL")
    with op.batch_alter_table("directory_contacts") as batch:
        batch.alter_column("from_handle", existing_type=sa.String(length=200), nullable=False)
