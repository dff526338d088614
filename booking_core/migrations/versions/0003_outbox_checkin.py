"""outbox of notifications; check-in time and reply channel on bookings and waitlist

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(length=200), nullable=True))
    with op.batch_alter_table("waitlist") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=200), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booking_id", Id, nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    op.create_index("ix_outbox_status_due", "outbox", ["status", "due_at"])
    op.create_index("ix_outbox_booking", "outbox", ["booking_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_booking", table_name="outbox")
    op.drop_index("ix_outbox_status_due", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("waitlist") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("channel")
        batch.drop_column("checked_in_at")
