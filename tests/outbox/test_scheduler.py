"""Reminders and notices through the scheduler, with a moving clock and a recording transport,
on the in-memory fake and on the SQL outbox of SQLite and PostgreSQL (``backend``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from booking_core import errors, services
from booking_core.domain import BookingStatus, DeskRequest
from booking_core.network import Network, Period, parse_network
from booking_core.services import Core
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from handlers.router import Router
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.outbox.conftest import Backend
from tests.outbox.recording import RecordingTransport

ALICE = "test:alice"
THU = date(2026, 12, 10)


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def core(backend: Backend) -> Core:
    return backend.core


@pytest.fixture
def scheduler(core: Core, transport: RecordingTransport) -> Scheduler:
    return Scheduler(core, [transport], Catalogs())


async def test_a_booking_queues_its_two_reminders(core: Core, backend: Backend) -> None:
    await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )
    assert await backend.summary() == [
        ("reminder_evening", "pending", datetime(2026, 12, 9, 17, 0, tzinfo=UTC)),
        ("reminder_morning", "pending", datetime(2026, 12, 10, 7, 0, tzinfo=UTC)),
    ]


async def test_the_evening_reminder_is_sent_then_answered_by_its_buttons(
    core: Core,
    backend: Backend,
    clock: Clock,
    scheduler: Scheduler,
    transport: RecordingTransport,
) -> None:
    router = Router(core, scheduler.catalogs)
    chat = Chat(router, ALICE)
    await chat.say("un bureau à Figeac jeudi matin")
    await chat.say("oui")
    clock.set("2026-12-09T17:59")
    assert await scheduler.tick() == 0, "not due yet"
    clock.set("2026-12-09T18:00")
    assert await scheduler.tick() == 1
    [(channel, replies)] = transport.sent
    assert channel == ALICE
    assert "Rappel : vous avez réservé jeudi 10 décembre, matin, à Figeac." in replies[0].text
    assert [c.label for c in replies[0].choices] == ["Je viens", "Annuler"]
    assert await scheduler.tick() == 0, "sent once"
    said = await chat.say("2")
    assert "J'annule jeudi 10 décembre, matin, à Figeac ?" in said
    await chat.say("oui")
    clock.set("2026-12-10T08:00")
    assert await scheduler.tick() == 0, "the cancelled booking's morning reminder is not sent"
    assert ("reminder_morning", "cancelled") in {(k, s) for k, s, _ in await backend.summary()}


async def test_after_downtime_late_reminders_are_sent_and_past_ones_dropped(
    core: Core, clock: Clock, scheduler: Scheduler, transport: RecordingTransport
) -> None:
    await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.AFTERNOON, channel=ALICE)
    )
    await services.book_desks(
        core, DeskRequest(ALICE, "figeac", date(2026, 12, 11), Period.MORNING, channel=ALICE)
    )
    clock.set(
        "2026-12-10T14:00"
    )  # Thursday's afternoon has begun; Friday's evening reminder is not due
    await scheduler.tick()
    assert scheduler.dropped == 2, "Thursday's two reminders came too late"
    assert transport.sent == []
    clock.set("2026-12-11T08:10")  # down all evening; Friday's slot starts at 08:30
    await scheduler.tick()
    assert scheduler.sent == 2, "the evening one late, and the morning one"


async def test_a_failed_send_is_retried_not_lost(
    core: Core, clock: Clock, scheduler: Scheduler, transport: RecordingTransport
) -> None:
    await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )
    clock.set("2026-12-09T18:00")
    transport.fail_next = 1
    await scheduler.tick()
    assert transport.sent == []
    assert await scheduler.tick() == 0, "backing off"
    clock.set("2026-12-09T18:02")  # the first retry waits a minute
    await scheduler.tick()
    assert len(transport.sent) == 1


@pytest.mark.parametrize(
    ("now", "day", "evening_utc", "morning_utc"),
    [
        # Summer time starts on Sunday 28 March 2027 (29 March is Easter Monday).
        ("2027-03-20T10:00", date(2027, 3, 30), "2027-03-29T16:00", "2027-03-30T06:00"),
        ("2027-03-20T10:00", date(2027, 3, 26), "2027-03-25T17:00", "2027-03-26T07:00"),
        # Winter time returns on Sunday 31 October 2027 (1 November is a holiday).
        ("2027-10-20T10:00", date(2027, 10, 29), "2027-10-28T16:00", "2027-10-29T06:00"),
        ("2027-10-20T10:00", date(2027, 11, 2), "2027-11-01T17:00", "2027-11-02T07:00"),
    ],
)
async def test_reminders_keep_their_local_hour_across_dst(
    core: Core,
    backend: Backend,
    clock: Clock,
    now: str,
    day: date,
    evening_utc: str,
    morning_utc: str,
) -> None:
    clock.set(now)
    await services.book_desks(
        core, DeskRequest(ALICE, "aurillac", day, Period.MORNING, channel=ALICE)
    )
    due = sorted(r["due_at"] for r in await backend.outbox())
    assert due == [
        datetime.fromisoformat(evening_utc).replace(tzinfo=UTC),
        datetime.fromisoformat(morning_utc).replace(tzinfo=UTC),
    ]


async def test_the_first_person_waiting_is_told(
    core: Core, scheduler: Scheduler, transport: RecordingTransport
) -> None:
    held = await services.book_desks(
        core, DeskRequest("test:bob", "cassaniouze", THU, Period.MORNING, 3)
    )
    with pytest.raises(errors.Full):
        await services.book_desks(core, DeskRequest(ALICE, "cassaniouze", THU, Period.MORNING))
    await services.join_waitlist(
        core, DeskRequest(ALICE, "cassaniouze", THU, Period.MORNING, channel=ALICE)
    )
    await services.cancel_booking(core, "test:bob", held.bookings[0].id)
    await scheduler.tick()
    [text] = transport.texts(ALICE)
    assert "une place s'est libérée et elle est à vous" in text
    assert "jeudi 10 décembre, matin, à Cassaniouze" in text


def _with_release(network: Network) -> Network:
    from importlib import resources

    text = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    text = text.replace("desks = 3\n", "desks = 3\ncheckin_release_minutes = 45\n", 1)
    return parse_network(text)


async def test_no_check_in_releases_the_desk_to_the_waitlist(
    backend: Backend, clock: Clock, transport: RecordingTransport, network: Network
) -> None:
    core = backend.make_core(_with_release(network))
    scheduler = Scheduler(core, [transport], Catalogs(), release_every_s=0)
    router = Router(core, scheduler.catalogs)
    clock.set("2026-12-10T07:00")
    for user in ("test:bob", "test:carol"):
        await services.book_desks(
            core, DeskRequest(user, "cassaniouze", THU, Period.MORNING, channel=user)
        )
    await services.book_desks(
        core, DeskRequest(ALICE, "cassaniouze", THU, Period.MORNING, channel=ALICE)
    )
    await services.join_waitlist(
        core, DeskRequest("test:dan", "cassaniouze", THU, Period.MORNING, channel="test:dan")
    )
    clock.set("2026-12-10T09:05")
    said = await Chat(router, "test:carol").say("je suis arrivée")
    assert "Arrivée enregistrée" in said
    clock.set("2026-12-10T09:46")  # 09:00 + 45 minutes: Bob and Alice did not come
    await scheduler.run_once()
    found = await services.list_bookings(core, day=THU, include_cancelled=True)
    statuses = {b.user_id: b.status for b in found}
    assert statuses["test:carol"] is BookingStatus.ACTIVE
    assert statuses["test:bob"] is BookingStatus.RELEASED
    assert statuses[ALICE] is BookingStatus.RELEASED
    assert any("libérée pour d'autres" in t for t in transport.texts(ALICE))
    assert any("elle est à vous" in t for t in transport.texts("test:dan"))


@pytest.mark.parametrize(
    ("monday", "sunday_evening_utc"),
    [
        # Summer time begins on Sunday 29 March 2026 at 02:00: 18:00 is 16:00 UTC.
        (date(2026, 3, 30), datetime(2026, 3, 29, 16, 0, tzinfo=UTC)),
        # Winter time returns on Sunday 25 October 2026 at 03:00: 18:00 is 17:00 UTC.
        (date(2026, 10, 26), datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
    ],
)
async def test_a_reminder_on_the_dst_sunday_itself_goes_at_its_local_hour(
    core: Core,
    backend: Backend,
    clock: Clock,
    scheduler: Scheduler,
    transport: RecordingTransport,
    monday: date,
    sunday_evening_utc: datetime,
) -> None:
    clock.set(f"{monday - timedelta(days=10)}T10:00")
    await services.book_desks(
        core, DeskRequest(ALICE, "aurillac", monday, Period.MORNING, channel=ALICE)
    )
    [evening] = [r for r in await backend.outbox() if r["kind"] == "reminder_evening"]
    assert evening["due_at"] == sunday_evening_utc
    sunday = monday - timedelta(days=1)
    clock.set(f"{sunday}T17:59")
    assert await scheduler.tick() == 0, "17:59 local on the change day: not yet"
    clock.set(f"{sunday}T18:00")
    assert await scheduler.tick() == 1
    assert transport.texts() == [
        f"Rappel : vous avez réservé lundi {monday.day} "
        f"{'mars' if monday.month == 3 else 'octobre'}, matin, à Aurillac."
    ]
