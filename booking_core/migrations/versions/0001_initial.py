"""initial schema: bookings, slot claims, requests, waitlist, audit

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-03 18:32:38.833821
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column(
            "booking_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_booking", ["booking_id"], unique=False)

    op.create_table(
        "requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("key", name=op.f("uq_requests_key")),
    )
    op.create_table(
        "bookings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("series_id", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("centre_id", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("people", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_bookings_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_centre_day", ["centre_id", "day"], unique=False)
        batch_op.create_index("ix_bookings_request", ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_series_id"), ["series_id"], unique=False)
        batch_op.create_index("ix_bookings_user_day", ["user_id", "day"], unique=False)

    op.create_table(
        "waitlist",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("centre_id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("count", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_waitlist_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist")),
    )
    with op.batch_alter_table("waitlist", schema=None) as batch_op:
        batch_op.create_index(
            "ix_waitlist_centre_day", ["centre_id", "day", "status"], unique=False
        )

    op.create_table(
        "slot_claims",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("resource_id", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column(
            "booking_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_slot_claims_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "resource_id", "slot", name=op.f("pk_slot_claims")),
    )
    with op.batch_alter_table("slot_claims", schema=None) as batch_op:
        batch_op.create_index("ix_slot_claims_booking", ["booking_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slot_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_claims_booking")

    op.drop_table("slot_claims")
    with op.batch_alter_table("waitlist", schema=None) as batch_op:
        batch_op.drop_index("ix_waitlist_centre_day")

    op.drop_table("waitlist")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_user_day")
        batch_op.drop_index(batch_op.f("ix_bookings_series_id"))
        batch_op.drop_index("ix_bookings_request")
        batch_op.drop_index("ix_bookings_centre_day")

    op.drop_table("bookings")
    op.drop_table("requests")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_booking")

    op.drop_table("audit_events")
