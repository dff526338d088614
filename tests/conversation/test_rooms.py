"""Meeting rooms by talking: hours, people, capacity, and what is asked again when refused.

The clock is frozen on Thursday 3 December 2026, 10:00 (Europe/Paris).
"""

from __future__ import annotations

from booking_core.domain import BookingStatus
from tests.conversation.conftest import Chat
from tests.fakes import FakeStore


def rooms(store: FakeStore) -> list[tuple[str, str, str, int]]:
    return sorted(
        (b.centre_id, b.start.isoformat("minutes"), b.end.isoformat("minutes"), b.people)
        for b in store.state.bookings.values()
        if b.status is BookingStatus.ACTIVE and b.period is None
    )


async def test_a_room_asks_for_the_people_and_names_the_room(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("une salle de réunion à Figeac lundi de 14h à 16h")
    assert "Pour combien de personnes ?" in said
    said = await chat.say("6")
    assert "salle de réunion à Figeac pour 6 personnes. C'est bon ?" in said
    said = await chat.say("oui")
    assert "de 14:00 à 16:00, Salle de réunion de la Maison de l'Emploi à Figeac." in said
    assert rooms(store) == [("figeac", "14:00", "16:00", 6)]


async def test_one_person_is_singular(chat: Chat) -> None:
    said = await chat.say("une salle de visio à Aurillac lundi de 9h à 10h pour 1 personne")
    assert "pour 1 personne. C'est bon ?" in said


async def test_off_grid_times_ask_the_times_again_and_keep_the_rest(
    chat: Chat, store: FakeStore
) -> None:
    said = await chat.say("salle de réunion à Figeac lundi de 14h15 à 16h pour 4 personnes")
    assert "par demi-heures" in said
    assert "De quelle heure à quelle heure ?" in said
    said = await chat.say("de 14h30 à 16h")
    assert "lundi 7 décembre, de 14:30 à 16:00, salle de réunion à Figeac pour 4" in said


async def test_outside_opening_hours_gives_the_hours(chat: Chat) -> None:
    said = await chat.say("salle de réunion à Figeac lundi de 18h à 20h pour 4 personnes")
    assert "ouvert de 08:30 à 12:30, de 13:30 à 17:30" in said
    assert "De quelle heure à quelle heure ?" in said


async def test_too_many_people_offers_a_centre_with_a_bigger_room(
    chat: Chat, store: FakeStore
) -> None:
    said = await chat.say("salle de réunion à Figeac lundi de 14h à 16h pour 12 personnes")
    assert "Les salles de Figeac accueillent au plus 8 personnes." in said
    assert "Decazeville" in said
    assert "Aurillac" not in said, "its rooms seat 10 at most"
    said = await chat.pick("Decazeville")
    assert "salle de réunion à Decazeville pour 12 personnes. C'est bon ?" in said
    await chat.say("oui")
    assert rooms(store) == [("decazeville", "14:00", "16:00", 12)]


async def test_across_the_lunch_break_says_when_it_closes(chat: Chat) -> None:
    said = await chat.say("salle de réunion à Figeac lundi de 12h à 14h pour 4 personnes")
    assert "ferme de 12:30 à 13:30 pour le déjeuner" in said
    assert "De quelle heure à quelle heure ?" in said
    said = await chat.say("de 14h à 15h")
    assert "de 14:00 à 15:00, salle de réunion à Figeac pour 4 personnes. C'est bon ?" in said
