"""The SQLAlchemy repository and unit of work, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking_core.db import READONLY
from booking_core.domain import (
    Booking,
    BookingStatus,
    NewBooking,
    RequestRecord,
    WaitEntry,
    WaitStatus,
)
from booking_core.models import AuditEvent, BookingRow, RequestRow, SlotClaim, WaitlistRow
from booking_core.network import Period, ResourceKind
from booking_core.uow import BookingRepository, DuplicateKey, SlotTaken, UnitOfWork


def _booking(row: BookingRow) -> Booking:
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
        created_at=row.created_at,
        request_id=row.request_id,
        series_id=row.series_id,
    )


def _wait(row: WaitlistRow) -> WaitEntry:
    return WaitEntry(
        id=row.id,
        user_id=row.user_id,
        centre_id=row.centre_id,
        day=row.day,
        period=Period(row.period),
        count=row.count,
        status=WaitStatus(row.status),
        created_at=row.created_at,
    )


class SqlRepository(BookingRepository):
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self._postgres = dialect == "postgresql"

    async def lock_user(self, user_id: str) -> None:
        # SQLite already runs one writer at a time (BEGIN IMMEDIATE).
        if self._postgres:
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:u, 0))"), {"u": user_id}
            )

    async def find_request(self, key: str) -> RequestRecord | None:
        row = await self.session.scalar(select(RequestRow).where(RequestRow.key == key))
        if row is None:
            return None
        return RequestRecord(row.id, row.key, row.user_id, row.kind, row.result)

    async def add_request(self, key: str, user_id: str, kind: str, at: datetime) -> int:
        row = RequestRow(key=key, user_id=user_id, kind=kind, created_at=at)
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise DuplicateKey(key) from exc
        return row.id

    async def set_request_result(self, request_id: int, result: dict[str, Any]) -> None:
        await self.session.execute(
            update(RequestRow).where(RequestRow.id == request_id).values(result=result)
        )

    async def taken_slots(self, resource_ids: list[str], day: date) -> set[tuple[str, int]]:
        if not resource_ids:
            return set()
        rows = await self.session.execute(
            select(SlotClaim.resource_id, SlotClaim.slot).where(
                SlotClaim.day == day, SlotClaim.resource_id.in_(resource_ids)
            )
        )
        return {(resource, slot) for resource, slot in rows}

    async def add_booking(self, new: NewBooking) -> Booking:
        row = BookingRow(
            request_id=new.request_id,
            series_id=new.series_id,
            user_id=new.user_id,
            centre_id=new.centre_id,
            resource_id=new.resource_id,
            kind=new.kind.value,
            day=new.day,
            period=new.period.value if new.period else None,
            start_time=new.start,
            end_time=new.end,
            people=new.people,
            status=BookingStatus.ACTIVE.value,
            created_at=new.created_at,
        )
        self.session.add(row)
        await self.session.flush()
        self.session.add_all(
            SlotClaim(day=new.day, resource_id=new.resource_id, slot=slot, booking_id=row.id)
            for slot in new.slots
        )
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise SlotTaken(new.resource_id) from exc
        return _booking(row)

    async def get_booking(self, booking_id: int) -> Booking | None:
        row = await self.session.get(BookingRow, booking_id)
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
        query = select(BookingRow)
        if user_id is not None:
            query = query.where(BookingRow.user_id == user_id)
        if centre_id is not None:
            query = query.where(BookingRow.centre_id == centre_id)
        if first_day is not None:
            query = query.where(BookingRow.day >= first_day)
        if last_day is not None:
            query = query.where(BookingRow.day <= last_day)
        if request_id is not None:
            query = query.where(BookingRow.request_id == request_id)
        if series_id is not None:
            query = query.where(BookingRow.series_id == series_id)
        if active_only:
            query = query.where(BookingRow.status == BookingStatus.ACTIVE.value)
        query = query.order_by(BookingRow.day, BookingRow.start_time, BookingRow.id)
        if limit is not None:
            query = query.limit(limit)
        return [_booking(row) for row in await self.session.scalars(query)]

    async def cancel_booking(self, booking_id: int, at: datetime) -> None:
        await self.session.execute(delete(SlotClaim).where(SlotClaim.booking_id == booking_id))
        await self.session.execute(
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
    ) -> WaitEntry:
        row = WaitlistRow(
            user_id=user_id,
            centre_id=centre_id,
            day=day,
            period=period.value,
            count=count,
            status=WaitStatus.WAITING.value,
            created_at=at,
            request_id=request_id,
        )
        self.session.add(row)
        await self.session.flush()
        return _wait(row)

    async def waiting(
        self, *, centre_id: str | None = None, day: date | None = None, user_id: str | None = None
    ) -> list[WaitEntry]:
        query = select(WaitlistRow).where(WaitlistRow.status == WaitStatus.WAITING.value)
        if centre_id is not None:
            query = query.where(WaitlistRow.centre_id == centre_id)
        if day is not None:
            query = query.where(WaitlistRow.day == day)
        if user_id is not None:
            query = query.where(WaitlistRow.user_id == user_id)
        query = query.order_by(WaitlistRow.created_at, WaitlistRow.id)
        return [_wait(row) for row in await self.session.scalars(query)]

    async def set_wait_status(self, entry_id: int, status: WaitStatus) -> None:
        await self.session.execute(
            update(WaitlistRow).where(WaitlistRow.id == entry_id).values(status=status.value)
        )

    async def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        booking_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.session.add(
            AuditEvent(at=at, actor=actor, action=action, booking_id=booking_id, details=details)
        )

    async def count_bookings(self) -> int:
        return int(await self.session.scalar(select(func.count(BookingRow.id))) or 0)


class SqlUnitOfWork(UnitOfWork):
    repo: SqlRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str) -> None:
        self._sessions = sessions
        self._dialect = dialect
        self._session: AsyncSession | None = None

    async def _begin(self) -> None:
        self._session = self._sessions()
        self.repo = SqlRepository(self._session, self._dialect)

    async def _end(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def commit(self) -> None:
        assert self._session is not None
        await self._session.commit()

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()


class Storage:
    """An engine with its two session makers: writers (IMMEDIATE on SQLite) and readers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writers = async_sessionmaker(engine, expire_on_commit=False)
        self._readers = async_sessionmaker(
            engine.execution_options(**{READONLY: True}), expire_on_commit=False
        )

    def uow(self, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._readers if readonly else self._writers, self.engine.dialect.name)

    async def dispose(self) -> None:
        await self.engine.dispose()


def rows_as_json(bookings: Sequence[Booking]) -> list[dict[str, Any]]:
    return [b.as_json() for b in bookings]
