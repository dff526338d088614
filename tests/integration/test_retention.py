"""Storage limitation: old dialogue states go, long-inactive people are anonymised."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from booking_core import conversations, privacy, services
from booking_core.domain import DeskRequest, Profile
from booking_core.network import Period
from booking_core.services import Core
from booking_core.storage import Storage
from tests.conftest import Clock


async def test_retention(db_core: Core, storage: Storage, clock: Clock) -> None:
    clock.set("2022-12-01T10:00")
    await services.book_desks(
        db_core, DeskRequest("test:old", "figeac", date(2022, 12, 6), Period.MORNING)
    )
    await conversations.save(db_core, "test:old", "test:old", {"v": 1}, Profile("test:old", "fr"))
    clock.set("2026-11-20T10:00")
    await conversations.save(db_core, "test:new", "test:new", {"v": 1}, Profile("test:new", "fr"))
    await services.book_desks(
        db_core, DeskRequest("test:new", "figeac", date(2026, 11, 23), Period.MORNING)
    )
    clock.set("2026-12-03T10:00")
    forgotten, anonymised = await privacy.apply_retention(db_core)
    assert (forgotten, anonymised) == (1, 1)
    async with storage.engine.connect() as conn:
        users = {r[0] for r in await conn.execute(text("SELECT user_id FROM bookings"))}
        states = {r[0] for r in await conn.execute(text("SELECT user_id FROM conversations"))}
        profiles = {r[0] for r in await conn.execute(text("SELECT user_id FROM profiles"))}
    assert "test:old" not in users
    assert "test:new" in users
    assert len(users) == 2, "the old booking stays, anonymous"
    assert states == {"test:new"}
    assert profiles == {"test:new"}
