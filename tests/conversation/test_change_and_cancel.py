"""Changing and cancelling by talking: which booking, what it becomes, what the calendar gets.

The clock is frozen on Thursday 3 December 2026, 10:00 (Europe/Paris).
"""

from __future__ import annotations

from datetime import date

from tests.conversation.conftest import Chat, active, book
from tests.fakes import FakeStore


async def test_a_change_is_not_counted_against_the_weekly_quota(
    chat: Chat, store: FakeStore
) -> None:
    for day in ("lundi", "mardi", "mercredi"):
        await book(chat, f"bureau à Aurillac {day} matin")
    said = await chat.say("déplacer ma réservation de mercredi à jeudi")
    assert "Je déplace votre réservation du mercredi 9 décembre, matin, à Aurillac" in said
    assert "au jeudi 10 décembre, matin, à Aurillac. C'est bon ?" in said
    said = await chat.say("oui")
    assert "est déplacée au jeudi 10 décembre, matin, à Aurillac" in said
    assert active(store) == [
        ("aurillac", date(2026, 12, 7), "morning"),
        ("aurillac", date(2026, 12, 8), "morning"),
        ("aurillac", date(2026, 12, 10), "morning"),
    ]


async def test_an_alternative_chosen_while_changing_moves_the_booking(
    chat: Chat, store: FakeStore
) -> None:
    await book(chat, "bureau à Cassaniouze jeudi matin")
    bob = Chat(chat.router, "test:bob")
    await book(bob, "3 bureaux à Cassaniouze lundi matin")
    said = await chat.say("modifier ma réservation")
    assert "Pour quel nouveau jour ?" in said
    said = await chat.say("lundi")
    assert "Il n'y a plus de bureau libre à Cassaniouze le lundi 7 décembre, matin." in said
    assert "jeudi 10 décembre, matin, à Cassaniouze" not in said, "not its own slot"
    assert "liste d'attente" not in said
    said = await chat.pick("Montmurat")
    assert "est déplacée au lundi 7 décembre, matin, à Montmurat" in said
    assert active(store) == [("montmurat", date(2026, 12, 7), "morning")]


async def test_a_change_sends_the_old_events_cancellation_and_the_new_event(
    chat: Chat,
) -> None:
    await book(chat, "bureau à Figeac jeudi matin")
    await chat.say("déplacer ma réservation de jeudi à vendredi")
    await chat.say("oui")
    files = [f.filename for reply in chat.last for f in reply.files]
    assert len(files) == 2
    assert files[0].startswith("annulation-")
    cancel = next(f for reply in chat.last for f in reply.files if f.filename == files[0])
    assert b"METHOD:CANCEL" in cancel.data


async def test_which_booking_to_change_may_be_named_by_its_day(
    chat: Chat, store: FakeStore
) -> None:
    await book(chat, "bureau à Figeac lundi matin")
    await book(chat, "bureau à Figeac mardi matin")
    said = await chat.say("changer ma réservation de lundi")
    assert "Pour quel nouveau jour ?" in said
    said = await chat.say("vendredi")
    assert "du lundi 7 décembre, matin, à Figeac au vendredi 4 décembre, matin" in said
    await chat.say("/modifier")
    said = await chat.say("mardi matin")
    assert "Pour quel nouveau jour ?" in said


async def test_cancel_everything_in_one_sentence(chat: Chat, store: FakeStore) -> None:
    await book(chat, "bureau à Figeac lundi matin")
    await book(chat, "bureau à Figeac mardi matin")
    said = await chat.say("annuler toutes mes réservations")
    assert "J'annule vos 2 réservations à venir ?" in said
    said = await chat.say("oui")
    assert "C'est annulé (2 réservations)" in said
    assert active(store) == []


async def test_a_series_can_be_cancelled_as_a_whole(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("bureau à Figeac tous les mardis jusqu'au 22 décembre matin")
    assert "Je réserve 3 dates" in said
    await chat.say("oui")
    await book(chat, "bureau à Aurillac lundi matin")
    said = await chat.say("annuler")
    assert "La série à partir du mardi 8 décembre (3 dates)" in said
    said = await chat.pick("La série")
    said = await chat.say("oui")
    assert "C'est annulé (3 réservations)" in said
    assert active(store) == [("aurillac", date(2026, 12, 7), "morning")]


async def test_a_range_of_days_is_booked_as_a_series(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("bureau à Figeac du 14 au 18 décembre matin")
    assert "2 dates ne sont pas possibles" in said, "the weekly quota is 3 days"
    assert "Je réserve les 3 autres (matin, à Figeac) : lundi 14 décembre, mardi 15" in said
    await chat.say("oui")
    assert [day for _, day, _ in active(store)] == [date(2026, 12, d) for d in (14, 15, 16)]


async def test_a_two_desk_booking_is_one_line(chat: Chat) -> None:
    await book(chat, "2 bureaux à Figeac lundi matin")
    said = await chat.say("mes réservations")
    assert "Votre réservation à venir :\n• lundi 7 décembre, matin, à Figeac (2 bureaux)" in said
