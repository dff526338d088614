"""Figures for managers and funders: occupancy, the day and week digests, the impact report.

Everything here is read-only and computed by the database with ``GROUP BY`` over the
``(centre_id, day)`` index, so a digest costs the same with a thousand bookings or a
million: only aggregated rows (a few per centre, day and half-day) come back to Python,
which then walks the network's calendar, never the bookings themselves.

What counts:

* a booking *occupies* its desk unless it is ``cancelled`` or ``released`` (a released
  desk went back to the others; whoever took it holds a booking of their own);
* a booking is *attended* when it occupies its desk and its slot has ended (and, where
  arrivals are signalled, it has one);
* a *no-show* is a desk booking of a day that is over with no arrival signalled: still
  active without a check-in, or released for want of one. It is counted only at
  centres where arrivals are signalled (:attr:`~booking_core.network.Centre.tracks_checkin`);
  elsewhere the digests say "not tracked" (``None``), never a misleading 0.

Nothing here speaks a language: the text lives in :mod:`handlers.digest`.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    distinct,
    extract,
    func,
    or_,
    select,
)

from booking_core.directory import BIT, Field
from booking_core.domain import BookingStatus, WaitStatus
from booking_core.network import Centre, Impact, Network, Period, ResourceKind
from booking_core.services import Core
from booking_core.storage import (
    BOOKINGS,
    DIRECTORY_PROFILES,
    PROFILES,
    WAITLIST,
    SqlRepository,
)
from booking_core.uow import UnitOfWork

T = TypeVar("T")

TREND_WEEKS = 4
# How far to look for the next (or previous) open day: the longest closures (Christmas)
# last about ten days; past this horizon the digest simply shows the calendar neighbour.
SEARCH_DAYS = 31
NOT_OCCUPYING = (BookingStatus.CANCELLED.value, BookingStatus.RELEASED.value)
EXPORT_PAGE = 5_000

_B = BOOKINGS.c


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class HalfDayOccupancy:
    """Desks booked at one centre for one half-day (a whole-day booking counts in both)."""

    centre_id: str
    day: date
    half: Period
    booked: int
    total: int

    @property
    def free(self) -> int:
        return max(0, self.total - self.booked)

    @property
    def rate(self) -> float | None:
        """Share of the desks booked, 0 to 1; ``None`` when there is no desk to book."""
        return self.booked / self.total if self.total else None


@dataclass(frozen=True)
class HalfLoad:
    """One open half-day as the manager sees it in the morning."""

    half: Period
    booked: int
    total: int
    waiting: int
    names: list[str] = field(default_factory=list)
    confirmed: int = 0
    """Bookings whose person answered « Je viens » to the evening reminder."""
    """Who is coming, among those who agreed to be named (see :func:`_names_statement`);
    everyone else is only in ``booked``, so ``len(names) <= booked``."""

    @property
    def free(self) -> int:
        return max(0, self.total - self.booked)

    @property
    def rate(self) -> float | None:
        return self.booked / self.total if self.total else None


@dataclass(frozen=True)
class DayLoad:
    """A centre's desks and rooms on one date; ``halves`` is empty when it is closed."""

    day: date
    halves: list[HalfLoad]
    room_bookings: int

    @property
    def is_open(self) -> bool:
        return bool(self.halves)

    @property
    def booked(self) -> int:
        """Desk half-days booked (a desk for the whole day counts twice)."""
        return sum(h.booked for h in self.halves)

    @property
    def total(self) -> int:
        return sum(h.total for h in self.halves)

    @property
    def waiting(self) -> int:
        """Waitlist entries for the day; one for the whole day is counted once."""
        return max((h.waiting for h in self.halves), default=0)

    @property
    def rate(self) -> float | None:
        return self.booked / self.total if self.total else None


@dataclass(frozen=True)
class WeekRate:
    """Average occupancy of one ISO week: desk half-days booked over desk half-days open."""

    first_day: date
    booked: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.booked / self.total if self.total else None


@dataclass(frozen=True)
class DayDigest:
    """What a centre's manager reads at 07:30.

    ``next`` is the next day the centre opens rather than the calendar's tomorrow, so a
    Friday digest shows Monday; likewise the no-shows are those of the last open day
    (Friday's on a Monday). ``trend`` covers the full weeks before the digest's own week,
    oldest first.
    """

    centre_id: str
    day: date
    today: DayLoad
    next: DayLoad
    previous_day: date | None
    """The last open day before ``day``, once it is over (``None`` when it is still
    under way: a digest for tomorrow asked today)."""
    no_shows: int | None
    """No-shows of ``previous_day``; ``None`` where arrivals are not signalled."""
    trend: list[WeekRate]
    as_of: date | None = None
    """The day the digest was made, which names ``day`` (today, tomorrow…); ``day``
    itself when not given."""

    @property
    def made_on(self) -> date:
        return self.as_of or self.day


@dataclass(frozen=True)
class CentreWeek:
    """One centre's week: its occupancy, no-shows and the weeks before for comparison."""

    centre_id: str
    cells: list[HalfDayOccupancy]
    no_shows: int | None  # over the days of the week that are over; None: not tracked
    room_bookings: int
    trend: list[WeekRate]

    @property
    def booked(self) -> int:
        return sum(c.booked for c in self.cells)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells)

    @property
    def rate(self) -> float | None:
        return self.booked / self.total if self.total else None


@dataclass(frozen=True)
class WeekDigest:
    """The weekly digest: seven days from ``first_day`` for each centre asked."""

    first_day: date
    centres: list[CentreWeek]

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)

    @property
    def cells(self) -> list[HalfDayOccupancy]:
        return [cell for centre in self.centres for cell in centre.cells]


@dataclass(frozen=True)
class ImpactFactors:
    """The factors a report used, with their sources, so a reader can check or redo it."""

    emission_kg_per_km: float
    emission_source: str
    average_speed_kmh: float
    speed_source: str

    @classmethod
    def of(cls, impact: Impact) -> ImpactFactors:
        return cls(
            impact.emission_kg_per_km,
            impact.emission_source,
            impact.average_speed_kmh,
            impact.speed_source,
        )


@dataclass(frozen=True)
class ImpactRow:
    """Trips a centre saved in one month (``centre_id``/``month`` are ``None`` in totals).

    A trip avoided is one round trip per person and day attended, however many bookings
    made that day (two half-days, or a desk and a room, are one trip). Its length is what
    the telecentre saves on the person's usual commute, both ways:
    ``2 x max(0, commute_km - centre_km)``, from the one-way figures the person declared
    (their usual commute, and the distance from home to the telecentre, which they still
    travel). People who declared no commute count in ``trips`` and ``trips_unknown_km``
    but add no kilometre. Those who declared a commute but not the distance to the
    telecentre are counted as if it were next door (``centre_km`` taken as 0) and
    counted apart in ``trips_centre_km_unknown``, so a reader knows how much of the
    figure rests on that.
    """

    centre_id: str | None
    month: date | None
    attended_bookings: int
    people: int
    trips: int
    trips_unknown_km: int
    km: float
    hours: float
    co2_kg: float
    trips_centre_km_unknown: int = 0

    @property
    def trips_with_km(self) -> int:
        return self.trips - self.trips_unknown_km


@dataclass(frozen=True)
class ImpactReport:
    """Per centre and month, plus the network total, over ``first_day``..``last_day``.

    Only slots that had ended at ``as_of`` count; the total counts a person once per
    day even if they went to two centres that day.
    """

    first_day: date
    last_day: date
    centre_id: str | None
    as_of: datetime
    factors: ImpactFactors
    rows: list[ImpactRow]
    total: ImpactRow


# ---------------------------------------------------------------- plumbing


async def _run(core: Core, body: Callable[[SqlRepository], Awaitable[T]]) -> T:
    """Run ``body`` in one read transaction (a deferred one on SQLite: writers go on)."""

    async def on(uow: UnitOfWork) -> T:
        repo = uow.repo
        if not isinstance(repo, SqlRepository):
            raise TypeError("reports are SQL aggregates: they need a SQL storage")
        return await body(repo)

    return await core.uow(readonly=True).run(on, commit=False)


def _occupying() -> Any:
    return _B.status.notin_(NOT_OCCUPYING)


@functools.cache
def _load_statement() -> Select[Any]:
    """Per centre, day, kind and period: bookings holding a desk or room, and no-shows
    (released, or still active with no check-in: only meaningful once the day is over)."""
    absent = (_B.status == BookingStatus.RELEASED.value) | (
        (_B.status == BookingStatus.ACTIVE.value) & _B.checked_in_at.is_(None)
    )
    no_show = case((absent, 1), else_=0)
    occupying = case((_occupying(), 1), else_=0)
    confirmed = case((_occupying() & _B.confirmed_at.is_not(None), 1), else_=0)
    return (
        select(
            _B.centre_id,
            _B.day,
            _B.kind,
            _B.period,
            func.sum(occupying).label("booked"),
            func.sum(no_show).label("no_shows"),
            func.sum(confirmed).label("confirmed"),
        )
        .where(
            _B.centre_id.in_(bindparam("centres", expanding=True)),
            _B.day >= bindparam("first_day"),
            _B.day <= bindparam("last_day"),
            _B.status != BookingStatus.CANCELLED.value,
        )
        .group_by(_B.centre_id, _B.day, _B.kind, _B.period)
    )


@functools.cache
def _waiting_statement() -> Select[Any]:
    w = WAITLIST.c
    return (
        select(w.centre_id, w.day, w.period, func.count().label("entries"))
        .where(
            w.centre_id.in_(bindparam("centres", expanding=True)),
            w.day >= bindparam("first_day"),
            w.day <= bindparam("last_day"),
            w.status == WaitStatus.WAITING.value,
        )
        .group_by(w.centre_id, w.day, w.period)
    )


@functools.cache
def _names_statement() -> Select[Any]:
    """Display names of the people holding a desk on given days, for those who agreed.

    The consent is the directory's ``presence`` with a published display name: the one
    that already shows a person to the others at the centre that day, and that tells them
    the centre's manager sees it too. Nobody else is ever named, only counted.
    """
    p = DIRECTORY_PROFILES.c
    shown = BIT[Field.PRESENCE] | BIT[Field.DISPLAY_NAME]
    # The consent blanks the name in the SELECT rather than filtering in the WHERE: an
    # unpublished name still never leaves the database, and PostgreSQL, which cannot
    # estimate a bit test, plans from the day's few bookings instead of probing the
    # bookings index once per member (17 ms instead of 1 ms with 1,000 members).
    name = case((p.published.bitwise_and(shown) == shown, p.display_name), else_=None)
    return (
        select(_B.centre_id, _B.day, _B.period, _B.user_id, name.label("display_name"))
        .join(DIRECTORY_PROFILES, p.user_id == _B.user_id)
        .where(
            _B.centre_id.in_(bindparam("centres", expanding=True)),
            _B.day.in_(bindparam("days", expanding=True)),
            _B.kind == ResourceKind.DESK.value,
            _occupying(),
        )
    )


@dataclass
class _Counts:
    """Aggregated rows for one centre and day, folded into half-days."""

    desks: dict[Period, int] = field(default_factory=lambda: defaultdict(int))
    no_shows: int = 0  # desk bookings only
    confirmed: dict[Period, int] = field(default_factory=lambda: defaultdict(int))
    rooms: int = 0
    waiting: dict[Period, int] = field(default_factory=lambda: defaultdict(int))
    names: dict[Period, list[str]] = field(default_factory=lambda: defaultdict(list))
    named: set[tuple[Period, str]] = field(default_factory=set)  # (half, person) already in


Counts = dict[tuple[str, date], _Counts]


async def _counts(
    repo: SqlRepository,
    centre_ids: Sequence[str],
    first_day: date,
    last_day: date,
    *,
    waiting: tuple[date, date] | None = None,
) -> Counts:
    params = {"centres": list(centre_ids), "first_day": first_day, "last_day": last_day}
    counts: Counts = defaultdict(_Counts)
    for row in await repo._execute(_load_statement(), params):
        slot = counts[(row.centre_id, row.day)]
        if row.kind == ResourceKind.DESK.value and row.period:
            slot.no_shows += int(row.no_shows)
            for half in Period(row.period).halves:
                slot.desks[half] += int(row.booked)
                slot.confirmed[half] += int(row.confirmed)
        elif row.kind == ResourceKind.MEETING_ROOM.value:
            slot.rooms += int(row.booked)
    if waiting is not None:
        wparams = {"centres": list(centre_ids), "first_day": waiting[0], "last_day": waiting[1]}
        for row in await repo._execute(_waiting_statement(), wparams):
            slot = counts[(row.centre_id, row.day)]
            for half in Period(row.period).halves:
                slot.waiting[half] += int(row.entries)
    return counts


async def _add_names(
    repo: SqlRepository, counts: Counts, centre_ids: Sequence[str], days: Iterable[date]
) -> None:
    params = {"centres": list(centre_ids), "days": sorted(set(days))}
    for row in await repo._execute(_names_statement(), params):
        if row.display_name is None:  # no consent: counted, not named
            continue
        found = counts[(row.centre_id, row.day)]
        for half in Period(row.period).halves:
            # Once per person (two desks booked by one), not per name: two Maries are two.
            if (half, row.user_id) not in found.named:
                found.named.add((half, row.user_id))
                found.names[half].append(row.display_name)


def _days(first_day: date, last_day: date) -> Iterable[date]:
    day = first_day
    while day <= last_day:
        yield day
        day += timedelta(days=1)


def _cells(centre: Centre, day: date, counts: Counts) -> list[HalfDayOccupancy]:
    """The open half-days of a date, and any closed one that still holds bookings."""
    booked = counts.get((centre.id, day), _Counts()).desks
    halves = set(centre.open_halves(day)) | {h for h, n in booked.items() if n}
    return [
        HalfDayOccupancy(centre.id, day, half, booked.get(half, 0), len(centre.desks))
        for half in (Period.MORNING, Period.AFTERNOON)
        if half in halves
    ]


def _centres(core: Core, centre_ids: Sequence[str] | None) -> list[Centre]:
    """The centres asked for (all when ``None``); an unknown id raises ``UnknownCentre``."""
    if centre_ids is None:
        return list(core.network)
    return [core.network.centre(centre_id) for centre_id in centre_ids]


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def _trend(centre: Centre, before: date, counts: Counts) -> list[WeekRate]:
    weeks = []
    for k in range(TREND_WEEKS, 0, -1):
        first = week_start(before) - timedelta(weeks=k)
        cells = [
            c for d in _days(first, first + timedelta(days=6)) for c in _cells(centre, d, counts)
        ]
        weeks.append(WeekRate(first, sum(c.booked for c in cells), sum(c.total for c in cells)))
    return weeks


def _open_day(centre: Centre, day: date, step: int) -> date | None:
    for k in range(1, SEARCH_DAYS + 1):
        candidate = day + timedelta(days=step * k)
        if centre.open_halves(candidate):
            return candidate
    return None


# ---------------------------------------------------------------- occupancy


async def occupancy(
    core: Core, centre_ids: Sequence[str] | None, first_day: date, last_day: date
) -> list[HalfDayOccupancy]:
    """Desks booked per centre, day and half-day (open ones), ordered as the centres given.

    For past days this is what was used (released desks are not counted); for future
    days, what is booked so far.
    """
    centres = _centres(core, centre_ids)

    async def body(repo: SqlRepository) -> Counts:
        return await _counts(repo, [c.id for c in centres], first_day, last_day)

    counts = await _run(core, body)
    return [
        cell
        for centre in centres
        for day in _days(first_day, last_day)
        for cell in _cells(centre, day, counts)
    ]


# ---------------------------------------------------------------- digests


def _day_load(centre: Centre, day: date, counts: Counts) -> DayLoad:
    found = counts.get((centre.id, day), _Counts())
    halves = [
        HalfLoad(
            cell.half,
            cell.booked,
            cell.total,
            found.waiting.get(cell.half, 0),
            sorted(found.names.get(cell.half, ()), key=str.casefold),
            found.confirmed.get(cell.half, 0),
        )
        for cell in _cells(centre, day, counts)
    ]
    return DayLoad(day, halves, found.rooms)


async def day_digests(core: Core, centre_ids: Sequence[str] | None, day: date) -> list[DayDigest]:
    """The morning digest of several centres (all when ``None``), in two queries."""
    centres = _centres(core, centre_ids)
    plans = {
        c.id: (_open_day(c, day, 1) or day + timedelta(days=1), _open_day(c, day, -1))
        for c in centres
    }
    last = max(nxt for nxt, _ in plans.values())
    first = week_start(day) - timedelta(weeks=TREND_WEEKS)
    first = min([first, *(prev for _, prev in plans.values() if prev is not None)])

    async def body(repo: SqlRepository) -> Counts:
        ids = [c.id for c in centres]
        counts = await _counts(repo, ids, first, last, waiting=(day, last))
        await _add_names(repo, counts, ids, [day, *(nxt for nxt, _ in plans.values())])
        return counts

    counts = await _run(core, body)
    today = core.now().date()
    digests = []
    for centre in centres:
        nxt, prev = plans[centre.id]
        if prev is not None and prev >= today:
            prev = None  # still under way (a digest for tomorrow): no-shows not known yet
        no_shows = _no_shows(centre, [prev], counts) if prev else None
        digests.append(
            DayDigest(
                centre.id,
                day,
                _day_load(centre, day, counts),
                _day_load(centre, nxt, counts),
                prev,
                no_shows,
                _trend(centre, day, counts),
                today,
            )
        )
    return digests


def _no_shows(centre: Centre, days: Iterable[date], counts: Counts) -> int | None:
    """No-shows over days that are over; ``None`` where arrivals are not signalled."""
    if not centre.tracks_checkin:
        return None
    return sum(counts[(centre.id, d)].no_shows for d in days if (centre.id, d) in counts)


async def day_digest(core: Core, centre_id: str, day: date) -> DayDigest:
    """One centre's morning digest; see :class:`DayDigest`."""
    return (await day_digests(core, [centre_id], day))[0]


async def week_digest(core: Core, centre_ids: Sequence[str] | None, first_day: date) -> WeekDigest:
    """Seven days from ``first_day`` (usually last week's Monday) for each centre."""
    centres = _centres(core, centre_ids)
    last_day = first_day + timedelta(days=6)
    since = week_start(first_day) - timedelta(weeks=TREND_WEEKS)

    async def body(repo: SqlRepository) -> Counts:
        return await _counts(repo, [c.id for c in centres], since, last_day)

    counts = await _run(core, body)
    today = core.now().date()
    weeks = []
    for centre in centres:
        days = list(_days(first_day, last_day))
        found = [counts.get((centre.id, d), _Counts()) for d in days]
        weeks.append(
            CentreWeek(
                centre.id,
                [cell for d in days for cell in _cells(centre, d, counts)],
                _no_shows(centre, [d for d in days if d < today], counts),
                sum(f.rooms for f in found),
                _trend(centre, first_day, counts),
            )
        )
    return WeekDigest(first_day, weeks)


def previous_week(day: date) -> date:
    """The Monday of the week before ``day``'s: what a Monday weekly digest looks back on."""
    return week_start(day) - timedelta(weeks=1)


def recipients(network: Network) -> dict[str, list[str]]:
    """Who gets which centres' digests: managers their centres, coordinators every centre."""
    found: dict[str, list[str]] = defaultdict(list)
    for centre in network:
        for manager in centre.spec.managers:
            found[manager].append(centre.id)
    for coordinator in network.coordinators:
        found[coordinator] = [c.id for c in network]
    return dict(found)


# ---------------------------------------------------------------- impact


def _attended() -> Any:
    """Occupying bookings whose slot had ended at ``(:today, :now_time)``; at the centres
    where arrivals are signalled (``:tracked``), only those with an arrival."""
    return and_(
        _occupying(),
        or_(
            _B.day < bindparam("today"),
            and_(_B.day == bindparam("today"), _B.end_time <= bindparam("now_time")),
        ),
        _B.checked_in_at.is_not(None) | _B.centre_id.notin_(bindparam("tracked", expanding=True)),
    )


@functools.cache
def _in_range() -> list[Any]:
    """The network's centres (an ``IN`` list, which lets ``(centre_id, day)`` serve a
    range of days without a full scan) and the days asked for."""
    return [
        _B.centre_id.in_(bindparam("centres", expanding=True)),
        _B.day >= bindparam("first_day"),
        _B.day <= bindparam("last_day"),
    ]


def _impact_statement(per_centre: bool, filters: frozenset[str]) -> Select[Any]:
    """Person-days in a subquery, then trips and kilometres per month (and centre)."""
    keys = [_B.centre_id] if per_centre else []
    inner = select(
        *keys,
        _B.user_id,
        _B.day,
        func.count().label("bookings"),
        func.max(_B.erased_commute_km).label("erased_km"),
        func.max(_B.erased_centre_km).label("erased_near"),
    )
    inner = inner.where(_attended(), *_in_range())
    if "user_id" in filters:
        inner = inner.where(_B.user_id == bindparam("user_id"))
    days = inner.group_by(*keys, _B.user_id, _B.day).subquery("person_days")
    p = PROFILES.c
    year = extract("year", days.c.day).label("year")
    month = extract("month", days.c.day).label("month")
    groups = [days.c.centre_id] if per_centre else []
    # An erased person's days carry their distances themselves (no profile is left).
    declared = func.coalesce(p.commute_km, days.c.erased_km)
    near_km = case((p.commute_km.is_not(None), p.centre_km), else_=days.c.erased_near)
    near = func.coalesce(near_km, 0.0)
    saved = case((declared > near, declared - near), else_=0.0)  # one way
    near_unknown = case((declared.is_not(None) & near_km.is_(None), 1), else_=None)
    return (
        select(
            *groups,
            year,
            month,
            func.sum(days.c.bookings).label("bookings"),
            func.count(distinct(days.c.user_id)).label("people"),
            func.count().label("trips"),
            func.count(declared).label("trips_km"),
            func.coalesce(func.sum(2 * saved), 0.0).label("km"),
            func.count(near_unknown).label("trips_near_unknown"),
        )
        .select_from(days.outerjoin(PROFILES, p.user_id == days.c.user_id))
        .group_by(*groups, year, month)
        .order_by(*groups, year, month)
    )


def _impact_row(
    factors: ImpactFactors, centre_id: str | None, month: date | None, values: Sequence[Any]
) -> ImpactRow:
    bookings, people, trips, trips_km, km, near_unknown = values
    km = float(km or 0.0)
    return ImpactRow(
        centre_id,
        month,
        int(bookings or 0),
        int(people or 0),
        int(trips or 0),
        int(trips or 0) - int(trips_km or 0),
        km,
        km / factors.average_speed_kmh,
        km * factors.emission_kg_per_km,
        int(near_unknown or 0),
    )


@functools.cache
def _people_statement(filters: frozenset[str]) -> Select[Any]:
    """Distinct people over the whole range, for the total (months would count twice)."""
    query = select(func.count(distinct(_B.user_id))).where(_attended(), *_in_range())
    if "user_id" in filters:
        query = query.where(_B.user_id == bindparam("user_id"))
    return query


async def impact(
    core: Core,
    first_day: date,
    last_day: date,
    centre_id: str | None = None,
    *,
    user_id: str | None = None,
) -> ImpactReport:
    """Trips, kilometres, hours and CO2 the telecentres saved, per centre and month.

    Per trip: km = 2 x max(0, declared one-way commute - declared one-way distance from
    home to the telecentre) (see :class:`ImpactRow`; the home is only a commune name, and
    nothing is looked up on a network, so the person's own figure is used); hours = km /
    average speed; CO2 = km x emission factor, both factors from the network file with
    their sources. ``user_id`` narrows it to one person (their own ``/impact``). Only the
    centres of the network file count: a report names each centre it shows.
    """
    if centre_id is not None:
        core.network.centre(centre_id)
    factors = ImpactFactors.of(core.network.impact)
    now = core.now()
    params: dict[str, Any] = {
        "centres": [centre_id] if centre_id is not None else [c.id for c in core.network],
        "first_day": first_day,
        "last_day": last_day,
        "today": now.date(),
        "now_time": now.time().replace(tzinfo=None),
        "tracked": [c.id for c in core.network if c.tracks_checkin],
    }
    if user_id is not None:
        params["user_id"] = user_id
    filters = frozenset(params) & {"user_id"}

    async def body(repo: SqlRepository) -> tuple[list[Any], list[Any], int]:
        per_centre = list(await repo._execute(_impact_statement(True, filters), params))
        overall = list(await repo._execute(_impact_statement(False, filters), params))
        people = (await repo._execute(_people_statement(filters), params)).scalar_one()
        return per_centre, overall, int(people or 0)

    per_centre, overall, people = await _run(core, body)
    rows = [
        _impact_row(factors, r.centre_id, date(int(r.year), int(r.month), 1), tuple(r)[3:])
        for r in per_centre
    ]
    sums = [sum(tuple(r)[2 + k] or 0 for r in overall) for k in range(6)]
    sums[1] = people
    total = _impact_row(factors, centre_id, None, sums)
    return ImpactReport(first_day, last_day, centre_id, now, factors, rows, total)


# ---------------------------------------------------------------- export


EXPORT_COLUMNS = (
    "id",
    "user",
    "centre",
    "resource",
    "kind",
    "day",
    "period",
    "start",
    "end",
    "people",
    "status",
    "created_at",
    "cancelled_at",
)


@functools.cache
def _export_statement(filtered: bool) -> Select[Any]:
    """One page of bookings after ``:after`` (keyset paging: memory stays flat)."""
    query = select(
        _B.id,
        _B.user_id,
        _B.centre_id,
        _B.resource_id,
        _B.kind,
        _B.day,
        _B.period,
        _B.start_time,
        _B.end_time,
        _B.people,
        _B.status,
        _B.created_at,
        _B.cancelled_at,
    ).where(
        _B.id > bindparam("after"),
        _B.day >= bindparam("first_day"),
        _B.day <= bindparam("last_day"),
    )
    if filtered:
        query = query.where(_B.centre_id == bindparam("centre_id"))
    return query.order_by(_B.id).limit(bindparam("limit"))


def pseudonymiser(salt: bytes | None = None) -> Callable[[str], str]:
    """A user id -> pseudonym map, stable within one export and unlinkable across exports.

    The salt is random and never stored, so nobody (the network included) can recompute
    who a pseudonym is, nor join two exports on it.
    """
    key = salt if salt is not None else secrets.token_bytes(32)

    def pseudonym(user_id: str) -> str:
        digest = hashlib.blake2b(user_id.encode("utf-8"), key=key, digest_size=8)
        return "p-" + digest.hexdigest()

    return pseudonym


async def export_bookings(
    core: Core,
    first_day: date,
    last_day: date,
    write: Callable[[dict[str, Any]], None],
    *,
    with_names: bool = False,
    centre_id: str | None = None,
) -> int:
    """Hand every booking of the range (cancelled ones too) to ``write``; returns how many.

    Without ``with_names`` the user id becomes a pseudonym (see :func:`pseudonymiser`) and
    nothing else personal leaves: no chat channel, no profile. Rows are read in pages of
    ``EXPORT_PAGE`` within one read transaction, so the export is consistent and a year
    of bookings never sits in memory at once.
    """
    if centre_id is not None:
        core.network.centre(centre_id)
    hide = None if with_names else pseudonymiser()
    params: dict[str, Any] = {"first_day": first_day, "last_day": last_day, "limit": EXPORT_PAGE}
    if centre_id is not None:
        params["centre_id"] = centre_id
    statement = _export_statement(centre_id is not None)

    async def body(repo: SqlRepository) -> int:
        written, after = 0, 0
        while True:
            rows = list(await repo._execute(statement, {**params, "after": after}))
            for row in rows:
                values = dict(zip(EXPORT_COLUMNS, row, strict=True))
                values["user"] = hide(row.user_id) if hide else row.user_id
                write(values)
            written += len(rows)
            if len(rows) < EXPORT_PAGE:
                return written
            after = rows[-1].id

    return await _run(core, body)
