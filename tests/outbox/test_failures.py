"""One notification that cannot go out never holds up the others, nor is retried forever.

Each test puts the broken notification first (the earliest ``due_at``): before the fix
it aborted the tick, and being first again it starved the batch at every tick.
"""

from __future__ import annotations

import logging
from datetime import date, time, timedelta

import pytest

from booking_core import outbox
from booking_core.domain import NewNotification
from booking_core.services import Core
from bot.scheduler import MAX_ATTEMPTS, Scheduler, backoff_s
from handlers.i18n import Catalogs
from handlers.messages import Reply, Undeliverable
from tests.conftest import Clock
from tests.outbox.conftest import Backend
from tests.outbox.recording import RecordingTransport

THU = date(2026, 12, 10)
SECRET = "mot de passe du coffre"  # words of a message that must never reach the logs


def _booking(centre: str) -> dict[str, object]:
    return {"id": 7, "date": "2026-12-10", "period": "morning", "centre": centre,
            "start": "08:30", "end": "12:30"}  # fmt: skip


def _note(core: Core, key: str, kind: str, channel: str, payload: dict[str, object],
          minutes_ago: int) -> NewNotification:  # fmt: skip
    due = core.now() - timedelta(minutes=minutes_ago)
    return NewNotification(key, kind, channel, channel, payload, due)


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("no_such_kind", {"booking": _booking("figeac")}),  # a kind this version cannot render
        # A digest for a centre removed from the file since it was queued.
        ("digest", {"day": "2026-12-03", "centres": ["paris"], "weekly": False}),
        ("contact_relay", {"from": SECRET}),  # a payload missing its message
    ],
)
async def test_a_notification_that_cannot_be_rendered_is_retried_then_failed(
    backend: Backend,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    payload: dict[str, object],
) -> None:
    core = backend.core
    good: dict[str, object] = {"booking": _booking("figeac")}
    await outbox.enqueue(
        core,
        [_note(core, "bad", kind, "test:bad", payload, 10),
         _note(core, "good", "release_notice", "test:good", good, 1)],
    )  # fmt: skip
    transport = RecordingTransport()
    scheduler = Scheduler(core, [transport], Catalogs())
    caplog.set_level(logging.INFO)
    assert await scheduler.tick() == 2
    assert [channel for channel, _ in transport.sent] == ["test:good"], "not held up"
    for attempt in range(2, MAX_ATTEMPTS + 1):
        clock.moment += timedelta(seconds=backoff_s(attempt - 1))
        assert await scheduler.tick() == 1, f"due again after its pause (attempt {attempt})"
    statuses = {r["key"]: (r["status"], r["attempts"]) for r in await backend.outbox()}
    assert statuses == {"bad": ("failed", MAX_ATTEMPTS), "good": ("sent", 1)}
    clock.moment += timedelta(days=1)
    assert await scheduler.tick() == 0, "given up: never tried again"
    gave_up = [r for r in caplog.records if "gave up notification" in r.getMessage()]
    assert len(gave_up) == 1
    assert kind in gave_up[0].getMessage()
    assert SECRET not in caplog.text


async def test_a_channel_refused_for_good_is_failed_at_once(
    backend: Backend, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    core = backend.core
    good: dict[str, object] = {"booking": _booking("figeac")}
    await outbox.enqueue(
        core,
        [_note(core, "blocked", "contact_relay", "test:blocked",
               {"message": SECRET, "from": "@x"}, 10),
         _note(core, "good", "release_notice", "test:good", good, 1)],
    )  # fmt: skip

    def blocked(channel: str, replies: list[Reply]) -> BaseException | None:
        return (
            Undeliverable(f"bot blocked by the user: {replies[0].text}")
            if "blocked" in channel
            else None
        )

    transport = RecordingTransport(fail_when=blocked)
    scheduler = Scheduler(core, [transport], Catalogs())
    await scheduler.tick()
    statuses = {r["key"]: r["status"] for r in await backend.outbox()}
    assert statuses == {"blocked": "failed", "good": "sent"}
    clock.moment += timedelta(hours=2)
    assert await scheduler.tick() == 0, "not retried hourly forever"
    assert SECRET not in caplog.text, "the error's own text quotes the message: not logged"


async def test_a_passing_network_failure_is_retried_with_growing_pauses(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    await outbox.enqueue(
        core, [_note(core, "n", "release_notice", "test:n", {"booking": _booking("figeac")}, 1)]
    )
    transport = RecordingTransport(fail_next=3)
    scheduler = Scheduler(core, [transport], Catalogs())
    pauses = []
    for _ in range(3):
        await scheduler.tick()
        [row] = await backend.outbox()
        pauses.append(row["due_at"] - core.now())
        clock.moment = row["due_at"]
    assert pauses == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    await scheduler.tick()
    assert len(transport.sent) == 1


async def test_a_release_notice_is_stale_the_next_day(backend: Backend, clock: Clock) -> None:
    from booking_core import services
    from booking_core.domain import DeskRequest
    from booking_core.network import Period
    from tests.outbox.test_scheduler import _with_release

    core = backend.make_core(_with_release(backend.core.network))
    clock.set("2026-12-10T07:00")
    await services.book_desks(
        core, DeskRequest("test:bob", "cassaniouze", THU, Period.MORNING, channel="test:bob")
    )
    clock.set("2026-12-10T09:46")
    assert len(await services.release_no_shows(core)) == 1
    [notice] = [r for r in await backend.outbox() if r["kind"] == "release_notice"]
    assert notice["expires_at"] == core.network.at(THU, time(23, 59))
    clock.set("2026-12-11T08:00")  # the bot was down until the next morning
    transport = RecordingTransport()
    await Scheduler(core, [transport], Catalogs()).tick()
    assert not any(ch == "test:bob" and "libérée" in r[0].text for ch, r in transport.sent)


async def test_notifications_done_are_deleted_after_the_retention_period(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    good: dict[str, object] = {"booking": _booking("figeac")}
    later = core.now() + timedelta(days=90)
    await outbox.enqueue(
        core,
        [_note(core, "sent", "release_notice", "test:a", good, 1),
         NewNotification("later", "release_notice", "test:b", "test:b", good, later)],
    )  # fmt: skip
    scheduler = Scheduler(core, [RecordingTransport()], Catalogs())
    await scheduler.run_once()
    assert {r["key"]: r["status"] for r in await backend.outbox()} == {
        "sent": "sent",
        "later": "pending",
    }
    clock.moment += timedelta(days=29)
    await Scheduler(core, [RecordingTransport()], Catalogs()).run_once()
    assert len(await backend.outbox()) == 2, "kept as long as dialogue states are"
    clock.moment += timedelta(days=2)
    await Scheduler(core, [RecordingTransport()], Catalogs()).run_once()
    [left] = await backend.outbox()
    assert (left["key"], left["status"]) == ("later", "pending"), "pending ones are kept"
