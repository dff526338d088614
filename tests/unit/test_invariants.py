"""Random sequences of bookings and cancellations never break the core's invariants."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Coroutine
from datetime import date, time, timedelta
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from booking_core import errors, services
from booking_core.domain import Booking, BookingStatus, DeskRequest, RoomRequest
from booking_core.network import Period, ResourceKind, load_network
from booking_core.services import Core
from tests.conftest import Clock
from tests.fakes import FakeStore

NETWORK = load_network()
FIRST = date(2026, 12, 7)
DAYS = st.integers(0, 11).map(lambda n: FIRST + timedelta(days=n))
USERS = st.sampled_from([f"u{n}" for n in range(6)])
CENTRES = st.sampled_from(["cassaniouze", "montmurat", "figeac"])
QUOTA = NETWORK.max_days_per_week or 7
PERIODS = st.sampled_from(list(Period))


class CoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = FakeStore()
        self.clock = Clock("2026-12-04T09:00")
        self.core = Core(NETWORK, self.store.uow, self.clock)

    def run(self, coro: Coroutine[Any, Any, object]) -> object:
        """Run one service call; a refusal is an answer, a lost race is a failure.

        Each call happens a second after the last, so bookings made by one call (several
        desks at once) are the only ones sharing a creation time.
        """
        self.clock.moment += timedelta(seconds=1)
        try:
            return asyncio.run(coro)
        except errors.Busy:
            raise
        except errors.BookingError as exc:
            return exc

    @rule(user=USERS, centre=CENTRES, day=DAYS, period=PERIODS, count=st.integers(1, 3))
    def book(self, user: str, centre: str, day: date, period: Period, count: int) -> None:
        before = dict(self.store.state.bookings)
        result = self.run(
            services.book_desks(self.core, DeskRequest(user, centre, day, period, count))
        )
        if isinstance(result, errors.BookingError):
            assert self.store.state.bookings == before, "a refusal writes nothing"

    @rule(
        user=USERS,
        day=DAYS,
        start=st.integers(16, 34),
        length=st.integers(1, 6),
        people=st.integers(1, 9),
    )
    def room(self, user: str, day: date, start: int, length: int, people: int) -> None:
        begin = time(start // 2, 30 * (start % 2))
        end_slot = min(start + length, 47)
        end = time(end_slot // 2, 30 * (end_slot % 2))
        self.run(
            services.book_room(self.core, RoomRequest(user, "figeac", day, begin, end, people))
        )

    @rule(user=USERS, day=DAYS, period=PERIODS, centre=CENTRES)
    def wait(self, user: str, day: date, period: Period, centre: str) -> None:
        self.run(services.join_waitlist(self.core, DeskRequest(user, centre, day, period)))

    @rule(pick=st.integers(0, 10_000))
    def cancel(self, pick: int) -> None:
        active = [b for b in self.store.state.bookings.values() if b.status is BookingStatus.ACTIVE]
        if active:
            victim = active[pick % len(active)]
            self.run(services.cancel_booking(self.core, victim.user_id, victim.id))

    @invariant()
    def no_slot_held_twice_and_claims_match_bookings(self) -> None:
        held: dict[tuple[date, str, int], int] = {}
        for b in self.store.state.bookings.values():
            if b.status is not BookingStatus.ACTIVE:
                continue
            if b.kind is ResourceKind.DESK:
                assert b.period is not None
                slots = [0 if h is Period.MORNING else 1 for h in b.period.halves]
            else:
                slots = list(
                    range(
                        (b.start.hour * 60 + b.start.minute) // 30,
                        (b.end.hour * 60 + b.end.minute) // 30,
                    )
                )
            for slot in slots:
                key = (b.day, b.resource_id, slot)
                assert key not in held, f"{key} held by {held.get(key)} and {b.id}"
                held[key] = b.id
        assert held == self.store.state.claims

    @invariant()
    def nobody_over_quota_or_in_two_places(self) -> None:
        days: dict[tuple[str, date], set[date]] = defaultdict(set)
        held: dict[tuple[str, date], list[Booking]] = defaultdict(list)
        for b in self.store.state.bookings.values():
            if b.status is not BookingStatus.ACTIVE:
                continue
            held[(b.user_id, b.day)].append(b)
            if b.kind is ResourceKind.DESK:
                monday = b.day - timedelta(days=b.day.weekday())
                days[(b.user_id, monday)].add(b.day)
        assert all(len(d) <= QUOTA for d in days.values())
        for same_day in held.values():
            for a, b in combinations(same_day, 2):
                if a.start < b.end and b.start < a.end:
                    assert a.centre_id == b.centre_id, f"two places at once: {a.id}, {b.id}"
                    # Same kind at once only as one request for several desks.
                    one_request = (a.period, a.created_at) == (b.period, b.created_at)
                    assert a.kind is not b.kind or one_request, f"{a.id}, {b.id} overlap"


CoreMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCoreInvariants = CoreMachine.TestCase
