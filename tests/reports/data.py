"""Test data written straight into the tables, as history is: the reports only read it.

``Rows`` builds the rows of ``bookings``, ``waitlist`` and ``profiles`` with the values the
booking service would have written (a desk's hours come from its centre), so a test
states a dataset in a few lines and inserts it in one statement per table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert

from booking_core.network import Network, Period
from booking_core.storage import BOOKINGS, PROFILES, WAITLIST, Storage

MADE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass
class Rows:
    network: Network
    bookings: list[dict[str, Any]] = field(default_factory=list)
    waitlist: list[dict[str, Any]] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)

    def desk(
        self,
        user: str,
        centre_id: str,
        day: date,
        period: Period,
        status: str = "active",
        desk: int = 1,
        checked_in: bool = False,
    ) -> None:
        centre = self.network.centre(centre_id)
        start, end = centre.half_bounds(period)
        self.bookings.append(
            {
                "user_id": user,
                "centre_id": centre_id,
                "resource_id": f"{centre_id}/desk-{desk}",
                "kind": "desk",
                "day": day,
                "period": period.value,
                "start_time": start,
                "end_time": end,
                "people": 1,
                "status": status,
                "created_at": MADE,
                "cancelled_at": MADE if status == "cancelled" else None,
                "checked_in_at": self.network.at(day, start) if checked_in else None,
            }
        )

    def room(
        self, user: str, centre_id: str, day: date, start: time, end: time, status: str = "active"
    ) -> None:
        room = self.network.centre(centre_id).rooms[0]
        self.bookings.append(
            {
                "user_id": user,
                "centre_id": centre_id,
                "resource_id": room.id,
                "kind": "meeting_room",
                "day": day,
                "period": None,
                "start_time": start,
                "end_time": end,
                "people": 3,
                "status": status,
                "created_at": MADE,
                "cancelled_at": None,
                "checked_in_at": None,
            }
        )

    def wait(
        self, user: str, centre_id: str, day: date, period: Period, status: str = "waiting"
    ) -> None:
        self.waitlist.append(
            {
                "user_id": user,
                "centre_id": centre_id,
                "day": day,
                "period": period.value,
                "count": 1,
                "status": status,
                "created_at": MADE,
            }
        )

    def profile(self, user: str, commute_km: float | None, centre_km: float | None = None) -> None:
        self.profiles.append(
            {
                "user_id": user,
                "language": "fr",
                "home_commune": None,
                "commute_km": commute_km,
                "usual_centre": None,
                "centre_km": centre_km,
                "created_at": MADE,
                "updated_at": MADE,
            }
        )

    async def insert(self, storage: Storage) -> None:
        async with storage.engine.begin() as conn:
            for table, rows in ((BOOKINGS, self.bookings), (WAITLIST, self.waitlist),
                                (PROFILES, self.profiles)):  # fmt: skip
                if rows:
                    await conn.execute(insert(table), rows)


# ---------------------------------------------------------------- the hand-computed dataset

D = date  # short dates below: D(2026, 11, 2)


def small_dataset(network: Network) -> Rows:
    """A few weeks at Figeac (6 desks) and one booking at Montmurat, read with the clock at
    Thursday 2026-12-03 10:00; the expected figures are worked out in test_reports.py."""
    r = Rows(network)
    m, a, day = Period.MORNING, Period.AFTERNOON, Period.DAY
    # Trend weeks before the week of 2026-11-30.
    r.desk("u1", "figeac", D(2026, 11, 2), m)
    r.desk("u1", "montmurat", D(2026, 11, 2), a)  # a second centre the same day: one trip
    r.desk("u2", "figeac", D(2026, 11, 3), m, desk=1)
    r.desk("u2", "figeac", D(2026, 11, 3), a, desk=2)  # two half-days: one trip
    r.desk("u1", "figeac", D(2026, 11, 10), day, checked_in=True)  # the one arrival signalled
    r.desk("u2", "figeac", D(2026, 11, 12), a, status="released")
    for n, user in enumerate(["u1", "u2", "u9", "u10", "u11", "u12"], 1):
        r.desk(user, "figeac", D(2026, 11, 27), day, desk=n)
    # Wednesday 2 December: the day before the digest.
    r.desk("u1", "figeac", D(2026, 12, 2), day, status="released", desk=1)
    r.desk("u2", "figeac", D(2026, 12, 2), m, desk=2)
    r.desk("u7", "figeac", D(2026, 12, 2), a, status="released", desk=3)
    r.desk("u8", "figeac", D(2026, 12, 2), m, status="cancelled", desk=3)
    # Thursday 3 December, today.
    r.desk("u1", "figeac", D(2026, 12, 3), day, desk=1)
    r.desk("u2", "figeac", D(2026, 12, 3), m, desk=2)
    r.desk("u3", "figeac", D(2026, 12, 3), m, status="cancelled", desk=3)
    r.desk("u4", "figeac", D(2026, 12, 3), a, desk=3)
    r.room("u5", "figeac", D(2026, 12, 3), time(9, 0), time(10, 0))  # ended at 10:00
    # Friday 4 December.
    r.desk("u1", "figeac", D(2026, 12, 4), m, desk=1)
    r.desk("u2", "figeac", D(2026, 12, 4), m, desk=2)
    r.desk("u6", "figeac", D(2026, 12, 4), day, desk=3)
    r.wait("w1", "figeac", D(2026, 12, 4), day)
    r.wait("w2", "figeac", D(2026, 12, 4), m)
    r.wait("w3", "figeac", D(2026, 12, 4), a, status="cancelled")
    # Montmurat opens Wednesday mornings only; a booking that afternoon still shows.
    r.desk("u3", "montmurat", D(2026, 12, 9), a)
    # One-way commute, and distance from home to the telecentre (None: not declared).
    for user, km, near in [("u1", 30, 5), ("u2", 12.5, None), ("u10", None, None),
                           ("u11", 40, 45), ("u12", 20, 2), ("u5", 10, None)]:  # fmt: skip
        r.profile(user, km, near)
    return r
