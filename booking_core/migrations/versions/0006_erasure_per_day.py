"""erased bookings: one token per person-day, the commute on the booking itself

Earlier erasures kept all of a person's bookings under one token, with a profile row
holding the commute. This moves that commute onto the bookings, gives each of those
person-days a token of its own and cuts what still tied them together (request, series,
audit rows, the token's profile).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("erased_commute_km", sa.Float(), nullable=True))
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE bookings SET erased_commute_km = (SELECT p.commute_km FROM profiles p"
            " WHERE p.user_id = bookings.user_id), request_id = NULL, series_id = NULL"
            " WHERE user_id LIKE 'erased:%'"
        )
    )
    person_days = conn.execute(
        sa.text("SELECT DISTINCT user_id, day FROM bookings WHERE user_id LIKE 'erased:%'")
    ).all()
    for user_id, day in person_days:
        conn.execute(
            sa.text("UPDATE bookings SET user_id = :t WHERE user_id = :u AND day = :d"),
            {"t": "erased:" + secrets.token_hex(8), "u": user_id, "d": day},
        )
    for table, column in (
        ("profiles", "user_id"),
        ("requests", "user_id"),
        ("audit_events", "actor"),
    ):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} LIKE 'erased:%'"))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO profiles (user_id, commute_km, created_at, updated_at)"
            " SELECT user_id, MAX(erased_commute_km), MIN(created_at), MIN(created_at)"
            " FROM bookings WHERE erased_commute_km IS NOT NULL GROUP BY user_id"
        )
    )
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("erased_commute_km")
