"""Reminders as people receive them, on the fake and both databases: one message for a
day at a centre, a question left only once the message went out and never over a
dialogue in progress, « Je viens » recorded and seen by the manager."""

from __future__ import annotations

import asyncio
from datetime import date

from booking_core import conversations, outbox, reports, services
from booking_core.domain import DeskRequest
from booking_core.network import Period
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from handlers.messages import IncomingMessage
from handlers.router import Router
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.outbox.conftest import Backend
from tests.outbox.recording import RecordingTransport

ALICE = "test:alice"
THU = date(2026, 12, 10)


async def _book_both_halves(backend: Backend) -> list[int]:
    ids = []
    for period in (Period.MORNING, Period.AFTERNOON):
        done = await services.book_desks(
            backend.core, DeskRequest(ALICE, "figeac", THU, period, channel=ALICE)
        )
        ids += [b.id for b in done.bookings]
    return ids


async def test_a_morning_and_an_afternoon_get_one_reminder(backend: Backend, clock: Clock) -> None:
    await _book_both_halves(backend)
    transport = RecordingTransport()
    scheduler = Scheduler(backend.core, [transport], Catalogs())
    clock.set("2026-12-09T18:00")
    assert await scheduler.tick() == 2, "both rows claimed"
    [(_channel, [reply])] = transport.sent
    assert reply.text == (
        "Rappel : vous avez réservé :\n"
        "• jeudi 10 décembre, matin, à Figeac\n"
        "• jeudi 10 décembre, après-midi, à Figeac"
    )
    assert [c.label for c in reply.choices] == ["Je viens", "Annuler"]
    evening = [r for r in await backend.outbox() if r["kind"] == "reminder_evening"]
    assert [r["status"] for r in evening] == ["sent", "sent"], "both marked by the one message"
    assert await scheduler.tick() == 0


async def test_a_cancelled_half_leaves_the_other_its_own_reminder(
    backend: Backend, clock: Clock
) -> None:
    morning, _ = await _book_both_halves(backend)
    await services.cancel_booking(backend.core, ALICE, morning)
    transport = RecordingTransport()
    clock.set("2026-12-09T18:00")
    await Scheduler(backend.core, [transport], Catalogs()).tick()
    assert transport.texts() == [
        "Rappel : vous avez réservé jeudi 10 décembre, après-midi, à Figeac."
    ]


async def test_a_reminder_whose_leader_is_held_elsewhere_waits_and_goes_with_it(
    backend: Backend, clock: Clock
) -> None:
    await _book_both_halves(backend)
    clock.set("2026-12-09T18:00")
    # Leases run on the database's clock: long enough for the first tick on a busy machine.
    [held] = await outbox.claim(backend.core, "another-sender", limit=1, lease_s=2.0)
    transport = RecordingTransport()
    scheduler = Scheduler(backend.core, [transport], Catalogs())
    assert await scheduler.tick() == 1
    assert transport.sent == [], "the afternoon's waits for the morning's, held elsewhere"
    [waiting] = [
        r
        for r in await backend.outbox()
        if r["id"] != held.id and r["status"] == "pending" and r["kind"] == "reminder_evening"
    ]
    assert waiting["attempts"] == 0, "put off, not counted as a failed attempt"
    await asyncio.sleep(2.1)  # the other sender died: its lease runs out
    await scheduler.tick()
    [(_, [reply])] = transport.sent
    assert "matin" in reply.text
    assert "après-midi" in reply.text
    statuses = [r["status"] for r in await backend.outbox() if r["kind"] == "reminder_evening"]
    assert statuses == ["sent", "sent"]


async def test_the_question_is_left_only_once_the_message_went_out(
    backend: Backend, clock: Clock
) -> None:
    await services.book_desks(
        backend.core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )
    transport = RecordingTransport(fail_next=1)
    scheduler = Scheduler(backend.core, [transport], Catalogs())
    clock.set("2026-12-09T18:00")
    await scheduler.tick()
    state = (await conversations.load(backend.core, ALICE, ALICE)).state
    assert state is None, "a failed send leaves no question behind"
    clock.set("2026-12-09T18:02")
    await scheduler.tick()
    state = (await conversations.load(backend.core, ALICE, ALICE)).state
    assert state is not None
    assert state["awaiting"] == "reminder"
    assert set(state["choices"]) == {"1", "2"}


async def test_a_reminder_does_not_break_a_dialogue_in_progress(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    booked = await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )
    router = Router(core, Catalogs())
    chat = Chat(router, ALICE)
    clock.set("2026-12-09T17:55")
    asked = await chat.say("je voudrais un bureau à Aurillac")
    assert "Quel jour" in asked or "quel jour" in asked.lower()
    before = (await conversations.load(core, ALICE, ALICE)).state
    assert before is not None
    transport = RecordingTransport()
    clock.set("2026-12-09T18:00")
    await Scheduler(core, [transport], Catalogs()).tick()
    [(_, [reply])] = transport.sent
    assert [(c.label, c.value) for c in reply.choices] == [("Je viens", "r1"), ("Annuler", "r2")]
    after = (await conversations.load(core, ALICE, ALICE)).state
    assert after is not None
    assert (after["flow"], after["awaiting"]) == (before["flow"], before["awaiting"])
    assert after["choices"]["r1"] == {"do": "keep", "ids": [booked.bookings[0].id]}
    assert after["reminder_choices"] == {k: after["choices"][k] for k in ("r1", "r2")}
    said = await chat.say("vendredi matin")  # the booking goes on where it was
    assert "Je réserve : vendredi 11 décembre, matin, à Aurillac. C'est bon ?" in said


async def test_a_reminder_button_pressed_beside_a_dialogue_answers_the_reminder(
    backend: Backend, clock: Clock
) -> None:
    core = backend.core
    await services.book_desks(
        core, DeskRequest(ALICE, "figeac", THU, Period.MORNING, channel=ALICE)
    )
    router = Router(core, Catalogs())
    clock.set("2026-12-09T17:55")
    await Chat(router, ALICE).say("je voudrais un bureau à Aurillac")
    clock.set("2026-12-09T18:00")
    await Scheduler(core, [RecordingTransport()], Catalogs()).tick()
    pressed = IncomingMessage(ALICE, ALICE, "Annuler", "press-1", choice="r2")
    replies = await router.handle(pressed)
    assert "J'annule jeudi 10 décembre, matin, à Figeac ?" in replies[0].text


async def test_je_viens_is_recorded_and_the_manager_sees_it(backend: Backend, clock: Clock) -> None:
    core = backend.core
    ids = await _book_both_halves(backend)
    transport = RecordingTransport()
    clock.set("2026-12-09T18:00")
    await Scheduler(core, [transport], Catalogs()).tick()
    state = (await conversations.load(core, ALICE, ALICE)).state
    assert state is not None
    keep = state["choices"]["1"]
    assert keep == {"do": "keep", "ids": ids}, "the button names the bookings it confirms"
    confirmed = await services.confirm_attendance(core, ALICE, keep["ids"])
    assert [b.id for b in confirmed] == ids
    assert all(b.confirmed_at == core.now() for b in confirmed)
    assert await services.confirm_attendance(core, "test:mallory", ids) == [], "not theirs"
    if backend.name == "fake":
        return  # the digest is SQL
    digest = await reports.day_digest(core, "figeac", THU)
    assert [(h.half, h.booked, h.confirmed) for h in digest.today.halves] == [
        (Period.MORNING, 1, 1),
        (Period.AFTERNOON, 1, 1),
    ]
