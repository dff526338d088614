"""The core on real databases: every test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from datetime import UTC, date, time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from booking_core import errors, services
from booking_core.db import create_engine, current_revision, upgrade
from booking_core.domain import Confirmation, DeskRequest, RoomRequest
from booking_core.models import AuditEvent, BookingRow, SlotClaim
from booking_core.network import Period
from booking_core.services import Core
from booking_core.storage import Storage
from booking_core.uow import UnitOfWork

THU = date(2026, 12, 10)
CONCURRENCY = 50


async def _count(storage: Storage, model: type[BookingRow] | type[SlotClaim]) -> int:
    async with storage.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def test_schema_is_at_head(storage: Storage) -> None:
    assert await current_revision(storage.engine) == "0005"


async def test_book_read_back_and_cancel(db_core: Core, storage: Storage) -> None:
    done = await services.book_desks(db_core, DeskRequest("u1", "figeac", THU, Period.DAY, 2))
    assert [b.resource_id for b in done.bookings] == ["figeac/desk-1", "figeac/desk-2"]
    assert await _count(storage, SlotClaim) == 4
    listed = await services.list_bookings(db_core, centre_id="figeac", day=THU)
    assert [b.id for b in listed] == [b.id for b in done.bookings]
    assert listed[0].created_at.tzinfo is not None
    assert listed[0].created_at.astimezone(UTC) == db_core.clock().astimezone(UTC)
    await services.cancel_day(db_core, "u1", THU)
    assert await _count(storage, SlotClaim) == 0
    assert await _count(storage, BookingRow) == 2, "cancelled bookings stay for the record"
    async with storage.engine.connect() as conn:
        actions = (await conn.execute(select(AuditEvent.action).order_by(AuditEvent.id))).scalars()
        assert list(actions) == ["booked", "booked", "cancelled", "cancelled"]


async def test_the_database_itself_refuses_a_second_holder(db_core: Core, storage: Storage) -> None:
    """Even code that skips every check cannot write a double booking."""
    done = await services.book_desks(db_core, DeskRequest("u1", "figeac", THU, Period.MORNING))
    booking = done.bookings[0]
    async with storage.engine.connect() as conn:
        with pytest.raises(IntegrityError):
            await conn.execute(
                insert(SlotClaim).values(
                    day=THU, resource_id=booking.resource_id, slot=0, booking_id=booking.id
                )
            )


async def test_fifty_concurrent_attempts_on_the_last_desk(db_core: Core, storage: Storage) -> None:
    await services.book_desks(db_core, DeskRequest("owner", "cassaniouze", THU, Period.MORNING, 2))

    async def attempt(n: int) -> Confirmation | errors.BookingError:
        try:
            return await services.book_desks(
                db_core, DeskRequest(f"user-{n}", "cassaniouze", THU, Period.MORNING)
            )
        except errors.BookingError as exc:
            return exc

    results = await asyncio.gather(*(attempt(n) for n in range(CONCURRENCY)))
    won = [r for r in results if isinstance(r, Confirmation)]
    full = [r for r in results if isinstance(r, errors.Full)]
    assert len(won) == 1
    assert len(full) == CONCURRENCY - 1, [r for r in results if not isinstance(r, Confirmation)]
    assert all(f.details.get("free") == 0 for f in full)
    assert won[0].bookings[0].resource_id == "cassaniouze/desk-3"
    avail = await services.availability(db_core, "cassaniouze", THU)
    assert avail.free[Period.MORNING] == 0
    assert await _count(storage, BookingRow) == 3


async def test_fifty_concurrent_whole_and_half_days_never_overlap(
    db_core: Core, storage: Storage
) -> None:
    """Mixed periods racing for Montmurat's 4 desks: claims never collide, counts add up."""
    periods = [Period.MORNING, Period.AFTERNOON, Period.DAY]

    async def attempt(n: int) -> int:
        try:
            done = await services.book_desks(
                db_core, DeskRequest(f"user-{n}", "montmurat", THU, periods[n % 3])
            )
        except errors.Full:
            return 0
        return len(done.bookings)

    booked = sum(await asyncio.gather(*(attempt(n) for n in range(CONCURRENCY))))
    async with storage.engine.connect() as conn:
        rows = (await conn.execute(select(SlotClaim.resource_id, SlotClaim.slot))).all()
    assert len(rows) == len(set(rows)), "no slot held twice"
    assert len(rows) <= 8  # 4 desks x 2 halves
    assert booked == await _count(storage, BookingRow)
    avail = await services.availability(db_core, "montmurat", THU)
    assert avail.free[Period.MORNING] == 4 - sum(1 for _, slot in rows if slot == 0)


async def test_same_message_replayed_concurrently_books_once(
    db_core: Core, storage: Storage
) -> None:
    req = DeskRequest("u1", "figeac", THU, Period.MORNING, key="telegram:1:777")
    results = await asyncio.gather(*(services.book_desks(db_core, req) for _ in range(20)))
    assert len({r.bookings[0].id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert await _count(storage, BookingRow) == 1


async def test_same_user_concurrently_cannot_exceed_quota(db_core: Core, storage: Storage) -> None:
    days = [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
        date(2026, 12, 10),
        date(2026, 12, 11),
    ]

    async def attempt(day: date) -> bool:
        try:
            await services.book_desks(db_core, DeskRequest("u1", "aurillac", day, Period.DAY))
        except (errors.QuotaExceeded, errors.AlreadyBooked):
            return False
        return True

    outcomes = await asyncio.gather(*(attempt(d) for d in days * 4))
    assert sum(outcomes) == 3
    assert await _count(storage, BookingRow) == 3


async def test_overlapping_rooms_race_adjacent_rooms_both_win(db_core: Core) -> None:
    def room(user: str, start: time, end: time) -> RoomRequest:
        return RoomRequest(user, "decazeville", THU, start, end, people=4)

    async def attempt(req: RoomRequest) -> bool:
        try:
            await services.book_room(db_core, req)
        except errors.Full:
            return False
        return True

    overlapping = [room(f"o{n}", time(9 + n % 2), time(11 + n % 2)) for n in range(10)]
    assert sum(await asyncio.gather(*(attempt(r) for r in overlapping))) == 1
    adjacent = [room("a1", time(14), time(15)), room("a2", time(15), time(16, 30))]
    assert await asyncio.gather(*(attempt(r) for r in adjacent)) == [True, True]


async def test_waitlist_promotion_on_a_real_database(db_core: Core) -> None:
    held = await services.book_desks(db_core, DeskRequest("u1", "cassaniouze", THU, Period.DAY, 3))
    entry = await services.join_waitlist(
        db_core, DeskRequest("u2", "cassaniouze", THU, Period.MORNING)
    )
    result = await services.cancel_booking(db_core, "u1", held.bookings[1].id)
    assert [p.entry.id for p in result.promoted] == [entry.id]
    mine = await services.upcoming(db_core, "u2")
    assert [(b.resource_id, b.period) for b in mine] == [("cassaniouze/desk-2", Period.MORNING)]


async def test_series_and_change_on_a_real_database(db_core: Core) -> None:
    days = services.series_days(THU, [3], until=date(2027, 1, 7))
    done = await services.book_series(
        db_core,
        DeskRequest("u1", "figeac", THU, Period.MORNING, key="s1"),
        days,
        book_available=True,
    )
    assert [b.day for b in done.bookings] == [
        date(2026, 12, 10),
        date(2026, 12, 17),
        date(2027, 1, 7),
    ]
    moved = await services.change_booking(
        db_core, "u1", done.bookings[0].id, DeskRequest("u1", "decazeville", THU, Period.AFTERNOON)
    )
    assert moved.bookings[0].centre_id == "decazeville"
    assert done.series_id is not None
    rest = await services.cancel_series(db_core, "u1", done.series_id)
    assert len(rest.cancelled) == 2
    assert [b.centre_id for b in await services.upcoming(db_core, "u1")] == ["decazeville"]


async def test_sqlite_runs_in_wal_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one() >= 30000
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_sqlite_unit_of_work_refuses_real_awaits(tmp_path: Path) -> None:
    """Its transaction runs in a worker without an event loop: a real await is a bug, said so."""
    engine = create_engine(f"sqlite:///{tmp_path / 'hop.db'}")
    await upgrade(engine)
    storage = Storage(engine)

    class Suspend:
        def __await__(self) -> Generator[str, None, None]:
            yield "a future"

    async def suspends(uow: UnitOfWork) -> None:
        await Suspend()

    async def sleeps(uow: UnitOfWork) -> None:
        await asyncio.sleep(0.01)

    try:
        with pytest.raises(RuntimeError, match="only synchronous I/O"):
            await storage.uow().run(suspends)
        with pytest.raises(RuntimeError, match="no running event loop"):
            await storage.uow().run(sleeps)
    finally:
        await storage.dispose()
