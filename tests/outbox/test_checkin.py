"""Check-in and release, on the fake and on both databases: one arrival covers the day at
that centre; the grace period runs from the booking's start, or from when it was made."""

from __future__ import annotations

from datetime import date

from booking_core import services
from booking_core.domain import BookingStatus, DeskRequest
from booking_core.network import Period
from tests.conftest import Clock
from tests.outbox.conftest import Backend
from tests.outbox.test_scheduler import _with_release

THU = date(2026, 12, 10)
BOB = "test:bob"


async def _statuses(backend: Backend, core: services.Core) -> dict[tuple[str, str], object]:
    found = await services.list_bookings(core, day=THU, include_cancelled=True)
    return {(b.centre_id, b.period.value if b.period else ""): b.status for b in found}


async def test_one_arrival_covers_the_morning_and_the_afternoon_at_that_centre(
    backend: Backend, clock: Clock
) -> None:
    core = backend.make_core(_with_release(backend.core.network))  # Cassaniouze: 45 min
    clock.set("2026-12-09T10:00")
    for period in (Period.MORNING, Period.AFTERNOON):
        await services.book_desks(core, DeskRequest(BOB, "cassaniouze", THU, period))
    clock.set("2026-12-10T08:40")  # before the morning's 09:00: within the hour
    arrived = await services.check_in(core, BOB)
    assert [(b.period, b.checked_in_at is not None) for b in arrived] == [
        (Period.MORNING, True),
        (Period.AFTERNOON, True),
    ]
    clock.set("2026-12-10T14:20")  # the afternoon began at 13:30, 45 minutes ago and more
    assert await services.release_no_shows(core) == []
    assert await _statuses(backend, core) == {
        ("cassaniouze", "morning"): BookingStatus.ACTIVE,
        ("cassaniouze", "afternoon"): BookingStatus.ACTIVE,
    }
    again = await services.check_in(core, BOB)
    assert [b.period for b in again] == [Period.AFTERNOON], "already in: said so, not lost"


async def test_an_arrival_at_one_centre_does_not_check_in_another(
    backend: Backend, clock: Clock
) -> None:
    core = backend.make_core(_with_release(backend.core.network))
    clock.set("2026-12-09T10:00")
    await services.book_desks(core, DeskRequest(BOB, "figeac", THU, Period.MORNING))
    await services.book_desks(core, DeskRequest(BOB, "cassaniouze", THU, Period.AFTERNOON))
    clock.set("2026-12-10T08:40")
    assert [b.centre_id for b in await services.check_in(core, BOB)] == ["figeac"]
    clock.set("2026-12-10T14:16")  # Cassaniouze's afternoon: 13:30 + 45 minutes
    [released] = await services.release_no_shows(core)
    assert (released.centre_id, released.period) == ("cassaniouze", Period.AFTERNOON)


async def test_no_arrival_counts_hours_before_the_booking(backend: Backend, clock: Clock) -> None:
    core = backend.core
    clock.set("2026-12-09T10:00")
    await services.book_desks(core, DeskRequest(BOB, "figeac", THU, Period.AFTERNOON))
    clock.set("2026-12-10T08:40")  # at home, five hours before
    assert await services.check_in(core, BOB) == []


async def test_a_booking_made_after_its_start_gets_its_grace_from_its_making(
    backend: Backend, clock: Clock
) -> None:
    core = backend.make_core(_with_release(backend.core.network))
    clock.set("2026-12-10T10:00")  # the morning began at 09:00, 60 minutes ago
    await services.book_desks(core, DeskRequest(BOB, "cassaniouze", THU, Period.MORNING))
    clock.set("2026-12-10T10:01")
    assert await services.release_no_shows(core) == [], "not released within a minute"
    clock.set("2026-12-10T10:44")
    assert await services.release_no_shows(core) == []
    clock.set("2026-12-10T10:45")  # 45 minutes after it was made
    [released] = await services.release_no_shows(core)
    assert released.user_id == BOB
