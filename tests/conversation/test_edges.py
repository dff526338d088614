"""What a second round of trying the bot as its users would found: answers off the path.

The clock is frozen on Thursday 3 December 2026, 10:00 (Europe/Paris).
"""

from __future__ import annotations

from datetime import date

import pytest

from booking_core.domain import WaitStatus
from tests.conftest import Clock
from tests.conversation.conftest import Chat, active, book
from tests.fakes import FakeStore


async def test_desks_booked_together_move_together(chat: Chat, store: FakeStore) -> None:
    await book(chat, "2 bureaux à Montmurat vendredi matin")
    said = await chat.say("déplacer ma réservation de vendredi à lundi")
    assert "au lundi 7 décembre, matin, à Montmurat (2 bureaux). C'est bon ?" in said
    await chat.say("oui")
    assert active(store) == [("montmurat", date(2026, 12, 7), "morning")] * 2


async def test_a_room_booking_is_not_said_to_be_missing_when_asked_to_move(chat: Chat) -> None:
    await book(chat, "salle à Figeac mardi de 14h à 16h pour 6")
    said = await chat.say("/modifier")
    assert "Je ne sais déplacer que les bureaux" in said
    assert "aucune réservation" not in said


async def test_naming_the_booking_to_move_asks_where_to(chat: Chat) -> None:
    await book(chat, "bureau à Figeac jeudi matin")
    said = await chat.say("/modifier jeudi")
    assert "Pour quel nouveau jour ? (actuellement : jeudi 10 décembre, matin, à Figeac)" in said
    said = await chat.say("décaler ma réservation de jeudi à l'après-midi")
    assert "au jeudi 10 décembre, après-midi, à Figeac. C'est bon ?" in said


@pytest.mark.parametrize("yes", ["c est bon", "ça me va", "nickel", "ouii", "sounds good", "ok go"])
async def test_more_ways_to_say_yes(chat: Chat, store: FakeStore, yes: str) -> None:
    await chat.say("bureau à Figeac jeudi matin")
    await chat.say(yes)
    assert active(store) == [("figeac", date(2026, 12, 10), "morning")]


async def test_a_yes_no_question_stands_until_answered(chat: Chat, store: FakeStore) -> None:
    await chat.say("bureau à Figeac jeudi matin")
    said = await chat.say("hmm")
    assert "Répondez oui ou non" in said
    assert "1. Oui, réserver" in said
    await chat.say("oui")
    assert active(store) == [("figeac", date(2026, 12, 10), "morning")]


async def test_a_yes_at_the_part_of_the_day_question_asks_it_again(chat: Chat) -> None:
    await chat.say("bureau à Figeac vendredi")
    said = await chat.say("oui")
    assert "1. matin" in said
    said = await chat.say("matin")
    assert "vendredi 4 décembre, matin, à Figeac" in said


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("bureau à Cassaniouze mercredi", "Cassaniouze est fermé le mercredi 9 décembre"),
        ("bureau à Figeac le 25 décembre", "Le vendredi 25 décembre est férié"),
    ],
)
async def test_a_closed_day_is_refused_before_any_part_of_the_day_is_asked(
    chat: Chat, message: str, expected: str
) -> None:
    said = await chat.say(message)
    assert expected in said
    assert "Le matin, l'après-midi" not in said


async def test_when_the_day_is_over_another_day_is_asked(chat: Chat, clock: Clock) -> None:
    clock.set("2026-12-03T17:45")
    said = await chat.say("bureau à Figeac aujourd'hui")
    assert "Pour aujourd'hui, c'est terminé à Figeac. Pour quel autre jour ?" in said


async def test_rooms_too_many_people_or_none_here(chat: Chat) -> None:
    said = await chat.say("salle à Decazeville mardi de 14h à 16h pour 20 personnes")
    assert "Les salles de Decazeville accueillent au plus 12 personnes." in said
    said = await chat.say("10")
    assert "salle de réunion à Decazeville pour 10 personnes. C'est bon ?" in said
    other = Chat(chat.router, "test:bob")
    said = await other.say("salle à Montmurat mardi de 14h à 16h pour 4")
    assert "Ce télécentre n'a pas de salle de réunion." in said
    said = await other.pick("Figeac")
    assert "salle de réunion à Figeac pour 4 personnes. C'est bon ?" in said


async def test_a_begun_room_slot_asks_the_times_again(chat: Chat) -> None:
    said = await chat.say("salle à Aurillac aujourd'hui de 9h à 11h pour 3")
    assert "déjà commencé" in said
    assert "De quelle heure à quelle heure ?" in said
    said = await chat.say("de 10h30 à 12h")
    assert "de 10:30 à 12:00, salle de réunion à Aurillac pour 3 personnes" in said


async def test_a_full_request_after_an_availability_question_books(chat: Chat) -> None:
    said = await chat.say("des bureaux libres à Rodez demain ?")
    assert "Je ne connais pas de télécentre à Rodez." in said
    said = await chat.say("bureau à Figeac jeudi matin")
    assert "Je réserve : jeudi 10 décembre, matin, à Figeac. C'est bon ?" in said


async def test_the_booking_to_cancel_may_be_named_by_its_centre(chat: Chat) -> None:
    await book(chat, "bureau à Figeac lundi matin")
    await book(chat, "bureau à Aurillac mardi matin")
    await chat.say("annuler")
    said = await chat.say("celle de Figeac")
    assert "J'annule lundi 7 décembre, matin, à Figeac ?" in said


async def test_the_waitlist_is_listed_and_can_be_left(chat: Chat, store: FakeStore) -> None:
    bob = Chat(chat.router, "test:bob")
    await book(bob, "3 bureaux à Cassaniouze jeudi matin")
    await chat.say("un bureau à Cassaniouze jeudi matin")
    said = await chat.pick("liste d'attente")
    assert "sur la liste d'attente pour jeudi 10 décembre, matin, à Cassaniouze" in said
    said = await chat.say("mes réservations")
    assert "Sur liste d'attente :\n• jeudi 10 décembre, matin, à Cassaniouze" in said
    await chat.say("annuler")
    said = await chat.pick("Ne plus attendre")
    assert "Vous n'êtes plus sur la liste d'attente pour jeudi 10 décembre" in said
    [entry] = store.state.waits.values()
    assert entry.status is WaitStatus.CANCELLED


async def test_the_profile_can_be_abandoned_or_left_for_a_request(chat: Chat) -> None:
    await chat.say("/profil")
    assert "abandonne" in await chat.say("non")
    await chat.say("/profil")
    said = await chat.say("mes réservations")
    assert "aucune réservation" in said
    said = await chat.say("/profil")
    assert "commune mes" not in said


async def test_elision_before_a_vowel(chat: Chat) -> None:
    said = await chat.say("bureau à Aurillac dimanche matin")
    assert "Le télécentre d'Aurillac est fermé" in said
    assert "de Aurillac" not in said


async def test_several_days_named_are_booked_together(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("bureau à Figeac lundi et jeudi matin")
    assert "Je réserve 2 dates (matin, à Figeac) : lundi 7 décembre, jeudi 10 décembre" in said
    await chat.say("oui")
    assert active(store) == [
        ("figeac", date(2026, 12, 7), "morning"),
        ("figeac", date(2026, 12, 10), "morning"),
    ]


async def test_different_parts_of_different_days_are_said_one_at_a_time(chat: Chat) -> None:
    said = await chat.say("bureau jeudi matin et vendredi après-midi à Figeac")
    assert "je fais le premier, redemandez-moi ensuite" in said
    assert "Je réserve : jeudi 10 décembre, matin, à Figeac. C'est bon ?" in said
