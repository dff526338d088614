"""Occupancy, digests and impact on SQLite and PostgreSQL, against figures worked out by hand.

The dataset is :func:`tests.reports.data.small_dataset`; the clock stands at Thursday
2026-12-03 10:00 (Europe/Paris). Figeac has 6 desks open Monday to Friday, morning and
afternoon; Montmurat 4 desks, Wednesday mornings only on Wednesdays; 11 November is a
public holiday.
"""

from __future__ import annotations

from datetime import date

import pytest

from booking_core import directory, errors, reports
from booking_core.network import Network, Period
from booking_core.reports import HalfDayOccupancy, WeekRate
from booking_core.services import Core
from booking_core.storage import Storage
from tests.conftest import Clock
from tests.reports.data import D, Rows, small_dataset

M, A = Period.MORNING, Period.AFTERNOON


@pytest.fixture
async def small(db_core: Core, storage: Storage) -> Core:
    await small_dataset(db_core.network).insert(storage)
    return db_core


@pytest.fixture
def small_tracked(small: Core, figeac_tracked: Network) -> Core:
    """The same data read with arrivals signalled at Figeac: no-shows are counted there."""
    return Core(figeac_tracked, small.uow, small.clock)


async def test_occupancy_per_half_day(small: Core) -> None:
    cells = await reports.occupancy(small, ["figeac"], D(2026, 12, 2), D(2026, 12, 4))
    # 2 Dec: u2's morning only (two released, one cancelled). 3 Dec: u1's whole day counts
    # in both halves, u3 cancelled. 4 Dec: two mornings and u6's whole day.
    assert [(c.day.day, c.half, c.booked, c.total) for c in cells] == [
        (2, M, 1, 6), (2, A, 0, 6), (3, M, 2, 6), (3, A, 2, 6), (4, M, 3, 6), (4, A, 1, 6),
    ]  # fmt: skip
    assert cells[4].free == 3
    assert cells[4].rate == pytest.approx(0.5)


async def test_occupancy_skips_closed_days_but_shows_bookings_held_on_them(small: Core) -> None:
    cells = await reports.occupancy(small, ["montmurat"], D(2026, 12, 5), D(2026, 12, 9))
    # Saturday and Sunday closed; Wednesday opens mornings only, yet one afternoon is held.
    assert [(c.day.day, c.half, c.booked) for c in cells] == [
        (7, M, 0), (7, A, 0), (8, M, 0), (8, A, 0), (9, M, 0), (9, A, 1),
    ]  # fmt: skip
    assert HalfDayOccupancy("x", date(2026, 1, 1), M, 0, 0).rate is None


async def test_day_digest_of_a_thursday(small: Core) -> None:
    digest = await reports.day_digest(small, "figeac", D(2026, 12, 3))
    today = [(h.half, h.booked, h.total, h.free, h.waiting) for h in digest.today.halves]
    assert today == [(M, 2, 6, 4, 0), (A, 2, 6, 4, 0)]
    assert digest.today.room_bookings == 1
    assert digest.today.rate == pytest.approx(4 / 12)
    assert digest.next.day == D(2026, 12, 4)
    tomorrow = [(h.half, h.booked, h.free, h.waiting) for h in digest.next.halves]
    # Waiting: w1 for the whole day (both halves), w2 the morning; w3 left the list.
    assert tomorrow == [(M, 3, 3, 2), (A, 1, 5, 1)]
    assert digest.next.waiting == 2
    assert (digest.previous_day, digest.no_shows) == (D(2026, 12, 2), None), "not tracked"
    assert digest.as_of == D(2026, 12, 3)
    assert all(h.names == [] for h in [*digest.today.halves, *digest.next.halves]), "no consent"
    # Weeks before the week of 30 Nov: 3 of 60; 2 of 48 (11 Nov is a holiday, the
    # released afternoon does not count); none of 60; the full Friday, 12 of 60.
    assert digest.trend == [
        WeekRate(D(2026, 11, 2), 3, 60),
        WeekRate(D(2026, 11, 9), 2, 48),
        WeekRate(D(2026, 11, 16), 0, 60),
        WeekRate(D(2026, 11, 23), 12, 60),
    ]


async def test_the_digest_names_only_those_who_agreed_to_be_seen(small: Core) -> None:
    # u1 agreed (presence and a published name); u6 agreed to presence but not to the
    # name; u2 published a name but not presence; u3 agreed but cancelled; u4 has none.
    both = ["presence", "display_name"]
    await directory.create_profile(small, "u1", None, display_name="Zoé", publish=both)
    await directory.create_profile(small, "u6", None, display_name="Ugo", publish=["presence"])
    await directory.create_profile(small, "u2", None, display_name="Bob", publish=["display_name"])
    await directory.create_profile(small, "u3", None, display_name="Cid", publish=both)
    digest = await reports.day_digest(small, "figeac", D(2026, 12, 3))
    # Thursday: u1's whole day is named in both halves, the others only counted.
    assert [(h.half, h.booked, h.names) for h in digest.today.halves] == [
        (M, 2, ["Zoé"]), (A, 2, ["Zoé"]),
    ]  # fmt: skip
    assert [(h.half, h.names) for h in digest.next.halves] == [(M, ["Zoé"]), (A, [])]
    await directory.set_consent(small, "u6", "display_name", True)
    await directory.set_consent(small, "u1", "presence", False)  # withdrawn: counted only
    friday = await reports.day_digest(small, "figeac", D(2026, 12, 4))
    assert [(h.half, h.booked, h.names) for h in friday.today.halves] == [
        (M, 3, ["Ugo"]), (A, 1, ["Ugo"]),
    ]  # fmt: skip


async def test_no_shows_where_arrivals_are_signalled(small_tracked: Core) -> None:
    digest = await reports.day_digest(small_tracked, "figeac", D(2026, 12, 3))
    # Wednesday 2 December: u1's day and u7's afternoon were released, u2's morning is
    # still active with no arrival; u8's was cancelled (not a no-show).
    assert (digest.previous_day, digest.no_shows) == (D(2026, 12, 2), 3)
    montmurat = await reports.day_digest(small_tracked, "montmurat", D(2026, 12, 3))
    assert montmurat.no_shows is None, "arrivals are not signalled at Montmurat"


async def test_a_digest_for_tomorrow_has_no_no_shows_of_today(small_tracked: Core) -> None:
    # "Qui vient demain ?" asked on Thursday at 10:00: Thursday is not over.
    friday = await reports.day_digests(small_tracked, ["figeac"], D(2026, 12, 4))
    assert (friday[0].day, friday[0].as_of) == (D(2026, 12, 4), D(2026, 12, 3))
    assert friday[0].next.day == D(2026, 12, 7)
    assert (friday[0].previous_day, friday[0].no_shows) == (None, None)


async def test_two_people_with_the_same_name_are_both_named_one_person_once(
    small: Core, storage: Storage
) -> None:
    both = ["presence", "display_name"]
    for user in ("u1", "u2", "u6"):
        await directory.create_profile(small, user, None, display_name="Marie", publish=both)
    extra = Rows(small.network)
    extra.desk("u6", "figeac", D(2026, 12, 4), Period.MORNING, desk=4)  # u6's second desk
    await extra.insert(storage)
    friday = await reports.day_digest(small, "figeac", D(2026, 12, 4))
    # Friday morning: u1, u2 and u6 (two desks, one person); afternoon: u6's whole day.
    assert [(h.half, h.booked, h.names) for h in friday.today.halves] == [
        (M, 4, ["Marie", "Marie", "Marie"]),
        (A, 1, ["Marie"]),
    ]


async def test_friday_digest_shows_monday_and_monday_digest_friday_no_shows(
    small_tracked: Core, clock: Clock
) -> None:
    clock.set("2026-12-07T07:30")
    monday = await reports.day_digest(small_tracked, "figeac", D(2026, 12, 7))
    # Friday 4 December: u1 and u2 (mornings) and u6 (the day), none signalled arriving.
    assert (monday.previous_day, monday.no_shows) == (D(2026, 12, 4), 3)
    closed = await reports.day_digest(small_tracked, "figeac", D(2026, 12, 23))
    # Closed from 24 Dec to 1 Jan: the next opening is Monday 4 January.
    assert closed.next.day == D(2027, 1, 4)
    saturday = await reports.day_digest(small_tracked, "figeac", D(2026, 12, 5))
    assert not saturday.today.is_open
    assert saturday.today.rate is None


async def test_several_centres_in_one_call(small: Core) -> None:
    digests = await reports.day_digests(small, None, D(2026, 12, 3))
    assert [d.centre_id for d in digests] == [c.id for c in small.network]
    montmurat = next(d for d in digests if d.centre_id == "montmurat")
    # Montmurat: 4 desks x (Mon 2 + Tue 2 + Wed 1 + Thu 2 + Fri 2) = 36 half-days a week.
    assert [(w.booked, w.total) for w in montmurat.trend] == [(1, 36), (0, 32), (0, 36), (0, 36)]
    with pytest.raises(errors.UnknownCentre):
        await reports.day_digests(small, ["paris"], D(2026, 12, 3))


async def test_week_digest(small: Core) -> None:
    week = await reports.week_digest(small, ["figeac", "montmurat"], D(2026, 11, 23))
    figeac, montmurat = week.centres
    assert (figeac.booked, figeac.total, figeac.no_shows) == (12, 60, None)
    assert figeac.rate == pytest.approx(0.2)
    assert len(figeac.cells) == 10  # five days, two halves
    assert (montmurat.booked, montmurat.total) == (0, 36)
    assert week.last_day == D(2026, 11, 29)
    assert [w.first_day for w in figeac.trend] == [D(2026, 10, 26), D(2026, 11, 2),
                                                   D(2026, 11, 9), D(2026, 11, 16)]  # fmt: skip
    earlier = await reports.week_digest(small, ["figeac"], D(2026, 11, 9))
    assert (earlier.centres[0].booked, earlier.centres[0].no_shows) == (2, None)
    assert reports.previous_week(D(2026, 12, 3)) == D(2026, 11, 23)


async def test_week_digest_no_shows_where_arrivals_are_signalled(small_tracked: Core) -> None:
    week = await reports.week_digest(small_tracked, ["figeac"], D(2026, 11, 23))
    assert week.centres[0].no_shows == 6, "the six whole days of Friday 27, none signalled"
    earlier = await reports.week_digest(small_tracked, ["figeac"], D(2026, 11, 9))
    # u1 signalled arriving on 10 November; u2's afternoon of 12 November was released.
    assert earlier.centres[0].no_shows == 1
    this = await reports.week_digest(small_tracked, ["figeac"], D(2026, 11, 30))
    # Only the days over by Thursday 3 December 10:00 count: Wednesday's three.
    assert this.centres[0].no_shows == 3


async def test_impact_where_arrivals_are_signalled_counts_only_arrivals(
    small_tracked: Core,
) -> None:
    report = await reports.impact(small_tracked, D(2026, 11, 1), D(2026, 12, 31))
    rows = {(r.centre_id, r.month): r for r in report.rows}
    # At Figeac only u1's day of 10 November had an arrival: 2 x (30 - 5) km.
    nov = rows[("figeac", D(2026, 11, 1))]
    assert (nov.attended_bookings, nov.trips, nov.km) == (1, 1, 50.0)
    assert ("figeac", D(2026, 12, 1)) not in rows
    assert rows[("montmurat", D(2026, 11, 1))].trips == 1, "Montmurat does not track"


async def test_impact_by_hand(small: Core) -> None:
    report = await reports.impact(small, D(2026, 11, 1), D(2026, 12, 31))
    rows = {(r.centre_id, r.month): r for r in report.rows}
    nov = rows[("figeac", D(2026, 11, 1))]
    # Attended in November at Figeac: u1 on 2, 10, 27 Nov; u2 on 3 Nov (two half-days,
    # one trip) and 27 Nov; u9, u10, u11, u12 on 27 Nov. The 12 Nov one was released.
    assert (nov.attended_bookings, nov.people, nov.trips, nov.trips_unknown_km) == (10, 6, 9, 2)
    # Per trip, 2 x max(0, commute - distance home to telecentre): u1 2 x (30 - 5) = 50,
    # 3 trips; u2 2 x (12.5 - 0) = 25 (distance not declared), 2 trips; u11 lives 45 km
    # from the telecentre and 40 from work: 0; u12 2 x (20 - 2) = 36; u9 has no profile
    # and u10 declared no commute.
    assert nov.km == pytest.approx(150 + 50 + 0 + 36)
    assert nov.trips_centre_km_unknown == 2, "u2's two trips"
    assert nov.hours == pytest.approx(236 / 60)
    assert nov.co2_kg == pytest.approx(236 * 0.2176)
    dec = rows[("figeac", D(2026, 12, 1))]
    # u2's morning of 2 Dec, and u5's room that ended at 10:00 on 3 Dec (2 x 10), as the
    # clock strikes; the desks of 3 Dec have not ended yet, 4 Dec is to come.
    assert (dec.attended_bookings, dec.trips, dec.trips_centre_km_unknown) == (2, 2, 2)
    assert dec.km == pytest.approx(25 + 20)
    mont = rows[("montmurat", D(2026, 11, 1))]
    assert (mont.trips, mont.km) == (1, 50.0)
    assert len(rows) == 3
    total = report.total
    # u1 went to Figeac and Montmurat on 2 Nov: one trip for the network, not two.
    assert (total.attended_bookings, total.people, total.trips) == (13, 7, 11)
    assert (total.trips_unknown_km, total.trips_with_km, total.trips_centre_km_unknown) == (
        2,
        9,
        4,
    )
    assert total.km == pytest.approx(281)
    assert report.factors.emission_kg_per_km == pytest.approx(0.192 + 0.0256)
    assert "Impact CO2 (ADEME)" in report.factors.emission_source


async def test_impact_of_one_centre_and_of_one_person(small: Core) -> None:
    figeac = await reports.impact(small, D(2026, 11, 1), D(2026, 12, 31), "figeac")
    assert {r.centre_id for r in figeac.rows} == {"figeac"}
    assert (figeac.total.trips, figeac.total.km) == (11, 281.0)
    mine = await reports.impact(small, D(2026, 1, 1), D(2026, 12, 31), user_id="u1")
    assert (mine.total.trips, mine.total.km) == (3, 150.0)  # sums of halves: exact
    later = await reports.impact(small, D(2027, 1, 1), D(2027, 1, 31))
    assert (later.rows, later.total.trips, later.total.km) == ([], 0, 0.0)


async def test_export_pseudonymises_people(small: Core) -> None:
    first: list[dict[str, object]] = []
    count = await reports.export_bookings(small, D(2026, 11, 1), D(2026, 12, 31), first.append)
    assert count == len(first) == len(small_dataset(small.network).bookings)
    users = {str(row["user"]) for row in first}
    assert all(user.startswith("p-") for user in users)
    people = {b["user_id"] for b in small_dataset(small.network).bookings}
    assert len(users) == len(people) == 12  # one pseudonym each, stable within the export
    second: list[dict[str, object]] = []
    await reports.export_bookings(small, D(2026, 11, 1), D(2026, 12, 31), second.append)
    assert users.isdisjoint(str(row["user"]) for row in second), "a fresh salt per export"
    named: list[dict[str, object]] = []
    await reports.export_bookings(
        small, D(2026, 12, 3), D(2026, 12, 3), named.append, with_names=True, centre_id="figeac"
    )
    assert [row["user"] for row in named] == ["u1", "u2", "u3", "u4", "u5"]


async def test_export_pages_through_large_ranges(
    small: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "EXPORT_PAGE", 4)
    rows: list[dict[str, object]] = []
    count = await reports.export_bookings(small, D(2026, 1, 1), D(2026, 12, 31), rows.append)
    assert count == len({row["id"] for row in rows}) == len(small_dataset(small.network).bookings)


def test_recipients(network_with_managers: object) -> None:
    from booking_core.network import Network

    assert isinstance(network_with_managers, Network)
    got = reports.recipients(network_with_managers)
    assert got["telegram:10"] == ["figeac"]
    assert got["matrix:@coord:example.org"] == [c.id for c in network_with_managers]


async def test_reports_need_a_sql_storage(core: Core) -> None:
    with pytest.raises(TypeError, match="SQL storage"):
        await reports.occupancy(core, ["figeac"], D(2026, 12, 1), D(2026, 12, 1))
