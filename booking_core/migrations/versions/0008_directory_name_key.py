"""directory display names, folded, so that a name searched for is not a missing skill

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from booking_core.skills import name_key

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_profiles") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=120), nullable=True))
    conn = op.get_bind()
    named = conn.execute(
        sa.text("SELECT id, display_name FROM directory_profiles WHERE display_name IS NOT NULL")
    ).all()
    for profile_id, name in named:
        conn.execute(
            sa.text("UPDATE directory_profiles SET name_key = :k WHERE id = :i"),
            {"k": name_key(name), "i": profile_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("directory_profiles") as batch:
        batch.drop_column("name_key")
