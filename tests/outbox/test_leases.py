"""The lease protocol: re-checked before each send, on the fake, SQLite and PostgreSQL.

A batch that outlasts its lease loses the rows it has not reached to another sender,
which sends them once; a notification cancelled while it is leased is never sent, nor
overwritten as sent; a send that hangs is cut off before the lease runs out.
"""

from __future__ import annotations

import asyncio
import collections
from datetime import UTC, date, datetime, timedelta

from booking_core import outbox, services
from booking_core.domain import DeskRequest, NewNotification, Notification
from booking_core.network import Period
from booking_core.services import Core
from bot.scheduler import Scheduler, delivery_key
from handlers.i18n import Catalogs
from tests.conftest import Clock
from tests.outbox.conftest import Backend
from tests.outbox.recording import RecordingTransport

ALICE = "test:alice"
THU = date(2026, 12, 10)
BOOKING = {"id": 1, "date": "2026-12-10", "period": "morning", "centre": "figeac",
           "start": "08:30", "end": "12:30"}  # fmt: skip


def _notices(core: Core, count: int) -> list[NewNotification]:
    now = core.now()
    due = now - timedelta(minutes=1)
    payload = {"booking": BOOKING}
    return [
        NewNotification(f"lease:{n}", "release_notice", f"test:{n}", f"test:{n}", payload, due)
        for n in range(count)
    ]


async def test_a_batch_that_outlasts_its_lease_loses_the_rest_to_another_sender(
    backend: Backend,
) -> None:
    core = backend.core
    await outbox.enqueue(core, _notices(core, 8))
    # Each send takes 0.25 s, the lease is 1 s: the batch of 8 needs 2 s. The second
    # sender claims at 1.3 s, when the rows the first has not reached have run out.
    first, second = RecordingTransport(delay_s=0.25), RecordingTransport(delay_s=0.25)
    a = Scheduler(core, [first], Catalogs(), lease_s=1.0, send_timeout_s=0.5, batch=8)
    b = Scheduler(core, [second], Catalogs(), lease_s=1.0, send_timeout_s=0.5, batch=8)

    async def later() -> None:
        await asyncio.sleep(1.3)
        assert await b.tick() > 0, "the second sender took the expired rest"

    await asyncio.gather(a.tick(), later())
    await asyncio.sleep(1.1)  # what outlasted even the second sender's lease is due again
    while await b.tick():
        continue
    channels = [ch for t in (first, second) for ch, _ in t.sent]
    assert collections.Counter(channels) == collections.Counter(f"test:{n}" for n in range(8))
    assert first.sent
    assert second.sent
    assert a.skipped > 0, "the first sender saw it had lost them and did not send"
    assert {r["status"] for r in await backend.outbox()} == {"sent"}


async def test_a_reminder_cancelled_after_the_claim_is_not_sent(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    booked = await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )

    async def cancel(point: str, note: Notification) -> None:
        if point == "claimed":
            await services.cancel_booking(core, ALICE, booked.bookings[0].id)

    transport = RecordingTransport()
    scheduler = Scheduler(core, [transport], Catalogs(), hook=cancel)
    clock.set("2026-12-09T18:00")
    assert await scheduler.tick() == 1
    assert transport.sent == [], "the cancellation landed before the send"
    statuses = {r["kind"]: r["status"] for r in await backend.outbox()}
    assert statuses == {"reminder_evening": "cancelled", "reminder_morning": "cancelled"}


async def test_a_cancellation_during_the_send_is_not_overwritten_as_sent(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    booked = await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )

    async def cancel(point: str, note: Notification) -> None:
        if point == "sent":  # the network accepted it; the cancellation lands before the mark
            await services.cancel_booking(core, ALICE, booked.bookings[0].id)

    transport = RecordingTransport()
    scheduler = Scheduler(core, [transport], Catalogs(), hook=cancel)
    clock.set("2026-12-09T18:00")
    await scheduler.tick()
    assert len(transport.sent) == 1, "already accepted: the window nobody can close"
    statuses = {r["kind"]: r["status"] for r in await backend.outbox()}
    assert statuses["reminder_evening"] == "cancelled", "the mark did not overwrite it"
    assert scheduler.sent == 0


async def test_a_send_that_hangs_is_cut_off_within_the_lease_and_retried(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    await outbox.enqueue(core, _notices(core, 1))
    transport = RecordingTransport(delay_s=5.0)
    scheduler = Scheduler(core, [transport], Catalogs(), lease_s=1.0, send_timeout_s=0.2)
    began = asyncio.get_running_loop().time()
    await scheduler.tick()
    assert asyncio.get_running_loop().time() - began < 1.0, "never past the lease"
    assert transport.sent == []
    [row] = await backend.outbox()
    assert (row["status"], row["lease_owner"]) == ("pending", None)
    assert row["due_at"] > core.now(), "due again after a pause"
    transport.delay_s = 0.0
    clock.moment += timedelta(minutes=2)
    await scheduler.tick()
    assert len(transport.sent) == 1


async def test_the_transport_gets_a_stable_key_free_of_personal_data(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    await outbox.enqueue(core, _notices(core, 1))
    transport = RecordingTransport(fail_next=1)
    scheduler = Scheduler(core, [transport], Catalogs())
    await scheduler.tick()
    [row] = await backend.outbox()
    clock.moment += timedelta(minutes=2)
    await scheduler.tick()
    [(channel, key)] = transport.keys
    assert channel == "test:0"
    assert key is not None
    assert "test:0" not in key
    assert len(key) == 32
    note = Notification(row["id"], row["key"], "release_notice", "test:0", "test:0", {},
                        datetime.now(UTC), None, None, 1)  # fmt: skip
    assert transport.tried == [key, key], "the same key on every attempt"
    assert key == delivery_key(note, "message", 1)
