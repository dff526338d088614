"""The booking rules on the in-memory fake, with an injected clock (now: Thu 3 Dec 2026 10:00)."""

from __future__ import annotations

from datetime import date, time
from importlib import resources

import pytest

from booking_core import errors, services
from booking_core.domain import DeskRequest, RoomRequest, WaitEntry
from booking_core.network import Period, parse_network
from booking_core.services import Core
from tests.conftest import Clock
from tests.fakes import FakeStore

SAMPLE = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
THU = date(2026, 12, 10)  # an open Thursday a week ahead
M, A, D = Period.MORNING, Period.AFTERNOON, Period.DAY


def desk(user: str, centre: str = "figeac", day: date = THU, period: Period = M, count: int = 1,
         key: str | None = None) -> DeskRequest:  # fmt: skip
    return DeskRequest(user, centre, day, period, count, key)


async def test_book_one_desk_confirms_with_slot_times_and_audit(
    core: Core, store: FakeStore
) -> None:
    done = await services.book_desks(core, desk("u1", period=A))
    [booking] = done.bookings
    assert (booking.centre_id, booking.day, booking.period) == ("figeac", THU, A)
    assert (booking.start, booking.end) == (time(13, 30), time(17, 30))
    assert booking.resource_id == "figeac/desk-1"
    assert [a[2] for a in store.state.audit] == ["booked"]
    assert store.state.audit[0][1] == "u1"


async def test_several_desks_all_or_nothing(core: Core, store: FakeStore) -> None:
    await services.book_desks(core, desk("u1", centre="cassaniouze", count=2))
    before = store.commits
    with pytest.raises(errors.Full) as refused:
        await services.book_desks(core, desk("u2", centre="cassaniouze", count=2))
    assert refused.value.details["free"] == 1
    assert store.commits == before
    assert len(store.state.bookings) == 2
    done = await services.book_desks(core, desk("u2", centre="cassaniouze", count=1))
    assert len(done.bookings) == 1


async def test_whole_day_needs_the_same_desk_both_halves(core: Core) -> None:
    await services.book_desks(core, desk("u1", centre="cassaniouze", period=M, count=3))
    avail = await services.availability(core, "cassaniouze", THU)
    assert avail.free == {M: 0, A: 3, D: 0}
    with pytest.raises(errors.Full):
        await services.book_desks(core, desk("u2", centre="cassaniouze", period=D))
    done = await services.book_desks(core, desk("u2", centre="cassaniouze", period=A))
    assert done.bookings[0].period is A


@pytest.mark.parametrize(
    ("centre", "day", "period", "error", "reason"),
    [
        ("figeac", date(2026, 12, 12), M, errors.Closed, "weekly_closing"),  # Saturday
        ("montmurat", date(2026, 12, 9), A, errors.Closed, "hours"),  # open Wednesday mornings only
        ("montmurat", date(2026, 12, 9), D, errors.Closed, "hours"),
        ("figeac", date(2026, 12, 28), M, errors.Closed, "closure"),  # Christmas closure
        ("cassaniouze", date(2026, 12, 25), M, errors.PublicHoliday, None),
        ("cassaniouze", date(2027, 1, 1), D, errors.PublicHoliday, None),
    ],
)
async def test_closed_days_and_hours_are_refused_with_their_reason(
    core: Core,
    store: FakeStore,
    centre: str,
    day: date,
    period: Period,
    error: type[errors.Closed],
    reason: str | None,
) -> None:
    with pytest.raises(error) as refused:
        await services.book_desks(core, desk("u1", centre=centre, day=day, period=period))
    assert type(refused.value) is error
    if reason:
        assert refused.value.details["reason"] == reason
    else:
        assert refused.value.details["holiday"]
    assert refused.value.alternatives, "a closed day offers something else"
    assert store.commits == 0


async def test_montmurat_wednesday_morning_is_open(core: Core) -> None:
    done = await services.book_desks(core, desk("u1", centre="montmurat", day=date(2026, 12, 9)))
    assert done.bookings[0].end == time(12, 30)


async def test_past_is_refused_but_a_half_day_under_way_is_not(core: Core, clock: Clock) -> None:
    with pytest.raises(errors.InThePast):
        await services.book_desks(core, desk("u1", day=date(2026, 12, 2)))
    clock.set("2026-12-03T13:00")
    with pytest.raises(errors.InThePast):
        await services.book_desks(core, desk("u1", day=date(2026, 12, 3), period=M))
    clock.set("2026-12-03T14:00")  # the afternoon has begun and is not over
    done = await services.book_desks(core, desk("u1", day=date(2026, 12, 3), period=A))
    assert done.bookings[0].day == date(2026, 12, 3)


async def test_booking_window(core: Core, clock: Clock) -> None:
    clock.set("2027-01-04T09:00")  # Monday; window 60 days -> Friday 5 March 2027
    done = await services.book_desks(core, desk("u1", day=date(2027, 3, 5)))
    assert done.bookings
    with pytest.raises(errors.BeyondWindow) as refused:
        await services.book_desks(core, desk("u2", day=date(2027, 3, 8)))
    assert refused.value.details["last_day"] == "2027-03-05"


async def test_weekly_quota_counts_days_not_half_days(core: Core) -> None:
    for day in (date(2026, 12, 7), date(2026, 12, 8)):
        await services.book_desks(core, desk("u1", day=day, period=M))
    await services.book_desks(core, desk("u1", day=date(2026, 12, 8), period=A))
    await services.book_desks(core, desk("u1", day=date(2026, 12, 9), period=D))
    with pytest.raises(errors.QuotaExceeded) as refused:
        await services.book_desks(core, desk("u1", day=date(2026, 12, 10), period=M))
    assert refused.value.details == {"quota": 3, "week_of": "2026-12-07"}
    # The next ISO week starts afresh.
    assert (await services.book_desks(core, desk("u1", day=date(2026, 12, 14)))).bookings


async def test_same_person_cannot_be_in_two_places_at_once(core: Core) -> None:
    await services.book_desks(core, desk("u1", centre="figeac", period=M))
    with pytest.raises(errors.AlreadyBooked) as refused:
        await services.book_desks(core, desk("u1", centre="decazeville", period=D))
    assert refused.value.details["centre"] == "figeac"
    with pytest.raises(errors.AlreadyBooked):
        await services.book_desks(core, desk("u1", centre="figeac", period=M))
    assert (await services.book_desks(core, desk("u1", centre="decazeville", period=A))).bookings
    # A meeting room at the same centre while holding a desk there is fine...
    room = RoomRequest("u1", "figeac", THU, time(10), time(11), people=3)
    assert (await services.book_room(core, room)).bookings
    # ...at another centre at the same time is not.
    other = RoomRequest("u1", "figeac", THU, time(14), time(15), people=3)
    with pytest.raises(errors.AlreadyBooked):
        await services.book_room(core, other)


async def test_replayed_key_books_nothing_new(core: Core, store: FakeStore) -> None:
    first = await services.book_desks(core, desk("u1", key="telegram:42:1001"))
    again = await services.book_desks(core, desk("u1", key="telegram:42:1001"))
    assert not first.replayed
    assert again.replayed
    assert [b.id for b in again.bookings] == [b.id for b in first.bookings]
    assert len(store.state.bookings) == 1


async def test_a_key_reused_for_another_request_is_refused(core: Core, store: FakeStore) -> None:
    first = await services.book_desks(core, desk("u1", key="console:1"))
    for other in (
        services.book_desks(core, desk("u1", day=date(2026, 12, 11), key="console:1")),
        services.book_desks(core, desk("u1", period=A, key="console:1")),
        services.book_desks(core, desk("u2", key="console:1")),
        services.cancel_booking(core, "u1", first.bookings[0].id, key="console:1"),
        services.book_room(
            core, RoomRequest("u1", "figeac", THU, time(14), time(15), key="console:1")
        ),
        services.join_waitlist(core, desk("u1", centre="cassaniouze", key="console:1")),
    ):
        with pytest.raises(errors.KeyReused):
            await other
    assert [b.id for b in store.state.bookings.values()] == [first.bookings[0].id]
    assert all(b.status == "active" for b in store.state.bookings.values())
    # The same request again is a replay, answered with the first result.
    again = await services.book_desks(core, desk("u1", key="console:1"))
    assert again.replayed
    assert [b.id for b in again.bookings] == [first.bookings[0].id]


async def test_a_replayed_waitlist_request_gets_its_first_answer(core: Core) -> None:
    await services.book_desks(core, desk("u1", centre="cassaniouze", count=3))
    entry = await services.join_waitlist(core, desk("u2", centre="cassaniouze", key="m-9"))
    await services.leave_waitlist(core, "u2", entry.id)
    again = await services.join_waitlist(core, desk("u2", centre="cassaniouze", key="m-9"))
    assert again.id == entry.id, "no second entry, no endless retry on the taken key"
    assert await _waiting(core) == []


async def test_full_offers_other_half_other_days_and_nearest_centres(core: Core) -> None:
    await services.book_desks(core, desk("u1", centre="cassaniouze", period=M, count=3))
    with pytest.raises(errors.Full) as refused:
        await services.book_desks(core, desk("u2", centre="cassaniouze", period=M))
    alts = refused.value.alternatives
    kinds = [a.kind for a in alts]
    assert kinds[0] == "other_half"
    assert (alts[0].centre_id, alts[0].period, alts[0].free) == ("cassaniouze", A, 3)
    other_days = [a.day for a in alts if a.kind == "other_day"]
    assert other_days == [date(2026, 12, 11), date(2026, 12, 14), date(2026, 12, 15)]
    centres = [a for a in alts if a.kind == "other_centre"]
    distances = [a.distance_km for a in centres]
    assert [c.centre_id for c in centres] == ["montmurat", "decazeville", "aurillac"]
    assert distances == sorted(d for d in distances if d is not None)


async def test_meeting_rooms_adjacent_ranges_fit_overlapping_do_not(core: Core) -> None:
    def room(user: str, start: time, end: time) -> RoomRequest:
        return RoomRequest(user, "figeac", THU, start, end, people=6)

    assert (await services.book_room(core, room("u1", time(9), time(11)))).bookings
    assert (await services.book_room(core, room("u2", time(11), time(12, 30)))).bookings
    with pytest.raises(errors.Full):
        await services.book_room(core, room("u3", time(10), time(11, 30)))
    with pytest.raises(errors.Full):
        await services.book_room(core, room("u3", time(12), time(12, 30)))
    assert (await services.book_room(core, room("u3", time(14), time(16)))).bookings


async def test_a_room_range_already_begun_is_refused(core: Core) -> None:
    # Now: Thursday 3 December, 10:00 (a desk's morning under way can still be booked).
    today = date(2026, 12, 3)
    with pytest.raises(errors.InThePast):
        await services.book_room(core, RoomRequest("u1", "figeac", today, time(9, 30), time(11)))
    assert await services.book_room(core, RoomRequest("u1", "figeac", today, time(10), time(11)))
    assert await services.book_desks(core, desk("u2", day=today, period=M))


async def test_a_room_across_a_closed_lunch_break_is_refused(core: Core) -> None:
    # Figeac: 08:30-12:30 and 13:30-17:30, closed between.
    with pytest.raises(errors.Closed) as closed:
        await services.book_room(core, RoomRequest("u1", "figeac", THU, time(12), time(14)))
    assert closed.value.details["reason"] == "lunch"
    assert (closed.value.details["closed_from"], closed.value.details["closed_until"]) == (
        "12:30",
        "13:30",
    )
    assert await services.book_room(core, RoomRequest("u1", "figeac", THU, time(13, 30), time(15)))


async def test_a_centre_open_at_lunch_takes_a_room_across_it(
    store: FakeStore, clock: Clock
) -> None:
    text = SAMPLE.replace('id = "figeac"\n', 'id = "figeac"\nopen_at_lunch = true\n', 1)
    core = Core(parse_network(text), store.uow, clock)
    done = await services.book_room(core, RoomRequest("u1", "figeac", THU, time(12), time(14)))
    assert done.bookings[0].start == time(12)


async def test_smallest_room_that_seats_everyone(core: Core) -> None:
    small = RoomRequest("u1", "aurillac", THU, time(9), time(10), people=3)
    big = RoomRequest("u2", "aurillac", THU, time(9), time(10), people=3)
    assert (await services.book_room(core, small)).bookings[0].resource_id == "aurillac/salle-visio"
    assert (await services.book_room(core, big)).bookings[0].resource_id == "aurillac/salle-reunion"
    with pytest.raises(errors.InvalidCount):
        await services.book_room(core, RoomRequest("u3", "aurillac", THU, time(9), time(10), 11))


async def test_room_outside_opening_hours_is_closed(core: Core) -> None:
    with pytest.raises(errors.Closed):
        await services.book_room(core, RoomRequest("u1", "figeac", THU, time(7), time(9)))
    with pytest.raises(errors.Closed):
        await services.book_room(core, RoomRequest("u1", "figeac", THU, time(17), time(18)))


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (DeskRequest("u1", "paris", THU, M), errors.UnknownCentre),
        (DeskRequest("u1", "figeac", "2026-02-30", M), errors.InvalidDate),  # type: ignore[arg-type]
        (DeskRequest("u1", "figeac", "jeudi", M), errors.InvalidDate),  # type: ignore[arg-type]
        (DeskRequest("u1", "figeac", THU, M, 0), errors.InvalidCount),
        (DeskRequest("u1", "figeac", THU, M, 500), errors.InvalidCount),
        (DeskRequest("u1", "figeac", THU, M, -1), errors.InvalidCount),
        (DeskRequest("u1", "figeac", THU, M, 7), errors.InvalidCount),  # Figeac has 6 desks
        (DeskRequest("", "figeac", THU, M), errors.InvalidRequest),
        (DeskRequest("u1", "figeac", THU, "evening"), errors.InvalidRequest),  # type: ignore[arg-type]
        (RoomRequest("u1", "figeac", THU, time(12), time(9)), errors.InvalidTimeRange),
        (RoomRequest("u1", "figeac", THU, time(9), time(9)), errors.InvalidTimeRange),
        (RoomRequest("u1", "figeac", THU, time(9, 15), time(10)), errors.InvalidTimeRange),
        (RoomRequest("u1", "figeac", THU, time(9), time(10), 0), errors.InvalidCount),
        (RoomRequest("u1", "figeac", THU, time(9), time(10), 500), errors.InvalidCount),
        (RoomRequest("u1", "montmurat", THU, time(9), time(10)), errors.UnknownResource),
        (
            RoomRequest("u1", "figeac", THU, time(9), time(10), 2, "figeac/desk-1"),
            errors.UnknownResource,
        ),
    ],
)
async def test_bad_input_is_a_typed_error_and_writes_nothing(
    core: Core, store: FakeStore, request_: DeskRequest | RoomRequest, error: type[Exception]
) -> None:
    call = (
        services.book_desks(core, request_)
        if isinstance(request_, DeskRequest)
        else services.book_room(core, request_)
    )
    with pytest.raises(error):
        await call
    assert store.commits == 0
    assert not store.state.bookings
    assert not store.state.requests


async def test_cancel_one_a_day_or_all_future(core: Core, clock: Clock) -> None:
    a = (await services.book_desks(core, desk("u1", day=date(2026, 12, 7)))).bookings[0]
    b = (await services.book_desks(core, desk("u1", day=date(2026, 12, 8), period=M))).bookings[0]
    c = (await services.book_desks(core, desk("u1", day=date(2026, 12, 8), period=A))).bookings[0]
    d = (await services.book_desks(core, desk("u1", day=date(2026, 12, 14)))).bookings[0]
    one = await services.cancel_booking(core, "u1", a.id)
    assert [x.id for x in one.cancelled] == [a.id]
    assert one.cancelled[0].status == "cancelled"
    day = await services.cancel_day(core, "u1", date(2026, 12, 8))
    assert {x.id for x in day.cancelled} == {b.id, c.id}
    rest = await services.cancel_all_future(core, "u1")
    assert [x.id for x in rest.cancelled] == [d.id]
    assert await services.upcoming(core, "u1") == []
    # The freed desk can be booked again by someone else.
    again = await services.book_desks(core, desk("u2", day=date(2026, 12, 7)))
    assert again.bookings[0].resource_id == a.resource_id


async def test_cancel_rules(core: Core, clock: Clock) -> None:
    mine = (await services.book_desks(core, desk("u1"))).bookings[0]
    with pytest.raises(errors.NotOwner):
        await services.cancel_booking(core, "u2", mine.id)
    with pytest.raises(errors.UnknownBooking):
        await services.cancel_booking(core, "u1", 99999)
    clock.set("2026-12-10T13:00")  # the morning is over
    with pytest.raises(errors.NotCancellable):
        await services.cancel_booking(core, "u1", mine.id)
    assert (await services.cancel_all_future(core, "u1")).cancelled == []


async def test_cancel_is_idempotent_on_its_key(core: Core) -> None:
    first = (await services.book_desks(core, desk("u1"))).bookings[0]
    done = await services.cancel_all_future(core, "u1", key="m-7")
    assert [b.id for b in done.cancelled] == [first.id]
    await services.book_desks(core, desk("u1", day=date(2026, 12, 11)))
    replay = await services.cancel_all_future(core, "u1", key="m-7")
    assert replay.replayed
    assert [b.id for b in replay.cancelled] == [first.id]
    assert len(await services.upcoming(core, "u1")) == 1, "a replay cancels nothing new"


async def test_waitlist_first_waiting_gets_the_freed_desk(core: Core, store: FakeStore) -> None:
    held = await services.book_desks(core, desk("u1", centre="cassaniouze", count=3))
    with pytest.raises(errors.Full):
        await services.book_desks(core, desk("u2", centre="cassaniouze"))
    first = await services.join_waitlist(core, desk("u2", centre="cassaniouze"))
    second = await services.join_waitlist(core, desk("u3", centre="cassaniouze"))
    assert (await services.join_waitlist(core, desk("u2", centre="cassaniouze"))).id == first.id
    result = await services.cancel_booking(core, "u1", held.bookings[0].id)
    [promotion] = result.promoted
    assert promotion.entry.id == first.id
    assert promotion.bookings[0].user_id == "u2"
    assert promotion.bookings[0].resource_id == held.bookings[0].resource_id
    assert [e.id for e in await _waiting(core)] == [second.id]
    assert "waitlist_promoted" in [a[2] for a in store.state.audit]


async def _waiting(core: Core) -> list[WaitEntry]:
    async with core.uow() as uow:
        return list(await uow.repo.waiting(centre_id="cassaniouze"))


async def test_a_change_within_the_same_day_gives_the_freed_half_to_the_waitlist(
    core: Core,
) -> None:
    moving = (await services.book_desks(core, desk("u1", centre="cassaniouze"))).bookings[0]
    await services.book_desks(core, desk("u2", centre="cassaniouze", count=2))
    waiting = await services.join_waitlist(core, desk("u3", centre="cassaniouze"))
    await services.change_booking(core, "u1", moving.id, desk("u1", "cassaniouze", period=A))
    assert await _waiting(core) == [], f"entry {waiting.id} still waits for a free morning"
    [got] = await services.upcoming(core, "u3")
    assert (got.period, got.resource_id) == (M, moving.resource_id)


async def test_change_is_atomic(core: Core) -> None:
    old = (await services.book_desks(core, desk("u1", centre="figeac"))).bookings[0]
    await services.book_desks(core, desk("u2", centre="cassaniouze", count=3))
    with pytest.raises(errors.Full):
        await services.change_booking(core, "u1", old.id, desk("u1", centre="cassaniouze"))
    assert [b.id for b in await services.upcoming(core, "u1")] == [old.id], "old booking kept"
    moved = await services.change_booking(core, "u1", old.id, desk("u1", centre="decazeville"))
    assert [b.centre_id for b in await services.upcoming(core, "u1")] == ["decazeville"]
    assert moved.bookings[0].centre_id == "decazeville"
    # Changing within the same slot at the same centre is not "already booked".
    again = await services.change_booking(
        core, "u1", moved.bookings[0].id, desk("u1", "decazeville", period=D)
    )
    assert again.bookings[0].period is D


def test_series_days() -> None:
    tuesdays = services.series_days(date(2026, 12, 8), [1], until=date(2026, 12, 22))
    assert tuesdays == [date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22)]
    two_weeks = services.series_days(date(2026, 12, 7), [0, 3], weeks=2)
    assert two_weeks == [
        date(2026, 12, 7),
        date(2026, 12, 10),
        date(2026, 12, 14),
        date(2026, 12, 17),
    ]
    with pytest.raises(errors.InvalidRequest):
        services.series_days(date(2026, 12, 7), [7], weeks=2)
    with pytest.raises(errors.InvalidTimeRange):
        services.series_days(date(2026, 12, 7), [0], until=date(2026, 12, 1))
    with pytest.raises(errors.InvalidCount):
        services.series_days(date(2026, 12, 7), [0], weeks=0)


async def test_series_lists_unbookable_dates_then_books_rest_or_nothing(
    core: Core, store: FakeStore
) -> None:
    # Thursdays at Figeac from 10 Dec to 7 Jan: the 24th and 31st fall in the closure.
    days = services.series_days(THU, [3], until=date(2027, 1, 7))
    template = desk("u1", centre="figeac", period=M, key="series-1")
    plan = await services.plan_series(core, template, days)
    assert plan.bookable == [date(2026, 12, 10), date(2026, 12, 17), date(2027, 1, 7)]
    assert [(r.day, r.code) for r in plan.refused] == [
        (date(2026, 12, 24), "closed"),
        (date(2026, 12, 31), "closed"),
    ]
    assert store.commits == 0
    with pytest.raises(errors.SeriesPartlyUnavailable) as refused:
        await services.book_series(core, template, days)
    assert [r.day for r in refused.value.refused] == [date(2026, 12, 24), date(2026, 12, 31)]
    assert not store.state.bookings, "all or nothing"
    done = await services.book_series(core, template, days, book_available=True)
    assert [b.day for b in done.bookings] == plan.bookable
    assert done.series_id
    replay = await services.book_series(core, template, days, book_available=True)
    assert replay.replayed
    assert len(store.state.bookings) == 3
    # One occurrence, then the rest of the series.
    await services.cancel_booking(core, "u1", done.bookings[0].id)
    rest = await services.cancel_series(core, "u1", done.series_id)
    assert [b.day for b in rest.cancelled] == [date(2026, 12, 17), date(2027, 1, 7)]
    assert await services.upcoming(core, "u1") == []
    # Nothing left to come is an empty answer; a series of someone else's, a refusal.
    assert (await services.cancel_series(core, "u1", done.series_id)).cancelled == []
    with pytest.raises(errors.NotOwner):
        await services.cancel_series(core, "u2", done.series_id)


async def test_an_unknown_series_is_refused_not_silently_empty(core: Core) -> None:
    await services.book_desks(core, desk("u1"))
    with pytest.raises(errors.UnknownSeries):
        await services.cancel_series(core, "u1", "no-such-series")
    assert len(await services.upcoming(core, "u1")) == 1


async def test_series_respects_quota_within_itself(core: Core) -> None:
    days = services.series_days(date(2026, 12, 7), [0, 1, 2, 3], weeks=1)
    plan = await services.plan_series(core, desk("u1", period=M), days)
    assert plan.bookable == days[:3]
    assert [r.code for r in plan.refused] == ["quota_exceeded"]


async def test_availability_reports_closed_reason(core: Core) -> None:
    sat = await services.availability(core, "figeac", date(2026, 12, 12))
    assert (sat.closed_reason, sat.free) == ("weekly_closing", {})
    xmas = await services.availability(core, "aurillac", date(2026, 12, 25))
    assert xmas.closed_reason == "public_holiday"
    wed = await services.availability(core, "montmurat", date(2026, 12, 9))
    assert wed.open_halves == (M,)
    assert wed.free == {M: 4}
    with pytest.raises(errors.UnknownCentre):
        await services.availability(core, "nowhere", THU)
