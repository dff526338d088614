"""How answers are read: yes and no in many words, corrections, bare numbers, wrong numbers.

The clock is frozen on Thursday 3 December 2026, 10:00 (Europe/Paris).
"""

from __future__ import annotations

from datetime import date

import pytest

from booking_core.domain import BookingStatus
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.fakes import FakeStore


def active(store: FakeStore) -> list[tuple[str, date, str | None, int]]:
    return sorted(
        (b.centre_id, b.day, b.period.value if b.period else None, b.people)
        for b in store.state.bookings.values()
        if b.status is BookingStatus.ACTIVE
    )


@pytest.mark.parametrize(
    "yes", ["oui c'est bon", "👍", "oui, réserve", "yes please book it", "ok go"]
)
async def test_a_yes_in_more_words_confirms(chat: Chat, store: FakeStore, yes: str) -> None:
    await chat.say("bureau à Figeac lundi matin")
    said = await chat.say(yes)
    assert "C'est réservé" in said or "booked" in said.lower()
    assert active(store) == [("figeac", date(2026, 12, 7), "morning", 1)]


@pytest.mark.parametrize(
    ("correction", "expected"),
    [
        ("plutôt l'après-midi", "lundi 7 décembre, après-midi, à Figeac"),
        ("non, mardi", "mardi 8 décembre, matin, à Figeac"),
        ("non à Aurillac", "lundi 7 décembre, matin, à Aurillac"),
    ],
)
async def test_a_correction_at_the_confirmation_amends_the_request(
    chat: Chat, store: FakeStore, correction: str, expected: str
) -> None:
    await chat.say("bureau à Figeac lundi matin")
    said = await chat.say(correction)
    assert f"Je réserve : {expected}. C'est bon ?" in said
    assert not active(store), "a correction books nothing by itself"


async def test_no_abandons_at_any_question(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("bureau à Figeac lundi")
    assert "Le matin, l'après-midi ou toute la journée ?" in said
    said = await chat.say("non")
    assert "D'accord, j'abandonne" in said
    await chat.say("je voudrais un bureau")
    said = await chat.say("non merci")
    assert "D'accord, j'abandonne" in said
    assert not active(store)


@pytest.mark.parametrize("answer", ["journée", "toute la journée", "l'aprem", "afternoon"])
async def test_a_part_of_the_day_alone_answers_the_question(chat: Chat, answer: str) -> None:
    await chat.say("bureau à Figeac lundi")
    said = await chat.say(answer)
    # "afternoon" is clearly English: the reply follows the language of the answer.
    assert "Je réserve : lundi 7 décembre" in said or "I'll book: Monday 7 December" in said
    assert "Bonjour !" not in said


async def test_a_wrong_number_lists_the_same_choices_again(chat: Chat) -> None:
    await chat.say("bureau à Figeac lundi")
    said = await chat.say("9")
    assert "Choisissez un numéro de la liste." in said
    assert "1. matin" in said
    assert "2. après-midi" in said
    assert "1. 1" not in said


async def test_a_bare_day_number_answers_which_day(chat: Chat) -> None:
    said = await chat.say("bureau à Figeac le matin")
    assert "Pour quel jour ?" in said
    said = await chat.say("14")
    assert "lundi 14 décembre" in said


async def test_a_new_request_does_not_inherit_the_abandoned_one(
    chat: Chat, store: FakeStore
) -> None:
    said = await chat.say("3 bureaux à Figeac le 15 mars matin")
    assert "jusqu'à 60 jours à l'avance" in said
    said = await chat.say("un bureau à Aurillac lundi")
    assert "Le matin, l'après-midi ou toute la journée ?" in said
    said = await chat.say("matin")
    assert "Je réserve : lundi 7 décembre, matin, à Aurillac. C'est bon ?" in said
    assert "bureaux" not in said


async def test_an_availability_question_shows_the_free_desks(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("des bureaux libres demain ?")
    assert "Dans quel télécentre ?" in said
    said = await chat.pick("Figeac")
    assert "À Figeac, le vendredi 4 décembre" in said
    assert "libres sur" in said
    assert not active(store)


async def test_a_past_half_day_is_not_offered(chat: Chat, clock: Clock) -> None:
    clock.set("2026-12-03T13:00")
    said = await chat.say("bureau à Figeac aujourd'hui")
    assert "Je réserve : jeudi 3 décembre, après-midi, à Figeac. C'est bon ?" in said


async def test_thanks_is_answered_kindly(chat: Chat) -> None:
    await chat.say("bonjour")
    said = await chat.say("merci")
    assert "Avec plaisir" in said
    assert "Que puis-je faire" not in said


async def test_a_weekday_that_disagrees_names_the_true_one(chat: Chat) -> None:
    said = await chat.say("bureau à Figeac jeudi 11 décembre matin")
    assert "Le 11 décembre tombe un vendredi : c'est bien ce jour-là ?" in said


async def test_holidays_are_named_in_the_readers_language(chat: Chat) -> None:
    said = await chat.say("bureau à Figeac le 25 décembre matin")
    assert "Le vendredi 25 décembre est férié (Noël)" in said
    english = Chat(chat.router, "test:bob")
    said = await english.say("book a desk in Figeac on 25 December in the morning")
    assert "Christmas Day" in said
    assert "Noël" not in said


async def test_english_replies_name_english_commands(chat: Chat) -> None:
    english = Chat(chat.router, "test:bob")
    await english.say("/language en")
    said = await english.say("/help")
    assert "/book" in said
    assert "/reserver" not in said
    said = await english.say("book a desk in Figeac on Monday morning")
    said = await english.say("yes")
    assert "/cancel" in said
    assert "/annuler" not in said


async def test_language_by_argument_or_by_name(chat: Chat) -> None:
    said = await chat.say("/langue en")
    assert "I will answer in English" in said or "English" in said
    said = await chat.say("/langue")
    said = await chat.say("français")
    assert "je vous répondrai en français" in said


async def test_the_usual_centre_may_be_typed(chat: Chat, store: FakeStore) -> None:
    await chat.say("/profil")
    await chat.say("passer")
    await chat.say("passer")
    said = await chat.say("passer")
    assert "Quel est votre télécentre habituel ?" in said
    said = await chat.say("Figeac")
    assert "Profil enregistré" in said
    assert store.state.profiles["test:alice"].usual_centre == "figeac"


async def test_a_first_hello_is_greeted_once(chat: Chat) -> None:
    said = await chat.say("bonjour")
    assert said.count("Bonjour") == 1
    assert "En quelle langue" in said


async def test_a_date_just_past_is_said_past_not_moved_to_next_year(chat: Chat) -> None:
    said = await chat.say("bureau à Figeac le 2 décembre matin")
    assert "Le mercredi 2 décembre est déjà passé. Quel jour voulez-vous ?" in said


async def test_goodbye_is_answered(chat: Chat) -> None:
    await chat.say("bonjour")
    said = await chat.say("au revoir")
    assert "Au revoir" in said


@pytest.mark.parametrize("weak", ["never mind", "'; DROP TABLE bookings; --", "ok", "👍", "Figeac"])
async def test_the_reply_language_changes_only_on_clear_evidence(chat: Chat, weak: str) -> None:
    said = await chat.say("book a desk in Figeac on Monday")
    assert "Morning, afternoon or all day?" in said
    said = await chat.say(weak)
    assert said
    french = ("Je ", "Choisissez", "D'accord", "Dans quel", "Bonjour", "Le matin")
    assert not any(word in said for word in french), said


async def test_a_clear_english_hello_first_is_answered_in_english(chat: Chat) -> None:
    said = await chat.say("hi")
    assert "Hello, I am the booking assistant" in said


async def test_an_unknown_place_is_said_and_replaces_the_pending_centre(chat: Chat) -> None:
    await chat.say("bureau à Figeac jeudi")
    said = await chat.say("bureau à Paris jeudi matin")
    assert "Je ne connais pas de télécentre à Paris." in said
    assert "Dans quel télécentre ?" in said
    said = await chat.pick("Aurillac")
    assert "Je réserve : jeudi 10 décembre, matin, à Aurillac. C'est bon ?" in said


async def test_the_profile_asks_the_distance_to_the_telecentre(
    chat: Chat, store: FakeStore
) -> None:
    await chat.say("/profil")
    await chat.say("Maurs")
    said = await chat.say("40")
    assert "jusqu'au télécentre où vous venez" in said
    await chat.say("6,5 km")
    await chat.say("4")
    profile = store.state.profiles["test:alice"]
    assert (profile.home_commune, profile.commute_km, profile.centre_km) == ("Maurs", 40, 6.5)
    said = await chat.say("/profil")
    assert "trajet habituel 40 km, jusqu'au télécentre 6,5 km, télécentre Figeac" in said


async def test_i_am_coming_is_recorded(chat: Chat, store: FakeStore) -> None:
    await chat.say("bureau à Figeac lundi matin")
    await chat.say("oui")
    [booking] = store.state.bookings.values()
    state = store.state.conversations[("test:alice", "test:alice")]
    state["choices"] = {"1": {"do": "keep", "ids": [booking.id]}}  # a reminder's button
    state["awaiting"] = "reminder"
    said = await chat.say("1")
    assert "Parfait" in said
    assert store.state.bookings[booking.id].confirmed_at is not None
