"""Erasure on SQLite and PostgreSQL: one transaction, nothing given back to the person,
nothing left that names them or links their bookings together."""

from __future__ import annotations

from datetime import date

from booking_core import privacy, services
from booking_core.domain import BookingStatus, DeskRequest
from booking_core.network import Period
from booking_core.services import Core

THU = date(2026, 12, 10)


async def test_erasure_never_gives_the_person_a_desk_back(db_core: Core) -> None:
    # Cassaniouze has 3 desks: the leaver holds one all day, two others the afternoon.
    await services.book_desks(db_core, DeskRequest("leaver", "cassaniouze", THU, Period.DAY))
    for user in ("a", "b"):
        await services.book_desks(db_core, DeskRequest(user, "cassaniouze", THU, Period.AFTERNOON))
    # The afternoon is full: the leaver (for a colleague, say) and then "c" wait for it.
    await services.join_waitlist(
        db_core, DeskRequest("leaver", "cassaniouze", THU, Period.AFTERNOON)
    )
    await services.join_waitlist(db_core, DeskRequest("c", "cassaniouze", THU, Period.AFTERNOON))

    assert await privacy.erase_person(db_core, "leaver") == 1
    everyone = await services.list_bookings(db_core, day=THU)
    assert not [b for b in everyone if b.user_id.startswith("erased:")], (
        "the desk the leaver freed went back to the leaver, now a token holding a desk"
    )
    assert [(b.user_id, b.period) for b in everyone if b.user_id == "c"] == [
        ("c", Period.AFTERNOON)
    ]
    past = await services.list_bookings(db_core, day=THU, include_cancelled=True)
    assert [b.status for b in past if b.user_id.startswith("erased:")] == [BookingStatus.CANCELLED]
