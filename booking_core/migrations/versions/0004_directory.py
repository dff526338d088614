"""opt-in directory: profiles, skills index, consents, relayed contacts, missing skills

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "directory_profiles",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=True),
        sa.Column("profession", sa.String(length=100), nullable=True),
        sa.Column("commune", sa.String(length=100), nullable=True),
        sa.Column("usual_centre", sa.String(length=40), nullable=True),
        sa.Column("contact_handle", sa.String(length=200), nullable=True),
        sa.Column("open_to", sa.SmallInteger(), nullable=False),
        sa.Column("partner_job_note", sa.String(length=500), nullable=True),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_directory_profiles_user_id")),
    )
    op.create_table(
        "directory_skills",
        sa.Column("skill", sa.String(length=60), nullable=False),
        sa.Column("profile_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["directory_profiles.id"],
            name=op.f("fk_directory_skills_profile_id_directory_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("skill", "profile_id", name=op.f("pk_directory_skills")),
    )
    op.create_index("ix_directory_skills_profile", "directory_skills", ["profile_id"])
    op.create_table(
        "directory_consents",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_consents")),
    )
    op.create_index("ix_directory_consents_user", "directory_consents", ["user_id", "field"])
    op.create_table(
        "directory_contacts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("from_user", sa.String(length=200), nullable=False),
        sa.Column("to_profile_id", Id, nullable=False),
        sa.Column("from_handle", sa.String(length=200), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["to_profile_id"],
            ["directory_profiles.id"],
            name=op.f("fk_directory_contacts_to_profile_id_directory_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_contacts")),
    )
    op.create_index("ix_directory_contacts_from", "directory_contacts", ["from_user", "created_at"])
    op.create_index("ix_directory_contacts_to", "directory_contacts", ["to_profile_id"])
    op.create_table(
        "directory_missing_skills",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("centre_id", sa.String(length=40), nullable=False),
        sa.Column("skill", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "centre_id", "skill", name=op.f("pk_directory_missing_skills")
        ),
    )


def downgrade() -> None:
    op.drop_table("directory_missing_skills")
    op.drop_index("ix_directory_contacts_to", table_name="directory_contacts")
    op.drop_index("ix_directory_contacts_from", table_name="directory_contacts")
    op.drop_table("directory_contacts")
    op.drop_index("ix_directory_consents_user", table_name="directory_consents")
    op.drop_table("directory_consents")
    op.drop_index("ix_directory_skills_profile", table_name="directory_skills")
    op.drop_table("directory_skills")
    op.drop_table("directory_profiles")
