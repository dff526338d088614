"""The SQLAlchemy repository and unit of work, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Self, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Executable,
    Interval,
    Result,
    Select,
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from booking_core import errors
from booking_core.db import READONLY, SQLITE_BUSY_TIMEOUT_S, create_sync_engine
from booking_core.domain import (
    Booking,
    BookingStatus,
    NewBooking,
    NewNotification,
    Notification,
    NotificationStatus,
    Profile,
    RequestRecord,
    WaitEntry,
    WaitStatus,
)
from booking_core.models import (
    AuditEvent,
    BookingRow,
    ConversationRow,
    DirectoryConsentRow,
    DirectoryContactRow,
    DirectoryProfileRow,
    DirectorySkillRow,
    OutboxRow,
    ProfileRow,
    RequestRow,
    SlotClaim,
    WaitlistRow,
)
from booking_core.network import Period, ResourceKind
from booking_core.uow import (
    REVISION,
    DuplicateKey,
    LockOrder,
    Repository,
    SlotTaken,
    UnitOfWork,
)

T = TypeVar("T")
log = logging.getLogger(__name__)


def _booking(row: Any) -> Booking:
    return Booking(
        id=row.id,
        user_id=row.user_id,
        centre_id=row.centre_id,
        resource_id=row.resource_id,
        kind=ResourceKind(row.kind),
        day=row.day,
        period=Period(row.period) if row.period else None,
        start=row.start_time,
        end=row.end_time,
        status=BookingStatus(row.status),
        people=row.people,
        created_at=row.created_at.astimezone(UTC),
        request_id=row.request_id,
        series_id=row.series_id,
        checked_in_at=row.checked_in_at.astimezone(UTC) if row.checked_in_at else None,
        channel=row.channel,
        confirmed_at=row.confirmed_at.astimezone(UTC) if row.confirmed_at else None,
    )


def _wait(row: Any) -> WaitEntry:
    return WaitEntry(
        id=row.id,
        user_id=row.user_id,
        centre_id=row.centre_id,
        day=row.day,
        period=Period(row.period),
        count=row.count,
        status=WaitStatus(row.status),
        created_at=row.created_at.astimezone(UTC),
        channel=row.channel,
    )


BOOKINGS = cast(Table, BookingRow.__table__)
WAITLIST = cast(Table, WaitlistRow.__table__)
PROFILES = cast(Table, ProfileRow.__table__)
REQUESTS = cast(Table, RequestRow.__table__)
AUDIT = cast(Table, AuditEvent.__table__)
CONVERSATIONS = cast(Table, ConversationRow.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)
DIRECTORY_PROFILES = cast(Table, DirectoryProfileRow.__table__)
DIRECTORY_SKILLS = cast(Table, DirectorySkillRow.__table__)
DIRECTORY_CONSENTS = cast(Table, DirectoryConsentRow.__table__)
DIRECTORY_CONTACTS = cast(Table, DirectoryContactRow.__table__)
_OWN_DIRECTORY_PROFILE = (
    select(DIRECTORY_PROFILES.c.id)
    .where(DIRECTORY_PROFILES.c.user_id == bindparam("u"))
    .scalar_subquery()
)
CONTACT_KEY = "contact:"
"""Outbox key prefix of a relayed contact, followed by its ``directory_contacts`` id."""
_CONTACT_OUTBOX_KEY = literal(CONTACT_KEY, String) + sql_cast(DIRECTORY_CONTACTS.c.id, String)
# Leaving the directory (or erasure): the relays queued for the contacts it sent and
# received (they hold the requester's handle and words, whoever they were addressed to),
# then the profile, its index, its consents, the contacts themselves. Missing-skill
# counts hold no person and stay.
ERASE_DIRECTORY = (
    delete(OUTBOX).where(
        OUTBOX.c.key.in_(
            select(_CONTACT_OUTBOX_KEY).where(
                (DIRECTORY_CONTACTS.c.from_user == bindparam("u"))
                | (DIRECTORY_CONTACTS.c.to_profile_id == _OWN_DIRECTORY_PROFILE)
            )
        )
    ),
    delete(DIRECTORY_CONTACTS).where(
        (DIRECTORY_CONTACTS.c.from_user == bindparam("u"))
        | (DIRECTORY_CONTACTS.c.to_profile_id == _OWN_DIRECTORY_PROFILE)
    ),
    delete(DIRECTORY_SKILLS).where(DIRECTORY_SKILLS.c.profile_id == _OWN_DIRECTORY_PROFILE),
    delete(DIRECTORY_CONSENTS).where(DIRECTORY_CONSENTS.c.user_id == bindparam("u")),
    delete(DIRECTORY_PROFILES).where(DIRECTORY_PROFILES.c.user_id == bindparam("u")),
)
_PERSONAL = (
    ("profile", PROFILES, "user_id"),
    ("bookings", BOOKINGS, "user_id"),
    ("waitlist", WAITLIST, "user_id"),
    ("conversations", CONVERSATIONS, "user_id"),
    ("requests", REQUESTS, "user_id"),
    ("audit", AUDIT, "actor"),
    ("notifications", OUTBOX, "user_id"),
    ("directory_profile", DIRECTORY_PROFILES, "user_id"),
    ("directory_consents", DIRECTORY_CONSENTS, "user_id"),
    ("directory_contacts_sent", DIRECTORY_CONTACTS, "from_user"),
)


ERASED = "erased:"
"""Prefix of the tokens erased bookings are kept under: one fresh token per person-day."""
# One person-day of an erased person: a token of its own, nothing that ties it to the
# person's other days (request, series, the moments they booked or cancelled together),
# and their commute, so the impact counts stay what they were.
ANONYMISE_DAY = (
    update(BOOKINGS)
    .where(BOOKINGS.c.user_id == bindparam("u"), BOOKINGS.c.day == bindparam("d"))
    .values(
        user_id=bindparam("t"),
        channel=None,
        request_id=None,
        series_id=None,
        erased_commute_km=bindparam("km"),
        erased_centre_km=bindparam("near"),
        created_at=bindparam("at"),
        cancelled_at=case((BOOKINGS.c.cancelled_at.is_(None), None), else_=bindparam("at")),
    )
)
# Rows that only describe the person go whole (the waitlist is already gone, before
# the cancellations). Requests are deleted above, once no booking points to them.
ERASE_ROWS = (
    (WAITLIST, "user_id"),
    (CONVERSATIONS, "user_id"),
    (PROFILES, "user_id"),
    (OUTBOX, "user_id"),
    (AUDIT, "actor"),
)


def _activity(table: Table, who: str, when: str, since: str) -> Select[Any]:
    """(person, 1 if this row is recent else 0) for one kind of activity."""
    recent = case((table.c[when] >= bindparam(since), 1), else_=0)
    return select(table.c[who].label("user_id"), recent.label("recent"))


# Anything a person does counts as activity: a booking (by its day), a waitlist entry,
# a profile or directory change, a consent, a contact sent, a dialogue, a request.
_ACTIVITY = union_all(
    _activity(BOOKINGS, "user_id", "day", "d"),
    _activity(WAITLIST, "user_id", "day", "d"),
    _activity(PROFILES, "user_id", "updated_at", "m"),
    _activity(CONVERSATIONS, "user_id", "updated_at", "m"),
    _activity(REQUESTS, "user_id", "created_at", "m"),
    _activity(DIRECTORY_PROFILES, "user_id", "updated_at", "m"),
    _activity(DIRECTORY_CONSENTS, "user_id", "at", "m"),
    _activity(DIRECTORY_CONTACTS, "from_user", "created_at", "m"),
).subquery("activity")
INACTIVE_PEOPLE = (
    select(_ACTIVITY.c.user_id)
    .where(~_ACTIVITY.c.user_id.like(ERASED + "%"))
    .group_by(_ACTIVITY.c.user_id)
    .having(func.max(_ACTIVITY.c.recent) == 0)
)
# Relayed words are kept as long as a dialogue state, no longer: the contact row stays
# (the limits count it), its text and handle go, and so does the sent relay's payload.
PURGE_CONTACTS = (
    update(DIRECTORY_CONTACTS)
    .where(
        DIRECTORY_CONTACTS.c.created_at < bindparam("b"),
        (DIRECTORY_CONTACTS.c.message != "") | DIRECTORY_CONTACTS.c.from_handle.is_not(None),
    )
    .values(message="", from_handle=None)
)
PURGE_RELAYS = (
    update(OUTBOX)
    .where(
        OUTBOX.c.kind == "contact_relay",
        OUTBOX.c.status != NotificationStatus.PENDING.value,
        OUTBOX.c.created_at < bindparam("b"),
    )
    .values(payload={})
)


def _erased_token() -> str:
    return ERASED + secrets.token_hex(8)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


SELECT_CONVERSATION = select(ConversationRow.state, ConversationRow.revision).where(
    ConversationRow.channel == bindparam("channel"),
    ConversationRow.user_id == bindparam("user_id"),
)
UPDATE_CONVERSATION = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.channel == bindparam("c"),
        CONVERSATIONS.c.user_id == bindparam("u"),
        CONVERSATIONS.c.revision == bindparam("expected"),
    )
    .values(
        state=bindparam("s"),
        updated_at=bindparam("at"),
        revision=CONVERSATIONS.c.revision + 1,
    )
)
LATEST_CHANNEL = (
    select(ConversationRow.channel)
    .where(ConversationRow.user_id == bindparam("u"))
    .order_by(ConversationRow.updated_at.desc())
    .limit(1)
)
SELECT_PROFILE = select(PROFILES).where(PROFILES.c.user_id == bindparam("u"))
SELECT_REQUEST = select(
    RequestRow.id, RequestRow.user_id, RequestRow.kind, RequestRow.result, RequestRow.fingerprint
).where(RequestRow.key == bindparam("key"))


@functools.cache
def _upsert_statement(
    postgres: bool,
    model: type[ConversationRow] | type[ProfileRow],
    keys: tuple[str, ...],
    keep: tuple[str, ...],
) -> Executable:
    """INSERT … ON CONFLICT DO UPDATE, built once per table; values are bound per call."""
    statement = (pg_insert if postgres else sqlite_insert)(model)
    columns = [c.name for c in cast(Table, model.__table__).columns]
    changed = {k: statement.excluded[k] for k in columns if k not in keys and k not in keep}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changed)


_PENDING = NotificationStatus.PENDING.value


def _db_now(postgres: bool) -> ColumnElement[Any]:
    """The database's own clock, UTC: what every sender's lease is measured on.

    Leases are about elapsed time between processes, so they use one clock that all the
    senders share (and that no test freezes); ``due_at`` and ``expires_at`` stay on the
    network's injected clock, which decides what is due.
    """
    if postgres:
        return func.clock_timestamp()
    return func.strftime("%Y-%m-%d %H:%M:%f", "now")


def _db_later(postgres: bool) -> ColumnElement[Any]:
    """The database's clock plus ``:lease`` (a timedelta on PostgreSQL, a modifier on SQLite)."""
    if postgres:
        return func.clock_timestamp() + bindparam("lease", type_=Interval())
    return func.strftime("%Y-%m-%d %H:%M:%f", "now", bindparam("lease"))


@functools.cache
def _outbox_statements(postgres: bool) -> SimpleNamespace:
    """The outbox's statements for one dialect, built once; values are bound per call.

    Every statement that acts for a sender requires it still to hold the row *and* the
    row still to be pending, so a lease taken over, or a notification cancelled while it
    was leased, is never sent again nor overwritten as sent.
    """
    o = OUTBOX.c
    now, later = _db_now(postgres), _db_later(postgres)
    due = (
        select(o.id)
        .where(
            o.status == _PENDING,
            o.due_at <= bindparam("now"),
            o.lease_until.is_(None) | (o.lease_until < now),
        )
        .order_by(o.due_at, o.id)
        .limit(bindparam("limit"))
    )
    # PostgreSQL: several senders claim side by side, each skipping the rows another
    # holds. SQLite: one writer at a time (BEGIN IMMEDIATE) is the lock.
    if postgres:
        due = due.with_for_update(skip_locked=True)
    held = (o.id == bindparam("nid"), o.lease_owner == bindparam("owner"), o.status == _PENDING)
    released = {"lease_owner": None, "lease_until": None}
    return SimpleNamespace(
        claim=update(OUTBOX)
        .where(o.id.in_(due.scalar_subquery()))
        .values(lease_owner=bindparam("owner"), lease_until=later, attempts=o.attempts + 1)
        .returning(*OUTBOX.c),
        renew=update(OUTBOX).where(*held, o.lease_until > now).values(lease_until=later),
        finish=update(OUTBOX)
        .where(*held)
        .values(status=bindparam("s"), sent_at=bindparam("at"), **released),
        finish_also=update(OUTBOX)
        .where(o.id.in_(bindparam("ids", expanding=True)), o.status == _PENDING)
        .values(status=bindparam("s"), sent_at=bindparam("at"), **released),
        retry=update(OUTBOX)
        .where(*held)
        .values(due_at=bindparam("at"), attempts=o.attempts - bindparam("back"), **released),
        parts=update(OUTBOX).where(*held).values(parts_sent=bindparam("parts")),
        group=select(OUTBOX)
        .where(
            o.group_key == bindparam("g"),
            o.status == _PENDING,
            o.expires_at.is_(None) | (o.expires_at > bindparam("now")),
        )
        .order_by(o.id),
        purge=delete(OUTBOX).where(
            o.status != _PENDING, func.coalesce(o.sent_at, o.created_at) < bindparam("before")
        ),
    )


def _lease(postgres: bool, seconds: float) -> Any:
    return timedelta(seconds=seconds) if postgres else f"+{seconds:.3f} seconds"


def _notification(r: Any) -> Notification:
    return Notification(
        id=r.id,
        key=r.key,
        kind=r.kind,
        channel=r.channel,
        user_id=r.user_id,
        payload=dict(r.payload),
        due_at=_utc(r.due_at),
        expires_at=_utc(r.expires_at) if r.expires_at else None,
        booking_id=r.booking_id,
        attempts=r.attempts,
        parts_sent=tuple(r.parts_sent or ()),
        group_key=r.group_key,
    )


CANCEL_NOTIFICATIONS = (
    update(OUTBOX)
    .where(OUTBOX.c.booking_id.in_(bindparam("ids", expanding=True)), OUTBOX.c.status == _PENDING)
    .values(status=bindparam("s"))
)


def _utc(moment: datetime) -> datetime:
    """SQLite hands UTC back naive from raw statements; PostgreSQL hands it back aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values: dates and times as ISO strings."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


LOCK_USER = text("SELECT pg_advisory_xact_lock(hashtextextended(:u, 0))")
TRY_LOCK_USER = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:u, 0))")
# Constant statements with bound values: compiled once, then served from the cache.
INSERT_REQUEST = insert(RequestRow).returning(RequestRow.id)
INSERT_BOOKING = insert(BookingRow).returning(BookingRow.id)
INSERT_CLAIM = insert(SlotClaim)
INSERT_WAIT = insert(WaitlistRow).returning(WaitlistRow.id)
INSERT_AUDIT = insert(AuditEvent)
SELECT_TAKEN = select(SlotClaim.resource_id, SlotClaim.slot).where(
    SlotClaim.day == bindparam("day"), SlotClaim.resource_id.in_(bindparam("ids", expanding=True))
)
_FILTERS = {
    "user_id": lambda c: c.user_id == bindparam("user_id"),
    "centre_id": lambda c: c.centre_id == bindparam("centre_id"),
    "first_day": lambda c: c.day >= bindparam("first_day"),
    "last_day": lambda c: c.day <= bindparam("last_day"),
    "request_id": lambda c: c.request_id == bindparam("request_id"),
    "series_id": lambda c: c.series_id == bindparam("series_id"),
}


@functools.cache
def _find_statement(filters: frozenset[str], active_only: bool) -> Select[Any]:
    """One statement per combination of filters, built once; values are bound at execution."""
    c = BOOKINGS.c
    query = select(BOOKINGS)
    for name in sorted(filters - {"limit"}):
        query = query.where(_FILTERS[name](c))
    if active_only:
        query = query.where(c.status == BookingStatus.ACTIVE.value)
    query = query.order_by(c.day, c.start_time, c.id)
    if "limit" in filters:
        query = query.limit(bindparam("limit"))
    return query


class SqlRepository(Repository):
    """Core (not ORM) statements on one connection: a booking is a handful of round trips."""

    def __init__(self, conn: AsyncConnection | Connection) -> None:
        self.conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self._audit: list[dict[str, Any]] = []
        self._locked: set[str] = set()

    async def _execute(
        self, statement: Executable, params: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> Result[Any]:
        if isinstance(self.conn, AsyncConnection):
            return await self.conn.execute(statement, params)
        return self.conn.execute(statement, params)

    async def lock_user(self, user_id: str) -> None:
        # SQLite already runs one writer at a time (BEGIN IMMEDIATE).
        if not self._postgres or user_id in self._locked:
            return
        params = {"u": user_id}
        if self._locked and user_id < max(self._locked):
            if not (await self._execute(TRY_LOCK_USER, params)).scalar():
                raise LockOrder(tuple(sorted({*self._locked, user_id})))
        else:
            await self._execute(LOCK_USER, params)
        self._locked.add(user_id)

    async def find_request(self, key: str) -> RequestRecord | None:
        row = (await self._execute(SELECT_REQUEST, {"key": key})).first()
        if row is None:
            return None
        return RequestRecord(row.id, key, row.user_id, row.kind, row.result, row.fingerprint)

    async def add_request(
        self, key: str, user_id: str, kind: str, at: datetime, fingerprint: str
    ) -> int:
        values = {
            "key": key,
            "user_id": user_id,
            "kind": kind,
            "created_at": at,
            "fingerprint": fingerprint,
        }
        try:
            return int((await self._execute(INSERT_REQUEST, values)).scalar_one())
        except IntegrityError as exc:
            raise DuplicateKey(key) from exc

    async def set_request_result(self, request_id: int, result: dict[str, Any]) -> None:
        await self._execute(
            update(RequestRow).where(RequestRow.id == request_id).values(result=result)
        )

    async def taken_slots(self, resource_ids: list[str], day: date) -> set[tuple[str, int]]:
        if not resource_ids:
            return set()
        rows = await self._execute(SELECT_TAKEN, {"day": day, "ids": resource_ids})
        return {(row.resource_id, row.slot) for row in rows}

    async def add_booking(self, new: NewBooking) -> Booking:
        values = {
            "request_id": new.request_id,
            "series_id": new.series_id,
            "user_id": new.user_id,
            "centre_id": new.centre_id,
            "resource_id": new.resource_id,
            "kind": new.kind.value,
            "day": new.day,
            "period": new.period.value if new.period else None,
            "start_time": new.start,
            "end_time": new.end,
            "people": new.people,
            "status": BookingStatus.ACTIVE.value,
            "created_at": new.created_at,
            "channel": new.channel,
        }
        booking_id = int((await self._execute(INSERT_BOOKING, values)).scalar_one())
        claims = [
            {"day": new.day, "resource_id": new.resource_id, "slot": slot, "booking_id": booking_id}
            for slot in new.slots
        ]
        try:
            await self._execute(INSERT_CLAIM, claims)
        except IntegrityError as exc:
            raise SlotTaken(new.resource_id) from exc
        return _booking(
            SimpleNamespace(id=booking_id, checked_in_at=None, confirmed_at=None, **values)
        )

    async def get_booking(self, booking_id: int) -> Booking | None:
        row = (await self._execute(select(BOOKINGS).where(BOOKINGS.c.id == booking_id))).first()
        return _booking(row) if row else None

    async def find_bookings(
        self,
        *,
        user_id: str | None = None,
        centre_id: str | None = None,
        first_day: date | None = None,
        last_day: date | None = None,
        request_id: int | None = None,
        series_id: str | None = None,
        active_only: bool = True,
        limit: int | None = None,
    ) -> list[Booking]:
        given = {
            "user_id": user_id,
            "centre_id": centre_id,
            "first_day": first_day,
            "last_day": last_day,
            "request_id": request_id,
            "series_id": series_id,
            "limit": limit,
        }
        params = {k: v for k, v in given.items() if v is not None}
        statement = _find_statement(frozenset(params), active_only)
        return [_booking(row) for row in await self._execute(statement, params)]

    async def cancel_booking(self, booking_id: int, at: datetime) -> None:
        await self._execute(delete(SlotClaim).where(SlotClaim.booking_id == booking_id))
        await self._execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id)
            .values(status=BookingStatus.CANCELLED.value, cancelled_at=at)
        )

    async def add_wait(
        self,
        user_id: str,
        centre_id: str,
        day: date,
        period: Period,
        count: int,
        at: datetime,
        request_id: int | None,
        channel: str | None = None,
    ) -> WaitEntry:
        values = {
            "channel": channel,
            "user_id": user_id,
            "centre_id": centre_id,
            "day": day,
            "period": period.value,
            "count": count,
            "status": WaitStatus.WAITING.value,
            "created_at": at,
            "request_id": request_id,
        }
        entry_id = int((await self._execute(INSERT_WAIT, values)).scalar_one())
        return _wait(SimpleNamespace(id=entry_id, **values))

    async def waiting(
        self, *, centre_id: str | None = None, day: date | None = None, user_id: str | None = None
    ) -> list[WaitEntry]:
        c = WAITLIST.c
        query = select(WAITLIST).where(c.status == WaitStatus.WAITING.value)
        if centre_id is not None:
            query = query.where(c.centre_id == centre_id)
        if day is not None:
            query = query.where(c.day == day)
        if user_id is not None:
            query = query.where(c.user_id == user_id)
        query = query.order_by(c.created_at, c.id)
        return [_wait(row) for row in await self._execute(query)]

    async def set_wait_status(self, entry_id: int, status: WaitStatus) -> None:
        await self._execute(
            update(WaitlistRow).where(WaitlistRow.id == entry_id).values(status=status.value)
        )

    async def delete_waits(self, user_id: str) -> None:
        await self._execute(
            delete(WAITLIST).where(WAITLIST.c.user_id == bindparam("u")), {"u": user_id}
        )

    async def set_checked_in(self, booking_id: int, at: datetime) -> None:
        await self._execute(
            update(BOOKINGS)
            .where(BOOKINGS.c.id == bindparam("b"))
            .values(checked_in_at=bindparam("at")),
            {"b": booking_id, "at": at},
        )

    async def set_confirmed(self, booking_id: int, at: datetime) -> None:
        await self._execute(
            update(BOOKINGS)
            .where(BOOKINGS.c.id == bindparam("b"))
            .values(confirmed_at=bindparam("at")),
            {"b": booking_id, "at": at},
        )

    async def release_booking(self, booking_id: int, at: datetime) -> None:
        await self._execute(delete(SlotClaim).where(SlotClaim.booking_id == booking_id))
        await self._execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id)
            .values(status=BookingStatus.RELEASED.value, cancelled_at=at)
        )

    async def add_notifications(self, items: list[NewNotification], at: datetime) -> None:
        if not items:
            return
        rows = [
            {
                "key": n.key,
                "kind": n.kind,
                "channel": n.channel,
                "user_id": n.user_id,
                "payload": n.payload,
                "due_at": n.due_at,
                "expires_at": n.expires_at,
                "booking_id": n.booking_id,
                "status": NotificationStatus.PENDING.value,
                "attempts": 0,
                "created_at": at,
                "group_key": n.group_key,
            }
            for n in items
        ]
        insert_ = pg_insert if self._postgres else sqlite_insert
        await self._execute(insert_(OutboxRow).on_conflict_do_nothing(index_elements=["key"]), rows)

    async def cancel_notifications(self, booking_ids: list[int]) -> None:
        if booking_ids:
            await self._execute(
                CANCEL_NOTIFICATIONS, {"ids": booking_ids, "s": NotificationStatus.CANCELLED.value}
            )

    async def claim_notifications(
        self, owner: str, now: datetime, lease_s: float, limit: int
    ) -> list[Notification]:
        sql = _outbox_statements(self._postgres)
        params = {"owner": owner, "now": now, "limit": limit}
        rows = await self._execute(sql.claim, {**params, "lease": _lease(self._postgres, lease_s)})
        return sorted(map(_notification, rows), key=lambda n: (n.due_at, n.id))

    async def renew_notification(self, notification_id: int, owner: str, lease_s: float) -> bool:
        sql = _outbox_statements(self._postgres)
        params = {"nid": notification_id, "owner": owner, "lease": _lease(self._postgres, lease_s)}
        return bool(getattr(await self._execute(sql.renew, params), "rowcount", 0))

    async def finish_notification(
        self,
        notification_id: int,
        owner: str,
        status: NotificationStatus,
        at: datetime,
        also: Sequence[int] = (),
    ) -> bool:
        sql = _outbox_statements(self._postgres)
        params = {"nid": notification_id, "owner": owner, "s": status.value, "at": at}
        done = bool(getattr(await self._execute(sql.finish, params), "rowcount", 0))
        if done and also:
            await self._execute(sql.finish_also, {"ids": list(also), "s": status.value, "at": at})
        return done

    async def retry_notification(
        self, notification_id: int, owner: str, not_before: datetime, *, counts: bool = True
    ) -> None:
        sql = _outbox_statements(self._postgres)
        params = {
            "nid": notification_id,
            "owner": owner,
            "at": not_before,
            "back": 0 if counts else 1,
        }
        await self._execute(sql.retry, params)

    async def record_parts(self, notification_id: int, owner: str, parts: Sequence[str]) -> bool:
        sql = _outbox_statements(self._postgres)
        params = {"nid": notification_id, "owner": owner, "parts": list(parts)}
        return bool(getattr(await self._execute(sql.parts, params), "rowcount", 0))

    async def notification_group(self, group_key: str, now: datetime) -> list[Notification]:
        sql = _outbox_statements(self._postgres)
        return [
            _notification(r) for r in await self._execute(sql.group, {"g": group_key, "now": now})
        ]

    async def purge_notifications(self, before: datetime) -> int:
        sql = _outbox_statements(self._postgres)
        result = await self._execute(sql.purge, {"before": before})
        return int(getattr(result, "rowcount", 0) or 0)

    async def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        booking_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        # Buffered, then written in one statement just before the commit.
        self._audit.append(
            {
                "at": at,
                "actor": actor,
                "action": action,
                "booking_id": booking_id,
                "details": details,
            }
        )

    async def get_conversation(self, channel: str, user_id: str) -> dict[str, Any] | None:
        row = (
            await self._execute(SELECT_CONVERSATION, {"channel": channel, "user_id": user_id})
        ).first()
        return {**dict(row.state), REVISION: row.revision} if row else None

    async def save_conversation(
        self, channel: str, user_id: str, state: dict[str, Any], at: datetime
    ) -> None:
        state = dict(state)
        expected = state.pop(REVISION, None)
        values = {"channel": channel, "user_id": user_id, "state": state, "updated_at": at}
        if expected is None:
            insert = (pg_insert if self._postgres else sqlite_insert)(ConversationRow)
            result = await self._execute(insert.on_conflict_do_nothing(), values)
        else:
            result = await self._execute(
                UPDATE_CONVERSATION,
                {"c": channel, "u": user_id, "s": state, "at": at, "expected": expected},
            )
        if getattr(result, "rowcount", 0) != 1:
            raise errors.StaleState(f"the dialogue state of {channel} changed meanwhile")

    async def latest_channel(self, user_id: str) -> str | None:
        row = (await self._execute(LATEST_CHANNEL, {"u": user_id})).first()
        return str(row.channel) if row else None

    async def get_profile(self, user_id: str) -> Profile | None:
        row = (await self._execute(SELECT_PROFILE, {"u": user_id})).first()
        if row is None:
            return None
        return Profile(
            row.user_id,
            row.language,
            row.home_commune,
            row.commute_km,
            row.usual_centre,
            row.centre_km,
        )

    async def save_profile(self, profile: Profile, at: datetime) -> None:
        values = {
            "user_id": profile.user_id,
            "language": profile.language,
            "home_commune": profile.home_commune,
            "commute_km": profile.commute_km,
            "usual_centre": profile.usual_centre,
            "centre_km": profile.centre_km,
            "created_at": at,
            "updated_at": at,
        }
        await self._upsert(ProfileRow, values, ["user_id"], keep=["created_at"])

    async def personal_rows(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for name, table, column in _PERSONAL:
            rows = await self._execute(
                select(table).where(table.c[column] == bindparam("u")), {"u": user_id}
            )
            found[name] = [_plain(dict(row._mapping)) for row in rows]
        return found

    async def forget_conversations(self, before: datetime) -> int:
        result = await self._execute(
            delete(CONVERSATIONS).where(CONVERSATIONS.c.updated_at < bindparam("b")), {"b": before}
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def inactive_people(self, before: date) -> list[str]:
        params = {"d": before, "m": datetime.combine(before, datetime.min.time(), tzinfo=UTC)}
        rows = await self._execute(INACTIVE_PEOPLE, params)
        return sorted(str(r[0]) for r in rows)

    async def purge_contact_texts(self, before: datetime) -> int:
        done = await self._execute(PURGE_CONTACTS, {"b": before})
        await self._execute(PURGE_RELAYS, {"b": before})
        return int(getattr(done, "rowcount", 0) or 0)

    async def expire_waits(self, today: date) -> int:
        done = await self._execute(
            delete(WAITLIST).where(WAITLIST.c.day < bindparam("d")), {"d": today}
        )
        return int(getattr(done, "rowcount", 0) or 0)

    async def erase_person(self, user_id: str) -> None:
        # Audit rows are buffered until the commit: write those of this transaction (the
        # erasure's own cancellations) now, so that they are erased too.
        await self.flush_audit()
        u = {"u": user_id}
        distances = (
            await self._execute(
                select(PROFILES.c.commute_km, PROFILES.c.centre_km).where(
                    PROFILES.c.user_id == bindparam("u")
                ),
                u,
            )
        ).first()
        commute, near = (distances.commute_km, distances.centre_km) if distances else (None, None)
        days = (
            await self._execute(
                select(BOOKINGS.c.day).where(BOOKINGS.c.user_id == bindparam("u")).distinct(), u
            )
        ).scalars()
        per_day = [
            {
                "u": user_id,
                "d": day,
                "t": _erased_token(),
                "km": commute,
                "near": near,
                "at": _midnight(day),
            }
            for day in days
        ]
        if per_day:
            await self._execute(ANONYMISE_DAY, per_day)
        await self._execute(delete(REQUESTS).where(REQUESTS.c.user_id == bindparam("u")), u)
        for table, column in ERASE_ROWS:
            await self._execute(delete(table).where(table.c[column] == bindparam("u")), u)
        for statement in ERASE_DIRECTORY:
            await self._execute(statement, u)

    async def _upsert(
        self,
        model: type[ConversationRow] | type[ProfileRow],
        values: dict[str, Any],
        keys: list[str],
        keep: Sequence[str] = (),
    ) -> None:
        statement = _upsert_statement(self._postgres, model, tuple(keys), tuple(keep))
        await self._execute(statement, values)

    async def flush_audit(self) -> None:
        if self._audit:
            await self._execute(INSERT_AUDIT, self._audit)
            self._audit.clear()


class SqlUnitOfWork(UnitOfWork):
    repo: SqlRepository

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def _begin(self) -> None:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        self.repo = SqlRepository(self._conn)

    async def _end(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self.repo.flush_audit()
        await self._conn.commit()

    async def rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction():
            await self._conn.rollback()


def _run_to_completion(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends; one that does is a bug, reported as such."""
    try:
        awaited = coro.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coro.close()
    raise RuntimeError(
        f"a SQLite unit of work awaited {awaited!r}: only synchronous I/O runs there"
    )


CHECKPOINT_TRIES = 20
CHECKPOINT_WAIT_MS = 50
CHECKPOINT_PAUSE_S = 0.05


class SqliteUnitOfWork(UnitOfWork):
    """A whole SQLite transaction in one worker thread, on the synchronous driver.

    SQLite is an in-process library: the cost of a booking is the trips between the event
    loop and the driver's thread, several per statement with aiosqlite. Running the whole
    transaction in one trip keeps the event loop free and costs one hop (measured in
    ``benchmarks/bench_core.py``). The body never really suspends here: every repository
    call completes synchronously, so the worker drives the coroutine to its end by hand
    (an event loop per transaction would cost more than the transaction).
    """

    repo: SqlRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    async def run(self, body: Callable[[Self], Awaitable[T]], *, commit: bool = True) -> T:
        return await asyncio.to_thread(_run_to_completion, super().run(body, commit=commit))

    async def _begin(self) -> None:
        self._conn = self._engine.connect()
        self._conn.begin()
        self.repo = SqlRepository(self._conn)

    async def forget_traces(self) -> bool:
        """Checkpoint and truncate the write-ahead log, which still holds old page images.

        Outside any transaction, on the driver's own connection (SQLite refuses it inside).
        A reader still using the log makes the checkpoint partial: it is tried again for a
        moment, then reported (False, and a warning); the daily retention tries again.
        """
        return await asyncio.to_thread(self._checkpoint)

    def _checkpoint(self) -> bool:
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            # Short waits here: the busy handler would otherwise hold this thread 60 s.
            cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            try:
                for _ in range(CHECKPOINT_TRIES):
                    busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    if not busy:
                        return True
                    time.sleep(CHECKPOINT_PAUSE_S)
            finally:
                cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        finally:
            raw.close()
        log.warning(
            "write-ahead log not truncated after %d tries (a reader is using it): erased "
            "rows may stay in it until the next checkpoint",
            CHECKPOINT_TRIES,
        )
        return False

    async def _end(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self.repo.flush_audit()
        self._conn.commit()

    async def rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()


class Storage:
    """Units of work on one database: writers (IMMEDIATE on SQLite) and readers.

    ``engine`` (async) serves migrations and scripts; on SQLite the units of work use a
    synchronous twin engine on the same file, one worker-thread trip per transaction.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sync: Engine | None = None
        if engine.dialect.name == "sqlite":
            self._sync = create_sync_engine(engine.url)
            self._sync_readers = self._sync.execution_options(**{READONLY: True})
        self._readers = engine.execution_options(**{READONLY: True})

    def uow(self, readonly: bool = False) -> UnitOfWork:
        if self._sync is not None:
            return SqliteUnitOfWork(self._sync_readers if readonly else self._sync)
        return SqlUnitOfWork(self._readers if readonly else self.engine)

    async def dispose(self) -> None:
        if self._sync is not None:
            self._sync.dispose()
        await self.engine.dispose()


def rows_as_json(bookings: Sequence[Booking]) -> list[dict[str, Any]]:
    return [b.as_json() for b in bookings]
