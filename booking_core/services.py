"""Booking services: plain async functions over a unit of work.

Each public function takes a :class:`Core` (the network, a unit-of-work factory and the
clock) and a request. Input errors and rule refusals are raised as typed
:mod:`booking_core.errors` before anything is committed. The last word on collisions
belongs to the database (``slot_claims``' primary key): a write that loses a race is
rolled back and the whole attempt re-run, which then answers ``Full`` cleanly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from booking_core import errors
from booking_core.domain import (
    Alternative,
    Availability,
    Booking,
    BookingStatus,
    CancelResult,
    Confirmation,
    DeskRequest,
    NewBooking,
    NewNotification,
    Promotion,
    RequestRecord,
    RoomRequest,
    WaitEntry,
    WaitStatus,
)
from booking_core.network import Centre, Network, Period, ResourceKind
from booking_core.uow import BookingRepository, LockOrder, StorageConflict, UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
ROOM_STEP_MINUTES = 30
MAX_ALTERNATIVES_PER_KIND = 3
MAX_SERIES_OCCURRENCES = 120

T = TypeVar("T")


class UowFactory(Protocol):
    def __call__(self, readonly: bool = False) -> UnitOfWork: ...


@dataclass(frozen=True)
class Core:
    """What every service needs: the territory, a fresh unit of work per call, the time."""

    network: Network
    uow: UowFactory
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must give aware datetimes")
        return self.network.local(moment)


# ---------------------------------------------------------------- input checks


def as_day(value: date | str) -> date:
    """Accept a date or an ISO string; a nonexistent date is an input error."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise errors.InvalidDate(f"not a date: {value!r}", value=str(value)) from None


def _check_count(count: int, maximum: int, what: str) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= maximum:
        raise errors.InvalidCount(
            f"{what} must be between 1 and {maximum}, got {count!r}", count=count, maximum=maximum
        )


def _check_window(core: Core, day: date, end: time) -> None:
    now = core.now()
    if core.network.at(day, end) <= now:
        raise errors.InThePast(f"{day} {end:%H:%M} is past", day=day.isoformat())
    last = core.network.last_bookable_day(now.date())
    if day > last:
        raise errors.BeyondWindow(
            f"bookings open {core.network.booking_window_days} days ahead",
            day=day.isoformat(),
            last_day=last.isoformat(),
            window_days=core.network.booking_window_days,
        )


def _closed_error(centre: Centre, day: date, alternatives: Sequence[Alternative]) -> errors.Closed:
    details: dict[str, Any] = {"centre": centre.id, "day": day.isoformat()}
    if centre.is_holiday(day):
        return errors.PublicHoliday(
            f"{day} is a public holiday",
            alternatives,
            holiday=centre.holiday_name(day),
            **details,
        )
    closure = centre.closure_for(day)
    if closure:
        return errors.Closed(
            "closure",
            alternatives,
            reason="closure",
            first=closure[0].isoformat(),
            last=closure[1].isoformat(),
            **details,
        )
    open_halves = centre.weekly_halves(day)
    return errors.Closed(
        "closed at that time" if open_halves else "closed that weekday",
        alternatives,
        reason="hours" if open_halves else "weekly_closing",
        open=[h.value for h in open_halves],
        **details,
    )


def _check_desk_request(core: Core, req: DeskRequest) -> tuple[Centre, DeskRequest]:
    centre = core.network.centre(req.centre_id)
    try:
        period = Period(req.period)
    except ValueError:
        raise errors.InvalidRequest(
            f"unknown period {req.period!r}", period=str(req.period)
        ) from None
    day = as_day(req.day)
    if not centre.desks:
        raise errors.UnknownResource(f"{centre.id} has no desks", centre=centre.id)
    _check_count(req.count, min(core.network.max_desks_per_booking, len(centre.desks)), "desks")
    _check_user(req.user_id)
    return centre, replace(req, day=day, period=period)


def _check_user(user_id: str) -> None:
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 200:
        raise errors.InvalidRequest("a booking needs a user id of 1 to 200 characters")


def _slot_of(moment: time) -> int:
    return (moment.hour * 60 + moment.minute) // ROOM_STEP_MINUTES


def _check_room_request(core: Core, req: RoomRequest) -> tuple[Centre, RoomRequest]:
    centre = core.network.centre(req.centre_id)
    day = as_day(req.day)
    _check_user(req.user_id)
    if not isinstance(req.start, time) or not isinstance(req.end, time):
        raise errors.InvalidTimeRange("start and end must be times")
    if req.end <= req.start:
        raise errors.InvalidTimeRange(
            f"range ends ({req.end:%H:%M}) before it starts ({req.start:%H:%M})",
            start=req.start.strftime("%H:%M"),
            end=req.end.strftime("%H:%M"),
        )
    for moment in (req.start, req.end):
        if moment.minute % ROOM_STEP_MINUTES or moment.second or moment.microsecond:
            raise errors.InvalidTimeRange(
                f"meeting rooms are booked in {ROOM_STEP_MINUTES}-minute steps",
                step_minutes=ROOM_STEP_MINUTES,
            )
    if not centre.rooms:
        raise errors.UnknownResource(f"{centre.id} has no meeting room", centre=centre.id)
    if req.resource_id is not None:
        resource = centre.resource(req.resource_id)
        if resource.kind is not ResourceKind.MEETING_ROOM:
            raise errors.UnknownResource(f"{req.resource_id} is not a meeting room")
        biggest = resource.capacity
    else:
        biggest = max(room.capacity for room in centre.rooms)
    _check_count(req.people, biggest, "people")
    return centre, replace(req, day=day)


# ---------------------------------------------------------------- retry loop


async def _attempt(
    core: Core, body: Callable[[UnitOfWork], Awaitable[T]], *, commit: bool = True
) -> T:
    """Run ``body`` in a fresh unit of work until it commits without losing a race.

    With ``commit=False`` it is a dry run: every rule is checked, nothing is kept.
    """
    locks: tuple[str, ...] = ()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await core.uow().run(_locking(body, locks), commit=commit)
        except LockOrder as wanted:
            locks = wanted.users  # the next attempt takes them first, in order
            log.debug("lock wanted out of order, attempt %d", attempt)
        except StorageConflict:
            log.debug("write conflict, attempt %d", attempt)
    raise errors.Busy(f"lost {MAX_ATTEMPTS} races in a row; try again")


def _locking(
    body: Callable[[UnitOfWork], Awaitable[T]], users: tuple[str, ...]
) -> Callable[[UnitOfWork], Awaitable[T]]:
    if not users:
        return body

    async def locked(uow: UnitOfWork) -> T:
        await uow.repo.lock_users(users)
        return await body(uow)

    return locked


async def _read(core: Core, body: Callable[[BookingRepository], Awaitable[T]]) -> T:
    """Run a read-only ``body`` (a deferred transaction on SQLite: it never blocks writers)."""

    async def on(uow: UnitOfWork) -> T:
        return await body(uow.repo)

    return await core.uow(readonly=True).run(on, commit=False)


# ---------------------------------------------------------------- availability


async def _free_desks(
    repo: BookingRepository, centre: Centre, day: date
) -> dict[Period, list[str]]:
    """Free desk ids for each half and for the whole day (same desk both halves)."""
    halves = centre.open_halves(day)
    taken = await repo.taken_slots([d.id for d in centre.desks], day)
    free: dict[Period, list[str]] = {}
    for half in halves:
        index = _half_slot(half)
        free[half] = [d.id for d in centre.desks if (d.id, index) not in taken]
    if len(halves) == 2:
        afternoon = set(free[Period.AFTERNOON])
        free[Period.DAY] = [d for d in free[Period.MORNING] if d in afternoon]
    return free


def _half_slot(half: Period) -> int:
    return 0 if half is Period.MORNING else 1


def _closed_reason(centre: Centre, day: date) -> str | None:
    if centre.is_holiday(day):
        return "public_holiday"
    if centre.closure_for(day):
        return "closure"
    if not centre.weekly_halves(day):
        return "weekly_closing"
    return None


async def availability(core: Core, centre_id: str, day: date | str) -> Availability:
    """Free desks per half-day (and for the whole day) at a centre on one date."""
    centre = core.network.centre(centre_id)
    day = as_day(day)
    free: dict[Period, list[str]] = {}
    if centre.open_halves(day):
        free = await _read(core, lambda repo: _free_desks(repo, centre, day))
    return Availability(
        centre_id=centre.id,
        day=day,
        total_desks=len(centre.desks),
        open_halves=centre.open_halves(day),
        free={period: len(ids) for period, ids in free.items()},
        closed_reason=_closed_reason(centre, day),
    )


async def _alternatives(
    core: Core, repo: BookingRepository, centre: Centre, day: date, period: Period, count: int
) -> list[Alternative]:
    """Other half-day, next open days here, nearest other centres: what to offer instead."""
    found: list[Alternative] = []
    today = core.now().date()
    last = core.network.last_bookable_day(today)

    async def fits(c: Centre, d: date, p: Period) -> int:
        if p not in (*c.open_halves(d), *((Period.DAY,) if len(c.open_halves(d)) == 2 else ())):
            return 0
        if core.network.at(d, c.half_bounds(p)[1]) <= core.now():
            return 0
        free = len((await _free_desks(repo, c, d)).get(p, []))
        return free if free >= count else 0

    if period is not Period.DAY:
        other = Period.AFTERNOON if period is Period.MORNING else Period.MORNING
        if free := await fits(centre, day, other):
            found.append(Alternative("other_half", centre.id, day, other, free))
    later = day
    days_found = 0
    for _ in range(21):
        later += timedelta(days=1)
        if later > last or days_found >= MAX_ALTERNATIVES_PER_KIND:
            break
        if free := await fits(centre, later, period):
            found.append(Alternative("other_day", centre.id, later, period, free))
            days_found += 1
    centres_found = 0
    for other_centre in core.network.nearest(centre):
        if centres_found >= MAX_ALTERNATIVES_PER_KIND:
            break
        if count <= len(other_centre.desks) and (free := await fits(other_centre, day, period)):
            distance = round(core.network.distance_km(centre, other_centre), 1)
            found.append(Alternative("other_centre", other_centre.id, day, period, free, distance))
            centres_found += 1
    return found


# ---------------------------------------------------------------- booking desks


def _overlaps(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


async def _check_person(
    core: Core,
    repo: BookingRepository,
    user_id: str,
    centre: Centre,
    day: date,
    start: time,
    end: time,
    kind: ResourceKind,
) -> None:
    """The same person at two places at once, or over the weekly quota, is refused."""
    monday = day - timedelta(days=day.weekday())
    week = await repo.find_bookings(
        user_id=user_id, first_day=monday, last_day=monday + timedelta(days=6)
    )
    for booking in week:
        if booking.day != day:
            continue
        clash = booking.kind is kind or booking.centre_id != centre.id
        if clash and _overlaps(start, end, booking.start, booking.end):
            raise errors.AlreadyBooked(
                "already booked at that time",
                booking_id=booking.id,
                centre=booking.centre_id,
                day=day.isoformat(),
            )
    quota = core.network.max_days_per_week
    if quota is None or kind is not ResourceKind.DESK:
        return
    days = {b.day for b in week if b.kind is ResourceKind.DESK} | {day}
    if len(days) > quota:
        raise errors.QuotaExceeded(
            f"at most {quota} days a week", quota=quota, week_of=monday.isoformat()
        )


async def _book_desks_in(
    core: Core,
    repo: BookingRepository,
    centre: Centre,
    req: DeskRequest,
    request_id: int | None,
    series_id: str | None,
    now: datetime,
) -> list[Booking]:
    """Check every rule for one desk request and write it; raises before any write."""
    start, end = centre.half_bounds(req.period)
    _check_window(core, req.day, end)
    open_halves = centre.open_halves(req.day)
    if not all(h in open_halves for h in req.period.halves):
        raise _closed_error(centre, req.day, [])
    await _check_person(core, repo, req.user_id, centre, req.day, start, end, ResourceKind.DESK)
    free = (await _free_desks(repo, centre, req.day)).get(req.period, [])
    if len(free) < req.count:
        raise errors.Full(
            f"{len(free)} desk(s) free, {req.count} asked",
            free=len(free),
            centre=centre.id,
            day=req.day.isoformat(),
            period=req.period.value,
        )
    slots = tuple(_half_slot(h) for h in req.period.halves)
    booked = []
    for desk in free[: req.count]:
        booked.append(
            await repo.add_booking(
                NewBooking(
                    user_id=req.user_id,
                    centre_id=centre.id,
                    resource_id=desk,
                    kind=ResourceKind.DESK,
                    day=req.day,
                    period=req.period,
                    start=start,
                    end=end,
                    people=1,
                    slots=slots,
                    created_at=now,
                    request_id=request_id,
                    series_id=series_id,
                    channel=req.channel or req.user_id,
                )
            )
        )
    for booking in booked:
        await repo.audit(now, req.user_id, "booked", booking.id, {"request": request_id})
    await repo.add_notifications([n for b in booked for n in reminders_for(core, b, now)], now)
    return booked


def _fingerprint(kind: str, user_id: str, **asked: object) -> str:
    """What a request asked for, stored with its key: a key reused for anything else is
    refused instead of answered with the first request's result."""
    body = json.dumps({"kind": kind, "user": user_id, **asked}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _desk_asked(req: DeskRequest) -> dict[str, object]:
    return {"centre": req.centre_id, "day": req.day, "period": req.period, "count": req.count}


async def _recorded(
    repo: BookingRepository, key: str | None, fingerprint: str
) -> RequestRecord | None:
    """The request already made under this key, if any; a different one is a conflict."""
    if key is None:
        return None
    record = await repo.find_request(_digest(key))
    if record is None:
        return None
    if record.fingerprint is not None and record.fingerprint != fingerprint:
        raise errors.KeyReused("this message id already asked for something else", kind=record.kind)
    return record


async def _replay(
    repo: BookingRepository, key: str | None, fingerprint: str
) -> Confirmation | None:
    record = await _recorded(repo, key, fingerprint)
    if record is None:
        return None
    bookings = await repo.find_bookings(request_id=record.id, active_only=False)
    series = bookings[0].series_id if bookings else None
    return Confirmation(bookings, replayed=True, series_id=series)


async def _open_request(
    repo: BookingRepository,
    key: str | None,
    user_id: str,
    kind: str,
    now: datetime,
    fingerprint: str,
) -> int | None:
    if key is None:
        return None
    return await repo.add_request(_digest(key), user_id, kind, now, fingerprint)


def _digest(key: str) -> str:
    """Idempotency keys are stored hashed: a chat message id names its channel and sender."""
    return hashlib.sha256(key.encode()).hexdigest()


async def book_desks(core: Core, req: DeskRequest) -> Confirmation:
    """Book ``count`` desks at a centre for a half-day or a day, all or nothing."""
    return await _desks(core, req, dry_run=False)


async def check_desks(core: Core, req: DeskRequest) -> Confirmation:
    """Say whether ``book_desks`` would succeed now, raising what it would raise."""
    return await _desks(core, req, dry_run=True)


async def _desks(core: Core, req: DeskRequest, *, dry_run: bool) -> Confirmation:
    centre, req = _check_desk_request(core, req)

    async def body(uow: UnitOfWork) -> Confirmation:
        repo = uow.repo
        await repo.lock_user(req.user_id)
        asked = _fingerprint("book", req.user_id, **_desk_asked(req))
        if replayed := await _replay(repo, req.key, asked):
            return replayed
        now = core.now()
        request_id = await _open_request(repo, req.key, req.user_id, "book", now, asked)
        booked = await _book_desks_in(core, repo, centre, req, request_id, None, now)
        return Confirmation(booked)

    return await _desk_attempt(core, body, centre, req, dry_run=dry_run)


async def _desk_attempt(
    core: Core,
    body: Callable[[UnitOfWork], Awaitable[Confirmation]],
    centre: Centre,
    req: DeskRequest,
    *,
    dry_run: bool,
) -> Confirmation:
    """Run a desk request's transaction; a refusal for want of room carries alternatives."""
    try:
        return await _attempt(core, body, commit=not dry_run)
    except (errors.Full, errors.Closed) as refusal:
        # Looked up after the write transaction, so a refusal never holds the write lock.
        refusal.alternatives = await _read(
            core, lambda repo: _alternatives(core, repo, centre, req.day, req.period, req.count)
        )
        raise


async def book_room(core: Core, req: RoomRequest) -> Confirmation:
    """Book the smallest free meeting room that seats ``people`` for a time range."""
    return await _room(core, req, dry_run=False)


async def check_room(core: Core, req: RoomRequest) -> Confirmation:
    """Say whether ``book_room`` would succeed now, raising what it would raise."""
    return await _room(core, req, dry_run=True)


async def _room(core: Core, req: RoomRequest, *, dry_run: bool) -> Confirmation:
    centre, req = _check_room_request(core, req)

    async def body(uow: UnitOfWork) -> Confirmation:
        repo = uow.repo
        await repo.lock_user(req.user_id)
        asked = _fingerprint(
            "room",
            req.user_id,
            centre=req.centre_id,
            day=req.day,
            start=req.start,
            end=req.end,
            people=req.people,
            resource=req.resource_id,
        )
        if replayed := await _replay(repo, req.key, asked):
            return replayed
        now = core.now()
        _check_window(core, req.day, req.end)
        if core.network.at(req.day, req.start) < now:
            # Unlike a desk's half-day, a room range already begun is refused: its start
            # is the person's own choice, and the next 30-minute step is still free.
            raise errors.InThePast(
                f"{req.day} {req.start:%H:%M} has begun", day=req.day.isoformat(), started=True
            )
        ranges = centre.open_ranges(req.day)
        if not any(start <= req.start and req.end <= end for start, end in ranges):
            lunch = centre.lunch_break(req.day)
            if lunch and req.start < lunch[1] and lunch[0] < req.end:
                raise errors.Closed(
                    "closed at lunch",
                    reason="lunch",
                    centre=centre.id,
                    day=req.day.isoformat(),
                    closed_from=lunch[0].strftime("%H:%M"),
                    closed_until=lunch[1].strftime("%H:%M"),
                )
            raise _closed_error(centre, req.day, [])
        await _check_person(
            core, repo, req.user_id, centre, req.day, req.start, req.end, ResourceKind.MEETING_ROOM
        )
        candidates = [
            room
            for room in centre.rooms
            if room.capacity >= req.people and req.resource_id in (None, room.id)
        ]
        slots = tuple(range(_slot_of(req.start), _slot_of(req.end)))
        taken = await repo.taken_slots([r.id for r in candidates], req.day)
        free = [r for r in candidates if not any((r.id, s) in taken for s in slots)]
        if not free:
            raise errors.Full(
                "no meeting room free then", centre=centre.id, day=req.day.isoformat()
            )
        request_id = await _open_request(repo, req.key, req.user_id, "book", now, asked)
        booking = await repo.add_booking(
            NewBooking(
                user_id=req.user_id,
                centre_id=centre.id,
                resource_id=free[0].id,
                kind=ResourceKind.MEETING_ROOM,
                day=req.day,
                period=None,
                start=req.start,
                end=req.end,
                people=req.people,
                slots=slots,
                created_at=now,
                request_id=request_id,
                series_id=None,
                channel=req.channel or req.user_id,
            )
        )
        await repo.audit(now, req.user_id, "booked", booking.id, {"request": request_id})
        await repo.add_notifications(reminders_for(core, booking, now), now)
        return Confirmation([booking])

    return await _attempt(core, body, commit=not dry_run)


# ---------------------------------------------------------------- repeated bookings


def series_days(
    first: date,
    weekdays: Iterable[int],
    *,
    until: date | None = None,
    weeks: int | None = None,
) -> list[date]:
    """Every given weekday (0 = Monday) from ``first``, up to ``until`` or for ``weeks`` weeks."""
    wanted = set(weekdays)
    if not wanted or not wanted <= set(range(7)):
        raise errors.InvalidRequest("weekdays must be among 0 (Monday) to 6 (Sunday)")
    if (until is None) == (weeks is None):
        raise errors.InvalidRequest("give either an end date or a number of weeks")
    if weeks is not None:
        if not 1 <= weeks <= 52:
            raise errors.InvalidCount("weeks must be between 1 and 52", count=weeks, maximum=52)
        until = first + timedelta(weeks=weeks) - timedelta(days=1)
    assert until is not None
    if until < first:
        raise errors.InvalidTimeRange("the series ends before it starts")
    days = [first + timedelta(days=n) for n in range((until - first).days + 1)]
    days = [d for d in days if d.weekday() in wanted]
    if len(days) > MAX_SERIES_OCCURRENCES:
        raise errors.InvalidCount(
            "too many occurrences", count=len(days), maximum=MAX_SERIES_OCCURRENCES
        )
    return days


@dataclass(frozen=True)
class SeriesPlan:
    bookable: list[date]
    refused: list[errors.DateRefusal]


class _DryRun(Exception):
    def __init__(self, plan: SeriesPlan) -> None:
        self.plan = plan


async def _series(
    core: Core, template: DeskRequest, days: Sequence[date], *, partial: bool, dry_run: bool
) -> Confirmation | SeriesPlan:
    if not days:
        raise errors.InvalidRequest("a series needs at least one date")
    centre, template = _check_desk_request(core, template)
    days = sorted({as_day(d) for d in days})

    async def body(uow: UnitOfWork) -> Confirmation:
        repo = uow.repo
        await repo.lock_user(template.user_id)
        asked = _fingerprint(
            "series", template.user_id, **_desk_asked(template), days=days, partial=partial
        )
        if not dry_run and (replayed := await _replay(repo, template.key, asked)):
            return replayed
        now = core.now()
        series_id = uuid.uuid4().hex
        request_id = (
            None
            if dry_run
            else await _open_request(repo, template.key, template.user_id, "series", now, asked)
        )
        booked: list[Booking] = []
        bookable: list[date] = []
        refused: list[errors.DateRefusal] = []
        for day in days:
            try:
                booked += await _book_desks_in(
                    core, repo, centre, replace(template, day=day), request_id, series_id, now
                )
                bookable.append(day)
            except errors.RuleRefusal as exc:
                refused.append(errors.DateRefusal(day, exc))
        if dry_run:
            raise _DryRun(SeriesPlan(bookable, refused))
        if refused and not partial:
            raise errors.SeriesPartlyUnavailable(refused, bookable)
        if not booked:
            raise errors.SeriesPartlyUnavailable(refused, [])
        return Confirmation(booked, series_id=series_id)

    try:
        return await _attempt(core, body)
    except _DryRun as dry:
        return dry.plan


async def plan_series(core: Core, template: DeskRequest, days: Sequence[date]) -> SeriesPlan:
    """Which dates of a repeated booking can be booked, and why the others cannot."""
    plan = await _series(core, template, days, partial=True, dry_run=True)
    assert isinstance(plan, SeriesPlan)
    return plan


async def book_series(
    core: Core, template: DeskRequest, days: Sequence[date], *, book_available: bool = False
) -> Confirmation:
    """Book a repeated booking: all dates, or (``book_available``) only those still open."""
    result = await _series(core, template, days, partial=book_available, dry_run=False)
    assert isinstance(result, Confirmation)
    return result


# ---------------------------------------------------------------- reminders


def reminders_for(core: Core, booking: Booking, now: datetime) -> list[NewNotification]:
    """The evening before and (if the network wants it) the morning of, still to come.

    One row per booking, so that cancelling one cancels exactly its reminders; the rows of
    one person's bookings at one centre on one day share a ``group_key`` and go out as one
    message (a morning and an afternoon are one reminder, not two).
    """
    net = core.network
    start = net.at(booking.day, booking.start)
    found: list[NewNotification] = []
    moments = (
        ("reminder_evening", booking.day - timedelta(days=1), net.reminders.evening_before),
        ("reminder_morning", booking.day, net.reminders.morning_of),
    )
    for kind, day, clock in moments:
        if not clock:
            continue
        due = net.at(day, time.fromisoformat(clock))
        if now < due < start:
            channel = booking.channel or booking.user_id
            found.append(
                NewNotification(
                    key=f"{kind}:{booking.id}",
                    kind=kind,
                    channel=channel,
                    user_id=booking.user_id,
                    payload={"booking": booking.as_json()},
                    due_at=due,
                    expires_at=start,
                    booking_id=booking.id,
                    group_key=f"{kind}:{channel}:{booking.centre_id}:{booking.day.isoformat()}",
                )
            )
    return found


CHECKIN_EARLY = timedelta(hours=1)
"""How long before a booking begins an arrival counts for it."""


async def check_in(core: Core, user_id: str) -> list[Booking]:
    """Mark the person arrived at the centre of their booking under way (or beginning
    within the hour), for every booking they still have there today.

    Someone in for the morning and the afternoon checks in once, at 08:40, for both: the
    afternoon is never released for want of a second check-in. Bookings at another
    centre the same day wait for an arrival there. Returns the bookings now checked in
    at that centre (those checked in earlier included), soonest first.
    """
    _check_user(user_id)

    async def body(uow: UnitOfWork) -> list[Booking]:
        now = core.now()
        today = await uow.repo.find_bookings(
            user_id=user_id, first_day=now.date(), last_day=now.date()
        )
        ahead = [b for b in today if core.network.at(b.day, b.end) > now]
        here = {
            b.centre_id for b in ahead if core.network.at(b.day, b.start) - CHECKIN_EARLY <= now
        }
        covered = [b for b in ahead if b.centre_id in here]
        for booking in covered:
            if booking.checked_in_at is None:
                await uow.repo.set_checked_in(booking.id, now)
                await uow.repo.audit(now, user_id, "checked_in", booking.id)
        return [b if b.checked_in_at else replace(b, checked_in_at=now) for b in covered]

    return await _attempt(core, body)


async def confirm_attendance(core: Core, user_id: str, booking_ids: Sequence[int]) -> list[Booking]:
    """Record « Je viens », answered to a reminder: the person's own active bookings among
    ``booking_ids`` that have not ended are marked confirmed (the first answer's time is
    kept). Managers see the confirmations in their digest. Returns those bookings."""
    _check_user(user_id)

    async def body(uow: UnitOfWork) -> list[Booking]:
        now = core.now()
        confirmed = []
        for booking_id in booking_ids:
            booking = await uow.repo.get_booking(int(booking_id))
            if (
                booking is None
                or booking.user_id != user_id
                or booking.status is not BookingStatus.ACTIVE
                or core.network.at(booking.day, booking.end) <= now
            ):
                continue
            if booking.confirmed_at is None:
                await uow.repo.set_confirmed(booking.id, now)
                await uow.repo.audit(now, user_id, "confirmed", booking.id)
                booking = replace(booking, confirmed_at=now)
            confirmed.append(booking)
        return confirmed

    return await _attempt(core, body)


async def release_no_shows(core: Core) -> list[Booking]:
    """Free the desks of people who did not check in in time, where the centre asks for it.

    The person is told, and the freed desk goes to the first person waiting (told too).
    """
    now = core.now()
    centres = [c for c in core.network if c.spec.checkin_release_minutes]
    if not centres:
        return []

    async def body(uow: UnitOfWork) -> list[Booking]:
        released: list[Booking] = []
        for centre in centres:
            grace = timedelta(minutes=centre.spec.checkin_release_minutes or 0)
            today = await uow.repo.find_bookings(
                centre_id=centre.id, first_day=now.date(), last_day=now.date()
            )
            for b in today:
                # A booking made after its slot began gets the same grace from its making:
                # booked at 10:00 for a morning begun at 09:00, it is not released at 10:01.
                since = max(core.network.at(b.day, b.start), b.created_at)
                late = since + grace <= now < core.network.at(b.day, b.end)
                if b.kind is ResourceKind.DESK and b.checked_in_at is None and late:
                    await uow.repo.cancel_notifications([b.id])
                    await uow.repo.release_booking(b.id, now)
                    await uow.repo.audit(now, "system", "released", b.id)
                    await uow.repo.add_notifications(
                        [
                            NewNotification(
                                key=f"released:{b.id}",
                                kind="release_notice",
                                channel=b.channel or b.user_id,
                                user_id=b.user_id,
                                payload={"booking": b.as_json()},
                                due_at=now,
                                # Told the same day, or not at all: stale news otherwise.
                                expires_at=core.network.at(b.day, time(23, 59)),
                            )
                        ],
                        now,
                    )
                    released.append(replace(b, status=BookingStatus.RELEASED))
        for centre_id, day in sorted({(b.centre_id, b.day) for b in released}):
            await _promote(core, uow.repo, centre_id, day, now)
        return released

    return await _attempt(core, body)


# ---------------------------------------------------------------- cancelling


async def _promote(
    core: Core, repo: BookingRepository, centre_id: str, day: date, now: datetime
) -> list[Promotion]:
    """Give freed desks to the people waiting for that centre and day, first come first.

    Each waiting person's own lock is taken before booking for them, as their own
    request would, so that a request of theirs running meanwhile (a booking elsewhere)
    cannot put them in two places. An entry a rule now refuses (they booked elsewhere,
    reached the quota, the centre closed) is dropped and they are told why.
    """
    promoted: list[Promotion] = []
    centre = core.network.centre(centre_id)
    for entry in await repo.waiting(centre_id=centre_id, day=day):
        await repo.lock_user(entry.user_id)
        mine = await repo.waiting(user_id=entry.user_id, centre_id=centre_id, day=day)
        if entry.id not in {e.id for e in mine}:
            continue  # left the waitlist meanwhile
        channel = entry.channel or entry.user_id
        req = DeskRequest(entry.user_id, centre_id, day, entry.period, entry.count, None, channel)
        try:
            booked = await _book_desks_in(core, repo, centre, req, None, None, now)
        except errors.Full:
            continue
        except errors.RuleRefusal as refusal:
            await _drop(core, repo, entry, refusal, now)
            continue
        await repo.set_wait_status(entry.id, WaitStatus.FULFILLED)
        await repo.audit(now, entry.user_id, "waitlist_promoted", booked[0].id, {"wait": entry.id})
        await repo.add_notifications(
            [
                NewNotification(
                    key=f"promoted:{entry.id}",
                    kind="waitlist_promoted",
                    channel=channel,
                    user_id=entry.user_id,
                    payload={"bookings": [b.as_json() for b in booked]},
                    due_at=now,
                    expires_at=core.network.at(day, booked[0].end),
                    booking_id=booked[0].id,
                )
            ],
            now,
        )
        promoted.append(Promotion(entry, booked))
    return promoted


async def _drop(
    core: Core,
    repo: BookingRepository,
    entry: WaitEntry,
    refusal: errors.RuleRefusal,
    now: datetime,
) -> None:
    """End a waitlist entry a rule refuses, and tell the person.

    The notice is of kind ``waitlist_dropped``, with the payload ``{"wait": {"centre",
    "date", "period", "count"}, "reason": <the refusal's code>}``; it expires when the
    half-day it was for ends, since it is news only until then.
    """
    centre = core.network.centre(entry.centre_id)
    await repo.set_wait_status(entry.id, WaitStatus.CANCELLED)
    await repo.audit(now, entry.user_id, "waitlist_dropped", None, {"wait": entry.id})
    wait = {
        "centre": entry.centre_id,
        "date": entry.day.isoformat(),
        "period": entry.period.value,
        "count": entry.count,
    }
    await repo.add_notifications(
        [
            NewNotification(
                key=f"waitlist_dropped:{entry.id}",
                kind="waitlist_dropped",
                channel=entry.channel or entry.user_id,
                user_id=entry.user_id,
                payload={"wait": wait, "reason": refusal.code},
                due_at=now,
                expires_at=core.network.at(entry.day, centre.half_bounds(entry.period)[1]),
            )
        ],
        now,
    )


async def _cancel_in(
    core: Core,
    repo: BookingRepository,
    targets: Sequence[Booking],
    actor: str,
    request_id: int | None,
    now: datetime,
) -> CancelResult:
    """Cancel these bookings and give the freed desks to the people waiting, in ``repo``'s
    transaction."""
    await repo.cancel_notifications([b.id for b in targets])
    for booking in targets:
        await repo.cancel_booking(booking.id, now)
        await repo.audit(now, actor, "cancelled", booking.id, {"request": request_id})
    promoted: list[Promotion] = []
    for centre_id, day in sorted(
        {(b.centre_id, b.day) for b in targets if b.kind is ResourceKind.DESK}
    ):
        promoted += await _promote(core, repo, centre_id, day, now)
    cancelled = [replace(b, status=BookingStatus.CANCELLED) for b in targets]
    return CancelResult(cancelled, promoted)


def _still_to_come(core: Core, bookings: Iterable[Booking], now: datetime) -> list[Booking]:
    return [b for b in bookings if core.network.at(b.day, b.end) > now]


async def cancel_upcoming_in(
    core: Core, repo: BookingRepository, user_id: str, now: datetime
) -> CancelResult:
    """Cancel every booking of this person not over yet, inside the caller's transaction
    (erasure runs it between dropping their waitlist entries and anonymising them)."""
    found = await repo.find_bookings(user_id=user_id, first_day=now.date())
    return await _cancel_in(core, repo, _still_to_come(core, found, now), user_id, None, now)


async def in_transaction(core: Core, body: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run ``body`` in one write transaction, re-run whole when it loses a race."""
    return await _attempt(core, body)


async def _cancel(
    core: Core,
    user_id: str,
    select: Callable[[BookingRepository, date], Awaitable[list[Booking]]],
    key: str | None,
    asked: dict[str, object],
    actor: str | None = None,
) -> CancelResult:
    _check_user(user_id)
    fingerprint = _fingerprint("cancel", user_id, **asked)

    async def body(uow: UnitOfWork) -> CancelResult:
        repo = uow.repo
        await repo.lock_user(user_id)
        now = core.now()
        if record := await _recorded(repo, key, fingerprint):
            ids = (record.result or {}).get("cancelled", [])
            done = [b for i in ids if (b := await repo.get_booking(int(i)))]
            return CancelResult(done, replayed=True)
        targets = await select(repo, now.date())
        for booking in targets:
            if booking.user_id != user_id and actor is None:
                raise errors.NotOwner("not your booking", booking_id=booking.id)
            if core.network.at(booking.day, booking.end) <= now:
                raise errors.NotCancellable("this booking is over", booking_id=booking.id)
        request_id = await _open_request(repo, key, user_id, "cancel", now, fingerprint)
        result = await _cancel_in(core, repo, targets, actor or user_id, request_id, now)
        if request_id is not None:
            await repo.set_request_result(request_id, {"cancelled": [b.id for b in targets]})
        return result

    return await _attempt(core, body)


async def cancel_booking(
    core: Core, user_id: str, booking_id: int, key: str | None = None
) -> CancelResult:
    """Cancel one booking of this user."""
    return await cancel_bookings(core, user_id, [booking_id], key)


async def _own_booking(repo: BookingRepository, user_id: str, booking_id: int) -> Booking:
    """The booking, if it is this person's: anyone else's is refused as not theirs."""
    booking = await repo.get_booking(booking_id)
    if booking is None:
        raise errors.UnknownBooking(f"no booking {booking_id}", booking_id=booking_id)
    if booking.user_id != user_id:
        raise errors.NotOwner("not your booking", booking_id=booking_id)
    return booking


async def cancel_bookings(
    core: Core, user_id: str, booking_ids: Sequence[int], key: str | None = None
) -> CancelResult:
    """Cancel several bookings of this user together, all or none."""

    async def select(repo: BookingRepository, today: date) -> list[Booking]:
        found = []
        for booking_id in booking_ids:
            booking = await _own_booking(repo, user_id, booking_id)
            if booking.status is BookingStatus.ACTIVE:
                found.append(booking)
        return found

    return await _cancel(core, user_id, select, key, {"bookings": sorted(booking_ids)})


async def cancel_day(
    core: Core, user_id: str, day: date | str, key: str | None = None
) -> CancelResult:
    """Cancel every booking of this user on one date."""
    target = as_day(day)

    async def select(repo: BookingRepository, today: date) -> list[Booking]:
        return await repo.find_bookings(user_id=user_id, first_day=target, last_day=target)

    return await _cancel(core, user_id, select, key, {"day": target})


async def cancel_series(
    core: Core, user_id: str, series_id: str, key: str | None = None
) -> CancelResult:
    """Cancel the occurrences of a repeated booking that are still to come."""

    async def select(repo: BookingRepository, today: date) -> list[Booking]:
        ever = await repo.find_bookings(series_id=series_id, active_only=False, limit=1)
        if not ever:
            raise errors.UnknownSeries(f"no series {series_id!r}", series=series_id)
        if ever[0].user_id != user_id:
            raise errors.NotOwner("not your series")
        found = await repo.find_bookings(series_id=series_id, first_day=today)
        return [b for b in found if core.network.at(b.day, b.end) > core.now()]

    return await _cancel(core, user_id, select, key, {"series": series_id})


async def cancel_all_future(core: Core, user_id: str, key: str | None = None) -> CancelResult:
    """Cancel every booking of this user that has not ended yet."""

    async def select(repo: BookingRepository, today: date) -> list[Booking]:
        found = await repo.find_bookings(user_id=user_id, first_day=today)
        return _still_to_come(core, found, core.now())

    return await _cancel(core, user_id, select, key, {"all": True})


async def change_booking(
    core: Core, user_id: str, booking_id: int | Sequence[int], new: DeskRequest
) -> Confirmation:
    """Move a desk booking (or the desks booked together): cancel and rebook in one
    transaction, so a refusal keeps the old ones."""
    return await _change(core, user_id, booking_id, new, dry_run=False)


async def check_change(
    core: Core, user_id: str, booking_id: int | Sequence[int], new: DeskRequest
) -> Confirmation:
    """Say whether ``change_booking`` would succeed now: the old booking counts as freed."""
    return await _change(core, user_id, booking_id, new, dry_run=True)


async def _change(
    core: Core,
    user_id: str,
    booking_id: int | Sequence[int],
    new: DeskRequest,
    *,
    dry_run: bool,
) -> Confirmation:
    centre, new = _check_desk_request(core, new)
    if new.user_id != user_id:
        raise errors.NotOwner("a change keeps the same person")
    ids = (booking_id,) if isinstance(booking_id, int) else tuple(sorted(booking_id))
    if not ids:
        raise errors.UnknownBooking("no booking to change")

    async def body(uow: UnitOfWork) -> Confirmation:
        repo = uow.repo
        await repo.lock_user(user_id)
        booking: int | tuple[int, ...] = ids[0] if len(ids) == 1 else ids
        asked = _fingerprint("change", user_id, booking=booking, **_desk_asked(new))
        if replayed := await _replay(repo, new.key, asked):
            return replayed
        now = core.now()
        olds = []
        for one in ids:
            old = await _own_booking(repo, user_id, one)
            if old.status is not BookingStatus.ACTIVE or core.network.at(old.day, old.end) <= now:
                raise errors.NotCancellable("this booking cannot be changed", booking_id=one)
            olds.append(old)
        request_id = await _open_request(repo, new.key, user_id, "change", now, asked)
        await repo.cancel_notifications([old.id for old in olds])
        for old in olds:
            await repo.cancel_booking(old.id, now)
            await repo.audit(now, user_id, "changed", old.id, {"request": request_id})
        booked = await _book_desks_in(core, repo, centre, new, request_id, None, now)
        # Even at the same centre and day: morning to afternoon frees the morning.
        for where, day in sorted(
            {(o.centre_id, o.day) for o in olds if o.kind is ResourceKind.DESK}
        ):
            await _promote(core, repo, where, day, now)
        return Confirmation(booked, replaced=olds)

    return await _desk_attempt(core, body, centre, new, dry_run=dry_run)


# ---------------------------------------------------------------- waitlist and listing


async def join_waitlist(core: Core, req: DeskRequest) -> WaitEntry:
    """Wait for a desk at a full centre; the first freed desk goes to the first waiting.

    Only when it is full for that period: with a desk free, waiting would only hold a
    place in a queue nobody needs, so it is refused (:class:`errors.NotFull`).
    """
    centre, req = _check_desk_request(core, req)

    async def body(uow: UnitOfWork) -> WaitEntry:
        repo = uow.repo
        await repo.lock_user(req.user_id)
        asked = _fingerprint("waitlist", req.user_id, **_desk_asked(req))
        if record := await _recorded(repo, req.key, asked):
            return _wait_from_json((record.result or {})["wait"])
        now = core.now()
        _check_window(core, req.day, centre.half_bounds(req.period)[1])
        if not all(h in centre.open_halves(req.day) for h in req.period.halves):
            raise _closed_error(centre, req.day, [])
        for entry in await repo.waiting(user_id=req.user_id, centre_id=centre.id, day=req.day):
            if entry.period == req.period:
                return entry
        free = len((await _free_desks(repo, centre, req.day)).get(req.period, []))
        if free >= req.count:
            raise errors.NotFull(
                f"{free} desk(s) free: book instead of waiting",
                free=free,
                centre=centre.id,
                day=req.day.isoformat(),
                period=req.period.value,
            )
        request_id = await _open_request(repo, req.key, req.user_id, "waitlist", now, asked)
        entry = await repo.add_wait(
            req.user_id, centre.id, req.day, req.period, req.count, now, request_id, req.channel
        )
        if request_id is not None:
            await repo.set_request_result(request_id, {"wait": _wait_json(entry)})
        await repo.audit(now, req.user_id, "waitlisted", None, {"wait": entry.id})
        return entry

    return await _attempt(core, body)


def _wait_json(entry: WaitEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "user": entry.user_id,
        "centre": entry.centre_id,
        "day": entry.day.isoformat(),
        "period": entry.period.value,
        "count": entry.count,
        "created_at": entry.created_at.isoformat(),
        "channel": entry.channel,
    }


def _wait_from_json(row: dict[str, Any]) -> WaitEntry:
    """The entry as first answered: a replay gets the same answer, not a new entry."""
    return WaitEntry(
        id=int(row["id"]),
        user_id=row["user"],
        centre_id=row["centre"],
        day=date.fromisoformat(row["day"]),
        period=Period(row["period"]),
        count=int(row["count"]),
        status=WaitStatus.WAITING,
        created_at=datetime.fromisoformat(row["created_at"]),
        channel=row["channel"],
    )


async def leave_waitlist(core: Core, user_id: str, entry_id: int) -> None:
    """Stop waiting."""

    async def body(uow: UnitOfWork) -> None:
        await uow.repo.lock_user(user_id)
        entries = await uow.repo.waiting(user_id=user_id)
        if not any(e.id == entry_id for e in entries):
            raise errors.UnknownBooking(f"no waitlist entry {entry_id}")
        await uow.repo.set_wait_status(entry_id, WaitStatus.CANCELLED)
        await uow.repo.audit(core.now(), user_id, "waitlist_left", None, {"wait": entry_id})

    await _attempt(core, body)


async def waiting_for(core: Core, user_id: str) -> list[WaitEntry]:
    """A person's waitlist entries still waiting for a day to come, soonest first."""
    today = core.now().date()
    found = await _read(core, lambda repo: repo.waiting(user_id=user_id))
    return sorted((e for e in found if e.day >= today), key=lambda e: (e.day, e.period.value))


async def upcoming(core: Core, user_id: str) -> list[Booking]:
    """A user's bookings that have not ended yet, soonest first."""
    now = core.now()
    found = await _read(
        core, lambda repo: repo.find_bookings(user_id=user_id, first_day=now.date())
    )
    return [b for b in found if core.network.at(b.day, b.end) > now]


async def list_bookings(
    core: Core,
    *,
    centre_id: str | None = None,
    day: date | str | None = None,
    user_id: str | None = None,
    include_cancelled: bool = False,
) -> list[Booking]:
    """Bookings for managers and scripts, filtered by centre, date and user."""
    if centre_id is not None:
        core.network.centre(centre_id)
    target = as_day(day) if day is not None else None
    return await _read(
        core,
        lambda repo: repo.find_bookings(
            user_id=user_id,
            centre_id=centre_id,
            first_day=target,
            last_day=target,
            active_only=not include_cancelled,
        ),
    )
