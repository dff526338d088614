"""A generated month at every centre: the SQL aggregates agree with a plain Python count.

The oracle below walks every row, the slow and obvious way, with the same definitions
(occupying = not cancelled nor released; attended = occupying and ended by the clock;
one trip per person and day); the reports must find the same figures on both databases.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

import pytest

from booking_core import reports
from booking_core.network import Network, Period, parse_network
from booking_core.services import Core
from booking_core.storage import Storage
from tests.reports.data import Rows

FIRST, LAST = date(2026, 11, 1), date(2026, 12, 11)
NOW = datetime(2026, 12, 3, 10, 0)  # the tests' clock, local time
USERS = [f"telegram:{n}" for n in range(60)]


def generated(network: Network, seed: int = 2026) -> Rows:
    """Every desk, every open half-day, drawn: free, a half, the whole day, or two halves
    by two people; one booking in ten cancelled and one in ten released."""
    rng, rows = random.Random(seed), Rows(network)
    statuses = ["active"] * 8 + ["cancelled", "released"]
    day = FIRST
    while day <= LAST:
        for centre in network:
            halves = centre.open_halves(day)
            for n in range(1, len(centre.desks) + 1) if halves else ():
                draw = rng.random()
                if draw < 0.35:
                    continue
                if draw < 0.6 and len(halves) == 2:
                    picks = [Period.DAY]
                elif draw < 0.7 and len(halves) == 2:
                    picks = [Period.MORNING, Period.AFTERNOON]
                else:
                    picks = [rng.choice(halves)]
                for period in picks:
                    status = rng.choice(statuses)
                    arrived = status == "active" and rng.random() < 0.7
                    rows.desk(rng.choice(USERS), centre.id, day, period, status, n, arrived)
            if halves and centre.rooms and rng.random() < 0.3:
                start = time(rng.choice([9, 10, 14]))
                rows.room(rng.choice(USERS), centre.id, day, start, time(start.hour + 1))
        day += timedelta(days=1)
    for n, user in enumerate(USERS):
        if n % 10 == 9:
            continue  # no profile
        rows.profile(user, None if n % 10 == 8 else round(rng.uniform(0, 60), 1))
    for _ in range(40):
        centre = rng.choice(list(network))
        when = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1))
        status = rng.choice(["waiting", "waiting", "fulfilled"])
        rows.wait(rng.choice(USERS), centre.id, when, rng.choice(list(Period)), status)
    return rows


def occupying(b: dict[str, Any]) -> bool:
    return b["status"] not in ("cancelled", "released")


def oracle_occupancy(rows: Rows) -> dict[tuple[str, date, Period], int]:
    found: dict[tuple[str, date, Period], int] = defaultdict(int)
    for b in rows.bookings:
        if b["kind"] == "desk" and occupying(b):
            for half in Period(b["period"]).halves:
                found[(b["centre_id"], b["day"], half)] += 1
    return found


def oracle_impact(rows: Rows, first: date, last: date) -> dict[tuple[str, date], tuple[Any, ...]]:
    commute = {p["user_id"]: p["commute_km"] for p in rows.profiles}
    bookings: dict[tuple[str, date], int] = defaultdict(int)
    person_days: dict[tuple[str, date], set[tuple[str, date]]] = defaultdict(set)
    for b in rows.bookings:
        ended = b["day"] < NOW.date() or (b["day"] == NOW.date() and b["end_time"] <= NOW.time())
        if occupying(b) and ended and first <= b["day"] <= last:
            key = (b["centre_id"], b["day"].replace(day=1))
            bookings[key] += 1
            person_days[key].add((b["user_id"], b["day"]))
    out = {}
    for key, days in person_days.items():
        known = [commute[u] for u, _ in days if commute.get(u) is not None]
        km = sum(2 * k for k in known)
        out[key] = (bookings[key], len({u for u, _ in days}), len(days), len(days) - len(known), km)
    return out


@pytest.fixture
async def month(db_core: Core, storage: Storage) -> tuple[Core, Rows]:
    rows = generated(db_core.network)
    await rows.insert(storage)
    return db_core, rows


async def test_occupancy_of_a_generated_month(month: tuple[Core, Rows]) -> None:
    core, rows = month
    expected = oracle_occupancy(rows)
    cells = await reports.occupancy(core, None, FIRST, LAST)
    assert cells, "the month has open days"
    for cell in cells:
        assert cell.booked == expected.get((cell.centre_id, cell.day, cell.half), 0), cell
        assert cell.total == len(core.network.centre(cell.centre_id).desks)
    assert sum(c.booked for c in cells) == sum(expected.values())


async def test_impact_of_a_generated_month(month: tuple[Core, Rows]) -> None:
    core, rows = month
    expected = oracle_impact(rows, FIRST, LAST)
    report = await reports.impact(core, FIRST, LAST)
    got = {
        (r.centre_id, r.month): (
            r.attended_bookings, r.people, r.trips, r.trips_unknown_km, pytest.approx(r.km)
        )
        for r in report.rows
    }  # fmt: skip
    assert got == expected
    assert report.total.attended_bookings == sum(v[0] for v in expected.values())
    assert report.total.co2_kg == pytest.approx(report.total.km * 0.2176)


async def test_digests_of_a_generated_month(month: tuple[Core, Rows]) -> None:
    core, rows = month
    occupancy = oracle_occupancy(rows)
    waiting: dict[tuple[str, date, Period], int] = defaultdict(int)
    for w in rows.waitlist:
        if w["status"] == "waiting":
            for half in Period(w["period"]).halves:
                waiting[(w["centre_id"], w["day"], half)] += 1
    # No-shows, where arrivals are signalled: released, or active with no arrival.
    absent: dict[tuple[str, date], int] = defaultdict(int)
    for b in rows.bookings:
        if b["kind"] == "desk" and (
            b["status"] == "released" or (b["status"] == "active" and not b["checked_in_at"])
        ):
            absent[(b["centre_id"], b["day"])] += 1
    text = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    tracked = parse_network(text.replace("managers = []", "managers = []\ncheckin_tracked = true"))
    assert all(c.tracks_checkin for c in tracked)
    untracked = await reports.day_digests(core, None, NOW.date())
    assert all(d.no_shows is None for d in untracked), "not tracked in the sample network"
    core = Core(tracked, core.uow, core.clock)
    for digest in await reports.day_digests(core, None, NOW.date()):
        c = digest.centre_id
        for load in (digest.today, digest.next):
            for part in load.halves:
                assert part.booked == occupancy.get((c, load.day, part.half), 0)
                assert part.waiting == waiting.get((c, load.day, part.half), 0)
        assert digest.previous_day is not None
        assert digest.no_shows == absent.get((c, digest.previous_day), 0)
        for week in digest.trend:
            days = [week.first_day + timedelta(days=k) for k in range(7)]
            centre = core.network.centre(c)
            opened = [(d, h) for d in days for h in centre.open_halves(d)]
            assert week.total == len(opened) * len(centre.desks)
            assert week.booked == sum(occupancy.get((c, d, h), 0) for d, h in opened)
