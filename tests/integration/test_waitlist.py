"""The waitlist on SQLite and PostgreSQL: the person promoted or dropped is told, and a
promotion takes the waiting person's own lock, so nobody is booked in two places."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select, text
from sqlalchemy.engine import URL

from booking_core import services
from booking_core.db import create_engine
from booking_core.domain import DeskRequest
from booking_core.models import BookingRow, SlotClaim
from booking_core.network import Period
from booking_core.services import Core
from booking_core.storage import OUTBOX, Storage
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from tests.conftest import Clock
from tests.outbox.recording import RecordingTransport

THU = date(2026, 12, 10)
M, A = Period.MORNING, Period.AFTERNOON


async def _fill(core: Core, centre: str, day: date, period: Period, users: list[str]) -> int:
    """Each user books one desk; the first one's booking id."""
    ids = [
        (await services.book_desks(core, DeskRequest(u, centre, day, period, channel=u)))
        .bookings[0]
        .id
        for u in users
    ]
    return ids[0]


async def _outbox(storage: Storage) -> list[tuple[str, str | None, dict[str, object]]]:
    async with storage.engine.connect() as conn:
        rows = await conn.execute(select(OUTBOX.c.kind, OUTBOX.c.user_id, OUTBOX.c.payload))
        return [(r.kind, r.user_id, dict(r.payload)) for r in rows]


async def test_the_promoted_and_the_dropped_are_told(db_core: Core, storage: Storage) -> None:
    first = await _fill(db_core, "cassaniouze", THU, M, ["test:a", "test:b", "test:c"])
    for user in ("test:w1", "test:w2"):
        await services.join_waitlist(
            db_core, DeskRequest(user, "cassaniouze", THU, M, channel=user)
        )
    # w1 books elsewhere meanwhile: the freed desk must not put w1 in two places.
    await services.book_desks(db_core, DeskRequest("test:w1", "figeac", THU, M, channel="test:w1"))
    await services.cancel_booking(db_core, "test:a", first)

    notes = [(k, u, p) for k, u, p in await _outbox(storage) if k.startswith("waitlist")]
    assert [(k, u) for k, u, _ in notes] == [
        ("waitlist_dropped", "test:w1"),
        ("waitlist_promoted", "test:w2"),
    ]
    dropped = notes[0][2]
    assert dropped == {
        "wait": {"centre": "cassaniouze", "date": "2026-12-10", "period": "morning", "count": 1},
        "reason": "already_booked",
    }
    [(w2,)] = [(b.centre_id,) for b in await services.upcoming(db_core, "test:w2")]
    assert w2 == "cassaniouze"

    transport = RecordingTransport()
    await Scheduler(db_core, [transport], Catalogs()).tick()
    [told] = transport.texts("test:w1")
    assert "Je vous retire de la liste d'attente pour jeudi 10 décembre, matin" in told
    assert "vous avez désormais une réservation à ce moment-là" in told
    assert "elle est à vous" in transport.texts("test:w2")[0]


async def test_a_promotion_waits_for_the_waiting_persons_own_request(
    pg_core: Core, postgres_url: URL
) -> None:
    first = await _fill(pg_core, "cassaniouze", THU, M, ["a", "b", "c"])
    await services.join_waitlist(pg_core, DeskRequest("w", "cassaniouze", THU, M))
    other = create_engine(postgres_url)
    try:
        async with other.connect() as conn:
            # w's own request, half done: it holds w's lock and is booking Aurillac.
            await conn.begin()
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('w', 0))"))
            booking_id = (
                await conn.execute(
                    insert(BookingRow).returning(BookingRow.id),
                    {
                        "user_id": "w",
                        "centre_id": "aurillac",
                        "resource_id": "aurillac/desk-1",
                        "kind": "desk",
                        "day": THU,
                        "period": "morning",
                        "start_time": time(8, 30),
                        "end_time": time(12, 30),
                        "people": 1,
                        "status": "active",
                        "created_at": datetime.now(UTC),
                    },
                )
            ).scalar_one()
            await conn.execute(
                insert(SlotClaim),
                {"day": THU, "resource_id": "aurillac/desk-1", "slot": 0, "booking_id": booking_id},
            )
            cancelling = asyncio.create_task(services.cancel_booking(pg_core, "a", first))
            await asyncio.sleep(1.0)
            assert not cancelling.done(), "the promotion did not wait for w's lock"
            await conn.commit()
        result = await cancelling
    finally:
        await other.dispose()
    assert result.promoted == []
    mine = await services.upcoming(pg_core, "w")
    assert [(b.centre_id, b.period) for b in mine] == [("aurillac", M)], "one place at a time"


async def test_crossed_promotions_never_deadlock(pg_core: Core, clock: Clock) -> None:
    """a frees a desk b waits for while b frees one a waits for: locks taken in order."""
    for n in range(5):
        day = THU + timedelta(days=7 * n)
        mine = await _fill(pg_core, "cassaniouze", day, M, ["a", "x1", "x2"])
        theirs = await _fill(pg_core, "montmurat", day, A, ["b", "y1", "y2", "y3"])
        await services.join_waitlist(pg_core, DeskRequest("b", "cassaniouze", day, M))
        await services.join_waitlist(pg_core, DeskRequest("a", "montmurat", day, A))
        done = await asyncio.gather(
            services.cancel_booking(pg_core, "a", mine),
            services.cancel_booking(pg_core, "b", theirs),
        )
        promoted = sorted(p.entry.user_id for r in done for p in r.promoted)
        assert promoted == ["a", "b"], day
