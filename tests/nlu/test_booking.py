"""Booking requests written many ways: the same meaning whatever the spelling.

Reference day unless stated: Thursday 3 December 2026, 10:00 (Europe/Paris).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.nlu.conftest import Understand, check

THU = "2026-12-03T10:00"

BOOKINGS: list[tuple[str, str | None, dict[str, Any]]] = [
    # French, other phrasings than the development set
    (
        "Bonjour, je souhaiterais un poste à Figeac mardi prochain",
        "fr",
        {"intent": "book", "centre": "figeac", "date": "2026-12-08"},
    ),
    (
        "réserve moi un bureau à decazeville lundi 14 décembre de 10h à 16h30",
        "fr",
        {
            "intent": "book",
            "centre": "decazeville",
            "date": "2026-12-14",
            "start": "10:00",
            "end": "16:30",
        },
    ),
    (
        "je viendrai à la pépinière vendredi aprem",
        "fr",
        {"intent": "book", "centre": "decazeville", "date": "2026-12-04", "period": "afternoon"},
    ),
    (
        "Il me faut un bureau à la MDE Figeac le 18/12",
        "fr",
        {"intent": "book", "centre": "figeac", "date": "2026-12-18"},
    ),
    (
        "j'aimerais venir à Cassaniouze le mardi 15",
        "fr",
        {"intent": "book", "centre": "cassaniouze", "date": "2026-12-15"},
    ),
    (
        "Bonjour ! Est-ce possible d'avoir un bureau à Figeac le 21 décembre au matin ? Merci",
        "fr",
        {"intent": "book", "centre": "figeac", "date": "2026-12-21", "period": "morning"},
    ),
    (
        "pour demain à Figeac svp, la journée entière",
        "fr",
        {"intent": "book", "centre": "figeac", "date": "2026-12-04", "period": "day"},
    ),
    (
        "Figeac mercredi 9, 8h30-12h30",
        "fr",
        {
            "intent": "book",
            "centre": "figeac",
            "date": "2026-12-09",
            "start": "08:30",
            "end": "12:30",
        },
    ),
    (
        "je passe à Decaz demain",
        "fr",
        {"intent": "book", "centre": "decazeville", "date": "2026-12-04"},
    ),
    (
        "reservation bureau aurillac 07/12",
        "fr",
        {"intent": "book", "centre": "aurillac", "date": "2026-12-07"},
    ),
    (
        "bureau à l'incubateur Chrysalis mardi",
        "fr",
        {"intent": "book", "centre": "decazeville", "date": "2026-12-08"},
    ),
    (
        "un bureau au télécentre d'Aurillac lundi",
        "fr",
        {"intent": "book", "centre": "aurillac", "date": "2026-12-07"},
    ),
    (
        "ce sera jeudi 10 à Figeac, de 13h30 à 17h",
        "fr",
        {"intent": "book", "date": "2026-12-10", "start": "13:30", "end": "17:00"},
    ),
    (
        "je cherche un bureau à Figeac pour demain",
        "fr",
        {"intent": "book", "centre": "figeac", "date": "2026-12-04"},
    ),
    (
        "peux-tu m'aider à réserver un bureau demain à Figeac ?",
        "fr",
        {"intent": "book", "centre": "figeac", "date": "2026-12-04"},
    ),
    # English
    (
        "book Figeac next Tuesday 9am-1pm",
        "en",
        {
            "intent": "book",
            "centre": "figeac",
            "date": "2026-12-08",
            "start": "09:00",
            "end": "13:00",
        },
    ),
    (
        "desk at Decazeville on December 15th from 2pm to 5pm",
        "en",
        {
            "intent": "book",
            "centre": "decazeville",
            "date": "2026-12-15",
            "start": "14:00",
            "end": "17:00",
        },
    ),
    (
        "desk at Aurillac this Friday all day",
        "en",
        {"intent": "book", "centre": "aurillac", "date": "2026-12-04", "period": "day"},
    ),
    ("Aurillac in 3 days", "en", {"intent": "book", "centre": "aurillac", "date": "2026-12-06"}),
    (
        "Could you book me a desk in Decazeville for Friday afternoon?",
        "en",
        {
            "intent": "book",
            "centre": "decazeville",
            "date": "2026-12-04",
            "period": "afternoon",
        },
    ),
    (
        "Can I get a desk at Figeac tomorrow from 9 to 5?",
        "en",
        {
            "intent": "book",
            "centre": "figeac",
            "date": "2026-12-04",
            "start": "09:00",
            "end": "17:00",
        },
    ),
    (
        "I'd like to book the Chrysalis meeting room next Monday at 10am",
        "en",
        {
            "intent": "book",
            "centre": "decazeville",
            "date": "2026-12-07",
            "start": "10:00",
            "resource": "meeting_room",
        },
    ),
    ("Figeac, Monday the 7th", "en", {"intent": "book", "centre": "figeac", "date": "2026-12-07"}),
    # No hint: the language is detected and the meaning is the same
    (
        "réserver à Figeac lundi matin",
        None,
        {"intent": "book", "date": "2026-12-07", "period": "morning", "language": "fr"},
    ),
    (
        "a desk in Figeac on Monday morning please",
        None,
        {"intent": "book", "date": "2026-12-07", "period": "morning", "language": "en"},
    ),
]

# Capitals, missing accents, typos of one or two letters, emoji and politeness.
SLOPPY: list[tuple[str, str | None, dict[str, Any]]] = [
    ("FIGEAC DEMAIN 14H", "fr", {"centre": "figeac", "date": "2026-12-04", "start": "14:00"}),
    (
        "un bureau a aurillac apres demain matin stp 🙏",
        "fr",
        {"centre": "aurillac", "date": "2026-12-05", "period": "morning"},
    ),
    ("reserver un bureau a figeac mecredi", "fr", {"centre": "figeac", "date": "2026-12-09"}),
    ("bureau à Aurilac vendredie", "fr", {"centre": "aurillac", "date": "2026-12-04"}),
    ("bureau à Decazevile demian", "fr", {"centre": "decazeville", "date": "2026-12-04"}),
    ("book a desk at figeak tommorow", "en", {"centre": "figeac", "date": "2026-12-04"}),
    ("RESERVER A MONTMURAT LE 1ER JANVIER", "fr", {"centre": "montmurat", "date": "2027-01-01"}),
    ("réserver à Figeac samdi", "fr", {"date": "2026-12-05"}),
    ("réserver à Figeac mercerdi", "fr", {"date": "2026-12-09"}),
    ("Réservez-moi Montmurrat 🗓️ jeudi 😊😊", "fr", {"centre": "montmurat", "date": "2026-12-10"}),
    ("bureau CASSANIOUSE lundi", "fr", {"centre": "cassaniouze", "date": "2026-12-07"}),
    ("bureau à Chrysallis lundi", "fr", {"centre": "decazeville", "date": "2026-12-07"}),
    ("aujourdhui a figeac", "fr", {"centre": "figeac", "date": "2026-12-03"}),
    ("réserver\tà  Figeac\n\njeudi", "fr", {"centre": "figeac", "date": "2026-12-10"}),
    ("réserver à Figeac jeudi\u200b\u200b!!!", "fr", {"centre": "figeac", "date": "2026-12-10"}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), BOOKINGS, ids=[c[0] for c in BOOKINGS])
def test_booking_phrasings(
    understand: Understand, text: str, lang: str | None, expected: dict[str, Any]
) -> None:
    check(understand(text, THU, lang), expected)


@pytest.mark.parametrize(("text", "lang", "expected"), SLOPPY, ids=[c[0] for c in SLOPPY])
def test_sloppy_writing_means_the_same(
    understand: Understand, text: str, lang: str | None, expected: dict[str, Any]
) -> None:
    check(understand(text, THU, lang), expected)


@pytest.mark.parametrize(
    "text",
    [
        "Réserver un bureau à Aurillac mardi après-midi",
        "je voudrais une salle de réunion à Figeac pour 4 personnes jeudi de 9h à 11h",
        "tous les lundis à Décazeville jusqu'au 21 décembre",
    ],
)
def test_upper_case_and_no_accents_change_nothing(understand: Understand, text: str) -> None:
    from handlers.nlu.normalize import strip_accents

    plain = understand(text, THU, "fr")
    assert understand(text.upper(), THU, "fr") == plain
    assert understand(strip_accents(text), THU, "fr") == plain
    assert understand(f"🙂 {text} 👍 merci !", THU, "fr") == plain


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("bureau à Paris jeudi matin", "Paris"),
        ("a desk in Toulouse on Monday", "Toulouse"),
        ("réserver à Saint-Céré mardi", "Saint-Céré"),
        ("bureau à Villefranche-de-Rouergue lundi", "Villefranche-de-Rouergue"),
        ("bureau à Figeac jeudi", None),
        ("bureau à Orillac lundi", None),
        ("un bureau à Lundi", None),
        ("bureau à Aurillac jeudi à Midi", None),
    ],
)
def test_a_place_that_is_no_centre_is_reported(
    understand: Understand, text: str, place: str | None
) -> None:
    check(understand(text, "2026-12-03T10:00", None), {"unknown_place": place})
