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


async def _rows(storage: Storage, sql: str) -> list[tuple[object, ...]]:
    async with storage.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def test_every_kind_of_activity_counts(db_core: Core, storage: Storage, clock: Clock) -> None:
    from booking_core import directory

    clock.set("2022-12-01T10:00")
    await directory.create_profile(db_core, "dir-only", "t:d", skills=["python"])
    await services.book_desks(
        db_core, DeskRequest("booked-long-ago", "figeac", date(2022, 12, 6), Period.MORNING)
    )
    await directory.create_profile(db_core, "booked-long-ago", "t:b", skills=["rust"])
    await services.book_desks(
        db_core, DeskRequest("talks", "figeac", date(2022, 12, 6), Period.AFTERNOON)
    )
    clock.set("2026-10-01T10:00")
    await directory.update_profile(db_core, "booked-long-ago", profession="soudeur")
    # Two months ago: forgotten as a dialogue today, but still activity.
    await conversations.save(db_core, "t:talks", "talks", {"v": 1}, None)

    clock.set("2026-12-03T10:00")
    _, anonymised = await privacy.apply_retention(db_core)
    assert anonymised == 1
    left = {r[0] for r in await _rows(storage, "SELECT user_id FROM directory_profiles")}
    assert left == {"booked-long-ago"}, "a directory-only member is anonymised too"
    users = {r[0] for r in await _rows(storage, "SELECT user_id FROM bookings")}
    assert {"booked-long-ago", "talks"} <= users, "a recent profile or dialogue counts"


async def test_relayed_words_and_past_waitlist_entries_expire(
    db_core: Core, storage: Storage, clock: Clock
) -> None:
    from booking_core import directory, outbox
    from booking_core.domain import NotificationStatus

    for user in ("a", "b"):
        await directory.create_profile(
            db_core, user, f"t:{user}", skills=["python"], publish=["skills"]
        )
    b = await directory.get_profile(db_core, "b")
    assert b is not None
    await directory.request_contact(db_core, "a", b.id, "OLD-WORDS")
    [relay] = await outbox.claim(db_core, "sender")
    await outbox.finish(db_core, relay, "sender", NotificationStatus.SENT)
    await services.book_desks(
        db_core, DeskRequest("x", "cassaniouze", date(2026, 12, 4), Period.MORNING, 3)
    )
    await services.book_desks(
        db_core, DeskRequest("x", "cassaniouze", date(2026, 12, 10), Period.MORNING, 3)
    )
    for day in (date(2026, 12, 4), date(2026, 12, 10)):
        await services.join_waitlist(db_core, DeskRequest("w", "cassaniouze", day, Period.MORNING))
    clock.set("2027-01-08T10:00")  # 36 days later
    await directory.request_contact(db_core, "b", (await _profile(db_core, "a")), "NEW-WORDS")

    await privacy.apply_retention(db_core)
    contacts = await _rows(storage, "SELECT message, from_handle FROM directory_contacts")
    assert sorted(contacts, key=str) == sorted([("", None), ("NEW-WORDS", None)], key=str)
    dump = repr(await _rows(storage, "SELECT payload FROM outbox"))
    assert "OLD-WORDS" not in dump, "the sent relay's payload goes too"
    assert "NEW-WORDS" in dump, "a relay not yet sent, within the period, stays"
    assert await _rows(storage, "SELECT day FROM waitlist") == [], "both days are past"


async def _profile(core: Core, user: str) -> int:
    from booking_core import directory

    own = await directory.get_profile(core, user)
    assert own is not None
    return own.id
