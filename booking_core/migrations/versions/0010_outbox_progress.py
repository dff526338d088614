"""outbox: progress of multi-part sends and reminder groups; attendance confirmations;
declared distance from home to the telecentre (kept with an erased person's days)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("parts_sent", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("group_key", sa.String(length=200), nullable=True))
    op.create_index("ix_outbox_group", "outbox", ["group_key", "status"])
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("erased_centre_km", sa.Float(), nullable=True))
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("centre_km", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("centre_km")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("erased_centre_km")
        batch.drop_column("confirmed_at")
    op.drop_index("ix_outbox_group", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("group_key")
        batch.drop_column("parts_sent")
