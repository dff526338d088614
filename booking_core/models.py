"""SQLAlchemy 2.0 typed mappings; the schema itself is owned by the Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Time,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT keys on PostgreSQL, INTEGER (the rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; SQLite has no time zones, so give them back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
        }
    )


class RequestRow(Base):
    """One request per idempotency key: a replayed chat message finds its first answer here."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of what was asked: a key reused for another request is refused."""


class BookingRow(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    series_id: Mapped[str | None] = mapped_column(String(40), index=True)
    user_id: Mapped[str] = mapped_column(String(200))
    centre_id: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(10))
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    people: Mapped[int] = mapped_column(SmallInteger, default=1)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(200))
    erased_commute_km: Mapped[float | None] = mapped_column(Float)
    """Only on an erased person's bookings: their commute, for the impact counts."""
    erased_centre_km: Mapped[float | None] = mapped_column(Float)
    """Only on an erased person's bookings: their declared home-to-centre distance."""
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the person answered « Je viens » to a reminder."""

    __table_args__ = (
        Index("ix_bookings_user_day", "user_id", "day"),
        Index("ix_bookings_centre_day", "centre_id", "day"),
        Index("ix_bookings_request", "request_id"),
    )


class SlotClaim(Base):
    """The no-double-booking guarantee: one row per resource, day and slot held by an
    active booking. The primary key makes a second holder impossible whatever the
    application code does; cancelling a booking deletes its claims.

    ``slot`` is 0 (morning) or 1 (afternoon) for desks, the 30-minute index of the day
    (18 = 09:00) for meeting rooms; a resource is only ever one kind.
    """

    __tablename__ = "slot_claims"

    day: Mapped[date] = mapped_column(Date)
    resource_id: Mapped[str] = mapped_column(String(100))
    slot: Mapped[int] = mapped_column(SmallInteger)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))

    __table_args__ = (
        PrimaryKeyConstraint("day", "resource_id", "slot"),
        Index("ix_slot_claims_booking", "booking_id"),
    )


class WaitlistRow(Base):
    __tablename__ = "waitlist"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(200))
    centre_id: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(SmallInteger, default=1)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    channel: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_waitlist_centre_day", "centre_id", "day", "status"),)


class AuditEvent(Base):
    """Who did what when; written in the same transaction as the change it records."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(30))
    booking_id: Mapped[int | None] = mapped_column(Id)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_events_booking", "booking_id"),)


class ConversationRow(Base):
    """Where a dialogue stands, per chat channel and person: survives restarts and instances."""

    __tablename__ = "conversations"

    channel: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Bumped by every save; a save that read an older one is refused (compare and set).
    revision: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (PrimaryKeyConstraint("channel", "user_id"),)


class ProfileRow(Base):
    """What a person chose to tell: language, and optionally home commune, commute, centre."""

    __tablename__ = "profiles"

    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(5))
    home_commune: Mapped[str | None] = mapped_column(String(100))
    commute_km: Mapped[float | None] = mapped_column(Float)
    usual_centre: Mapped[str | None] = mapped_column(String(40))
    centre_km: Mapped[float | None] = mapped_column(Float)
    """Declared one-way distance from home to the telecentre: the part of the commute a
    day at the telecentre does not avoid."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxRow(Base):
    """A notification to deliver exactly once: reminders, waitlist offers, digests, notices.

    A sender claims due rows with a lease (``lease_owner``, ``lease_until``), renews it
    before each send, and marks them sent; a crashed sender's lease expires and another
    takes the row over. ``lease_until`` is on the database's clock, ``due_at`` and
    ``expires_at`` on the network's (injected) one.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    booking_id: Mapped[int | None] = mapped_column(Id)
    status: Mapped[str] = mapped_column(String(12))
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    parts_sent: Mapped[list[str] | None] = mapped_column(JSON)
    """Parts of a multi-part message (a digest's text, chart...) already accepted by the
    chat network: a retry after a partial failure sends only the others."""
    group_key: Mapped[str | None] = mapped_column(String(200))
    """Reminders of one person for one centre and day share it: one message for them all."""

    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        Index("ix_outbox_booking", "booking_id"),
        Index("ix_outbox_group", "group_key", "status"),
    )


class DirectoryProfileRow(Base):
    """An opt-in directory entry, created only when its owner asks for one.

    Every field may be filled without being shown: ``published`` is a bit mask with one bit
    per field (see :data:`booking_core.directory.FIELDS`), set and cleared by the owner's
    consents only, so a search can filter and blank fields in SQL and an unpublished value
    never leaves the database. ``channel`` is where the bot relays contact requests: it is
    routing, never shown to anyone.
    """

    __tablename__ = "directory_profiles"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(100))
    skills: Mapped[list[str] | None] = mapped_column(JSON)
    profession: Mapped[str | None] = mapped_column(String(100))
    commune: Mapped[str | None] = mapped_column(String(100))
    usual_centre: Mapped[str | None] = mapped_column(String(40))
    contact_handle: Mapped[str | None] = mapped_column(String(200))
    open_to: Mapped[int] = mapped_column(SmallInteger, default=0)
    partner_job_note: Mapped[str | None] = mapped_column(String(500))
    published: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    name_key: Mapped[str | None] = mapped_column(String(120))
    """The display name folded (" helene dupont "), never shown: a search for a member's
    name is not counted as a missing skill."""


class DirectorySkillRow(Base):
    """The search index: one normalised skill per row, so a search is an index range scan."""

    __tablename__ = "directory_skills"

    skill: Mapped[str] = mapped_column(String(60))
    profile_id: Mapped[int] = mapped_column(ForeignKey("directory_profiles.id", ondelete="CASCADE"))

    __table_args__ = (
        PrimaryKeyConstraint("skill", "profile_id"),
        Index("ix_directory_skills_profile", "profile_id"),
    )


class DirectoryConsentRow(Base):
    """Each consent given or withdrawn, with its date: the proof the GDPR asks for."""

    __tablename__ = "directory_consents"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(30))
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_directory_consents_user", "user_id", "field"),)


class DirectoryContactRow(Base):
    """A contact relayed by the bot: the recipient may answer through the bot.

    Only the recipient's profile number is kept, never their id or handle, so the
    requester's export holds nothing about the recipient they did not already see.
    """

    __tablename__ = "directory_contacts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    from_user: Mapped[str] = mapped_column(String(200))
    to_profile_id: Mapped[int] = mapped_column(
        ForeignKey("directory_profiles.id", ondelete="CASCADE")
    )
    from_handle: Mapped[str | None] = mapped_column(String(200))
    """The requester's contact handle, only when they published it."""
    message: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_directory_contacts_from", "from_user", "created_at"),
        Index("ix_directory_contacts_to", "to_profile_id"),
    )


class MissingSkillRow(Base):
    """Searches that found nobody, counted per day, centre and skill: no person in it.

    ``centre_id`` is ``''`` when the searcher has no usual centre (a key column cannot be
    NULL); ``label`` is the word as people typed it, for the managers' digest.
    """

    __tablename__ = "directory_missing_skills"

    day: Mapped[date] = mapped_column(Date)
    centre_id: Mapped[str] = mapped_column(String(40))
    skill: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(100))
    searches: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (PrimaryKeyConstraint("day", "centre_id", "skill"),)
