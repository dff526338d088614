"""Conversations as transcripts: what the person writes, what the bot must say and do.

The clock is frozen on Thursday 3 December 2026, 10:00 (Europe/Paris).
"""

from __future__ import annotations

from datetime import date

import pytest

from booking_core.domain import BookingStatus
from booking_core.network import Period
from tests.conftest import Clock
from tests.conversation.conftest import Chat
from tests.fakes import FakeStore


def active(store: FakeStore) -> list[tuple[str, date, str | None]]:
    return sorted(
        (b.centre_id, b.day, b.period.value if b.period else None)
        for b in store.state.bookings.values()
        if b.status is BookingStatus.ACTIVE
    )


async def test_book_by_filling_the_missing_part_of_day(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("réserver un bureau à Figeac jeudi")
    assert "Bonjour" in said, "first contact: a welcome comes along"
    assert "/oublier" in said, "and the one-line privacy notice"
    assert "Le matin, l'après-midi ou toute la journée ?" in said
    said = await chat.say("matin")
    assert "Je réserve : jeudi 10 décembre, matin, à Figeac. C'est bon ?" in said
    assert not active(store), "nothing written before the confirmation"
    said = await chat.say("oui")
    assert "C'est réservé : jeudi 10 décembre, matin, à Figeac." in said
    assert "Bonjour" not in said, "the welcome is said once"
    assert active(store) == [("figeac", date(2026, 12, 10), "morning")]


async def test_one_message_with_everything_then_the_number_of_the_choice(
    chat: Chat, store: FakeStore
) -> None:
    said = await chat.say("Réserve-moi une place à Montmurat vendredi toute la journée")
    assert "vendredi 4 décembre, toute la journée, à Montmurat" in said
    await chat.say("1")
    assert active(store) == [("montmurat", date(2026, 12, 4), "day")]


async def test_missing_centre_is_asked_with_the_usual_one_first(chat: Chat) -> None:
    await chat.say("/profil")
    await chat.say("Maurs")
    await chat.say("22")
    await chat.say("0")
    said = await chat.say("5")  # Decazeville
    assert "Profil enregistré" in said
    said = await chat.say("je voudrais un bureau demain matin")
    assert "Dans quel télécentre ?" in said
    assert said.splitlines()[1] == "1. Decazeville"
    said = await chat.say("1")
    assert "vendredi 4 décembre, matin, à Decazeville" in said


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("un bureau à Figeac samedi matin", "Figeac est fermé le samedi 5 décembre"),
        ("un bureau à Montmurat mercredi après-midi", "n'est ouvert que le matin"),
        (
            "un bureau à Figeac le 28 décembre",
            "fermé du jeudi 24 décembre au vendredi 1er janvier 2027",
        ),
        ("un bureau à Cassaniouze le 25 décembre au matin", "férié"),
        ("un bureau à Figeac le 15 mars au matin", "jusqu'à 60 jours à l'avance"),
    ],
)
async def test_refusals_say_why_and_offer_something_else(
    chat: Chat, store: FakeStore, message: str, expected: str
) -> None:
    said = await chat.say(message)
    if "Le matin, l'après-midi" in said:
        said = await chat.say("matin")
    assert expected in said
    assert not active(store)


async def test_a_past_date_is_refused_at_once(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("un bureau à Figeac hier matin")
    assert "Le mercredi 2 décembre est déjà passé." in said
    said = await chat.say("lundi")
    assert "lundi 7 décembre, matin, à Figeac" in said


async def test_full_offers_alternatives_and_the_waitlist(chat: Chat, store: FakeStore) -> None:
    others = Chat(chat.router, "test:bob")
    await others.say("3 bureaux à Cassaniouze jeudi matin")
    await others.say("oui")
    said = await chat.say("un bureau à Cassaniouze jeudi matin")
    assert "Il n'y a plus de bureau libre à Cassaniouze le jeudi 10 décembre, matin." in said
    assert "1. jeudi 10 décembre, après-midi, à Cassaniouze" in said
    assert "Montmurat" in said, "the nearest other centre is offered"
    assert "liste d'attente" in said
    said = await chat.say("le 1")
    assert "C'est réservé : jeudi 10 décembre, après-midi, à Cassaniouze." in said


async def test_waitlist_then_a_cancellation_gives_the_desk(chat: Chat, store: FakeStore) -> None:
    bob = Chat(chat.router, "test:bob")
    await bob.say("3 bureaux à Cassaniouze jeudi matin")
    await bob.say("oui")
    await chat.say("un bureau à Cassaniouze jeudi matin")
    said = await chat.pick("liste d'attente")
    assert "Vous êtes sur la liste d'attente" in said
    await bob.say("annuler")
    said = bob.transcript()
    assert "J'annule jeudi 10 décembre, matin, à Cassaniouze (3 bureaux) ?" in said
    said = await bob.say("oui")
    assert "La place libérée revient à la première personne en liste d'attente." in said
    assert ("cassaniouze", date(2026, 12, 10), "morning") in active(store)
    mine = [b for b in store.state.bookings.values() if b.user_id == "test:alice"]
    assert [b.status for b in mine] == [BookingStatus.ACTIVE]


async def test_quota_and_already_booked(chat: Chat) -> None:
    for day in ("lundi", "mardi", "mercredi"):
        await chat.say(f"bureau à Aurillac {day} matin")
        await chat.say("oui")
    said = await chat.say("bureau à Aurillac jeudi matin")
    assert "3 jours par semaine au plus, et la semaine du 7 décembre" in said
    said = await chat.say("bureau à Figeac lundi matin")
    assert "déjà une réservation le lundi 7 décembre à ce moment-là, à Aurillac" in said


async def test_cancel_one_among_several_and_all(chat: Chat, store: FakeStore) -> None:
    await chat.say("bureau à Figeac lundi matin")
    await chat.say("oui")
    await chat.say("bureau à Figeac mardi matin")
    await chat.say("oui")
    said = await chat.say("je voudrais annuler une réservation")
    assert "Laquelle annuler ?" in said
    assert "3. Toutes" in said
    said = await chat.say("2")
    assert "J'annule mardi 8 décembre, matin, à Figeac ?" in said
    said = await chat.say("oui")
    assert "C'est annulé : mardi 8 décembre, matin, à Figeac." in said
    assert active(store) == [("figeac", date(2026, 12, 7), "morning")]
    said = await chat.say("annule ma résa de vendredi")
    assert "Vous n'avez pas de réservation le vendredi 4 décembre." in said


async def test_change_is_one_step_and_keeps_the_old_one_if_refused(
    chat: Chat, store: FakeStore
) -> None:
    await chat.say("bureau à Figeac jeudi matin")
    await chat.say("oui")
    # The new day is read as a bare weekday: said on Thursday 3, "vendredi" is the 4th.
    said = await chat.say("je voudrais déplacer ma réservation de jeudi à vendredi")
    assert "vendredi 4 décembre, matin, à Figeac" in said
    said = await chat.say("oui")
    assert (
        "votre réservation du jeudi 10 décembre, matin, à Figeac est déplacée au "
        "vendredi 4 décembre, matin, à Figeac." in said
    )
    assert active(store) == [("figeac", date(2026, 12, 4), "morning")]
    said = await chat.say("/modifier")
    said = await chat.say("samedi")
    assert "fermé" in said
    assert active(store) == [("figeac", date(2026, 12, 4), "morning")]


async def test_a_question_in_the_middle_of_a_booking_is_answered_then_it_resumes(
    chat: Chat, store: FakeStore
) -> None:
    await chat.say("bureau à Figeac jeudi")
    said = await chat.say("mes réservations")
    assert "Vous n'avez aucune réservation à venir." in said
    assert said.endswith(
        "Le matin, l'après-midi ou toute la journée ?\n1. matin\n2. après-midi\n3. toute la journée"
    )
    said = await chat.say("oui")
    assert "Choisissez un numéro de la liste." in said, "a yes is no part of the day"
    said = await chat.say("matin")
    assert "Je réserve : jeudi 10 décembre, matin, à Figeac. C'est bon ?" in said
    said = await chat.say("le télétravail, c'est un droit ?")
    assert "L1222-9" in said
    assert said.endswith("C'est bon ?\n1. Oui, réserver\n2. Non")
    await chat.say("oui")
    assert active(store) == [("figeac", date(2026, 12, 10), "morning")]


async def test_an_unrelated_request_abandons_the_question(chat: Chat, store: FakeStore) -> None:
    await chat.say("bureau à Figeac jeudi")
    said = await chat.say("annuler ma réservation de lundi")
    assert "Vous n'avez pas de réservation le lundi 7 décembre." in said
    said = await chat.say("oui")
    assert "Je n'ai pas de question en cours" in said
    assert not active(store)


async def test_no_cancels_the_pending_booking(chat: Chat, store: FakeStore) -> None:
    await chat.say("bureau à Figeac jeudi matin")
    said = await chat.say("non")
    assert "je n'ai rien fait" in said
    assert not active(store)


async def test_replayed_message_is_answered_once(chat: Chat, store: FakeStore) -> None:
    await chat.say("bureau à Figeac jeudi matin", message_id="tg-1")
    await chat.say("oui", message_id="tg-2")
    assert await chat.say("oui", message_id="tg-2") == ""
    assert len(store.state.bookings) == 1


async def test_series_books_the_dates_that_can_be(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("tous les jeudis jusqu'au 7 janvier à Figeac le matin")
    assert "2 dates ne sont pas possibles" in said
    assert "jeudi 24 décembre" in said
    said = await chat.say("oui")
    assert "C'est réservé : 3 dates" in said
    assert [d for _, d, _ in active(store)] == [
        date(2026, 12, 10),
        date(2026, 12, 17),
        date(2027, 1, 7),
    ]


async def test_meeting_room_by_time_range(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("une salle de réunion à Aurillac mardi de 14h à 16h pour 6 personnes")
    assert "de 14:00 à 16:00, salle de réunion à Aurillac pour 6 personnes" in said
    await chat.say("oui")
    [booking] = store.state.bookings.values()
    assert booking.resource_id == "aurillac/salle-reunion"


async def test_availability_then_book_from_the_answer(chat: Chat, store: FakeStore) -> None:
    said = await chat.say("des bureaux libres à Decazeville demain ?")
    assert "matin : 8 libres sur 8" in said
    said = await chat.say("1")
    assert "C'est réservé : vendredi 4 décembre, matin, à Decazeville." in said


async def test_teleworking_question_gets_a_sourced_answer(chat: Chat) -> None:
    said = await chat.say("le télétravail, c'est un droit ?")
    assert "L1222-9" in said
    assert "legifrance.gouv.fr" in said


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "Je n'ai rien reçu"),
        ("   ", "Je n'ai rien reçu"),
        ("🙂🙂🙂", "pas compris"),
        ("x" * 10_000, "très long"),
        ("'; DROP TABLE bookings; --", "1. Aurillac"),
        ("un bureau le 30 février à Figeac", "n'existe pas"),
        ("un bureau à Paris jeudi", "Dans quel télécentre ?"),
        ("/inconnue", "Je ne connais pas cette commande"),
    ],
)
async def test_bad_input_gets_a_clear_answer_and_writes_nothing(
    chat: Chat, store: FakeStore, message: str, expected: str
) -> None:
    said = await chat.say(message)
    assert expected in said
    assert not store.state.bookings


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/aide", "Commandes"),
        ("/start", "En quelle langue"),
        ("/reserver", "Dans quel télécentre ?"),
        ("/mesreservations", "aucune réservation"),
        ("/annuler", "aucune réservation"),
        ("/langue", "En quelle langue"),
        ("/profil", "Dans quelle commune"),
    ],
)
async def test_slash_commands(chat: Chat, command: str, expected: str) -> None:
    assert expected in await chat.say(command)


async def test_english_is_answered_in_english_and_the_choice_is_kept(
    chat: Chat, store: FakeStore, clock: Clock
) -> None:
    said = await chat.say("I would like to book a desk in Figeac on Thursday morning")
    assert "Thursday 10 December" in said
    assert "Bonjour" not in said
    await chat.say("yes")
    assert active(store) == [("figeac", date(2026, 12, 10), Period.MORNING.value)]
    said = await chat.say("/langue")
    said = await chat.say("1")
    assert "français" in said
    said = await chat.say("my bookings")
    assert "jeudi 10 décembre" in said, "the chosen language wins over the message's"


async def test_see_then_erase_my_data(chat: Chat, store: FakeStore) -> None:
    await chat.say("/profil")
    await chat.say("Maurs")
    await chat.say("passer")
    await chat.say("passer")
    await chat.say("6")
    await chat.say("bureau à Figeac jeudi matin")
    await chat.say("oui")
    said = await chat.say("/mesdonnees")
    assert "Voici tout ce que je garde sur vous" in said
    [export] = [f for r in chat.last for f in r.files]
    assert export.filename == "mes-donnees.json"
    assert '"Maurs"' in export.data.decode()
    assert '"figeac/desk-1"' in export.data.decode()
    said = await chat.say("/oublier")
    assert "ne peut pas être défait" in said
    said = await chat.say("oui")
    assert "vos données sont effacées et 1 réservation à venir est annulée" in said
    state = store.state
    assert not state.profiles
    assert not state.conversations, "not even the conversation that said goodbye"
    assert all(b.user_id != chat.user for b in state.bookings.values())
    assert all(b.user_id.startswith("erased:") for b in state.bookings.values())
    assert all(a[1] != chat.user for a in state.audit)
    said = await chat.say("bonjour")
    assert "Bonjour, je suis l'assistant" in said, "a new person for the bot"


async def test_calendar_files_follow_bookings_and_cancellations(chat: Chat) -> None:
    from icalendar import Calendar

    await chat.say("bureau à Figeac jeudi matin")
    await chat.say("oui")
    [ics] = [f for r in chat.last for f in r.files]
    assert ics.filename.endswith(".ics")
    event = next(iter(Calendar.from_ical(ics.data).walk("VEVENT")))
    uid = str(event["UID"])
    assert str(event["STATUS"]) == "CONFIRMED"
    await chat.say("/calendrier")
    [export] = [f for r in chat.last for f in r.files]
    assert export.filename == "reservations.ics"
    await chat.say("annuler")
    await chat.say("oui")
    [cancel] = [f for r in chat.last for f in r.files]
    cancelled = next(iter(Calendar.from_ical(cancel.data).walk("VEVENT")))
    assert (str(cancelled["UID"]), str(cancelled["STATUS"])) == (uid, "CANCELLED")


async def test_logs_never_hold_a_person_or_their_words(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    for line in ("un bureau à Figeac jeudi matin", "oui", "oui", "/mesdonnees", "/oublier", "oui"):
        await chat.say(line)
    assert chat.user not in caplog.text
    assert "Figeac jeudi" not in caplog.text


async def test_an_answer_that_fills_nothing_asks_again_and_keeps_the_rest(
    chat: Chat, store: FakeStore
) -> None:
    await chat.say("/reserver")
    said = await chat.say("Paris")
    assert "Je ne connais pas ce télécentre" in said
    assert "Dans quel télécentre ?" in said
    await chat.say("4")
    said = await chat.say("bof")
    assert "Je n'ai pas reconnu de date" in said
    said = await chat.say("le 31/02")
    assert "n'existe pas" in said
    await chat.say("jeudi")
    said = await chat.say("plutôt un truc")
    assert "Choisissez un numéro de la liste." in said
    said = await chat.say("1")
    assert "jeudi 10 décembre, matin, à Figeac" in said
    assert not store.state.bookings
