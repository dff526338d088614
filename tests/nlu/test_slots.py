"""Clock times, parts of the day, counts and resources.

A number is a time only with ``h``, ``heures``, ``:MM``, ``am``/``pm`` or in a range
that has one; a count only next to what is counted. Reference: Thursday 3 December 2026.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.nlu.conftest import Understand, check

THU = "2026-12-03T10:00"

TIMES: list[tuple[str, str, dict[str, Any]]] = [
    ("réserver à Figeac de 9 h à midi mardi", "fr", {"start": "09:00", "end": "12:00"}),
    ("Figeac mardi 9 heures 30 - 12 heures", "fr", {"start": "09:30", "end": "12:00"}),
    ("Figeac mardi jusqu'à 16h", "fr", {"start": None, "end": "16:00"}),
    ("Figeac mardi dès 8h30", "fr", {"start": "08:30", "end": None}),
    ("Figeac mardi 14h", "fr", {"date": "2026-12-08", "start": "14:00"}),
    ("Figeac de 14h à 18h le 10/12", "fr", {"date": "2026-12-10", "start": "14:00"}),
    ("reserver a figeac le 10 a 9h", "fr", {"date": "2026-12-10", "start": "09:00", "end": None}),
    ("Figeac à midi demain", "fr", {"date": "2026-12-04", "start": "12:00"}),
    ("Figeac demain de midi à 14h", "fr", {"start": "12:00", "end": "14:00"}),
    ("Figeac demain de 2h à 5h", "fr", {"start": "14:00", "end": "17:00"}),
    ("Figeac demain 14:00-15:30", "fr", {"start": "14:00", "end": "15:30"}),
    ("Figeac demain entre 9h et 11h15", "fr", {"start": "09:00", "end": "11:15"}),
    ("Figeac demain 8h30 12h30", "fr", {"start": "08:30", "end": "12:30"}),
    ("Figeac demain de 9 à 12", "fr", {"start": "09:00", "end": "12:00"}),
    ("Figeac demain 9-12h", "fr", {"start": "09:00", "end": "12:00"}),
    ("Figeac demain à 14h pendant 2h", "fr", {"start": "14:00", "end": "16:00"}),
    ("Figeac demain à 9h et demie", "fr", {"start": "09:30"}),
    ("Figeac lundi de 8h à 12h et de 14h à 18h", "fr", {"start": "08:00", "end": "12:00"}),
    ("Figeac demain 3h de l'après-midi", "fr", {"start": "15:00"}),
    ("today at 3pm in Figeac", "en", {"date": "2026-12-03", "start": "15:00"}),
    ("Figeac tomorrow 9:30am to 12:30pm", "en", {"start": "09:30", "end": "12:30"}),
    ("Figeac on Tuesday 2-4pm", "en", {"start": "14:00", "end": "16:00"}),
    ("Figeac tomorrow from noon", "en", {"start": "12:00", "end": None}),
    ("Figeac tomorrow until 4 pm", "en", {"start": None, "end": "16:00"}),
    ("Figeac tomorrow for 2 hours from 10am", "en", {"start": "10:00", "end": "12:00"}),
    ("Need a desk tomorrow in Cassaniouze, 9 to 12", "en", {"start": "09:00", "end": "12:00"}),
    (
        "meeting room for 8 at Aurillac next Wednesday 10-12",
        "en",
        {"date": "2026-12-09", "start": "10:00", "end": "12:00", "count": 8},
    ),
    ("réserver lundi 9-17 à Figeac", "fr", {"start": "09:00", "end": "17:00"}),
    ("dans 2-3 jours à Figeac", "fr", {"start": None, "end": None}),
    # numbers that are not times
    ("Figeac le 14", "fr", {"date": "2026-12-14", "start": None}),
    ("Figeac dans 2 heures", "fr", {"start": None}),
]

PERIODS: list[tuple[str, str, str | None]] = [
    ("Figeac lundi matin", "fr", "morning"),
    ("Figeac lundi en matinée", "fr", "morning"),
    ("Figeac lundi après-midi", "fr", "afternoon"),
    ("Figeac lundi aprèm", "fr", "afternoon"),
    ("Figeac lundi apres midi", "fr", "afternoon"),
    ("Figeac lundi toute la journée", "fr", "day"),
    ("Figeac lundi la journée entière", "fr", "day"),
    ("Figeac lundi matin et après-midi", "fr", "day"),
    ("Figeac lundi une demi-journée", "fr", None),
    ("Figeac lundi, bonne journée !", "fr", None),
    ("Figeac Monday morning", "en", "morning"),
    ("Figeac Monday afternoon", "en", "afternoon"),
    ("Figeac Monday, the whole day", "en", "day"),
    ("Good morning, Figeac on Monday", "en", None),
    ("Figeac lundi de 9h à 12h", "fr", None),
]

COUNTS: list[tuple[str, str, dict[str, Any]]] = [
    ("deux bureaux à Figeac demain", "fr", {"count": 2, "resource": "desk"}),
    ("3 postes à Aurillac le 9", "fr", {"count": 3, "date": "2026-12-09", "resource": "desk"}),
    ("un bureau à Figeac demain", "fr", {"count": None, "resource": "desk"}),
    ("une place à Figeac demain", "fr", {"count": None, "resource": "desk"}),
    ("un bureau pour moi et un collègue", "fr", {"count": 2}),
    ("moi et deux collègues à Figeac", "fr", {"count": 3}),
    ("moi + 2 collègues à Figeac demain", "fr", {"count": 3}),
    ("un bureau pour mon collègue et moi à Figeac jeudi", "fr", {"count": 2}),
    ("réserver un bureau avec un collègue à Figeac lundi", "fr", {"count": 2}),
    ("réserver pour nous deux à Figeac lundi", "fr", {"count": 2}),
    ("on sera 5 dans la salle de réunion de Figeac", "fr", {"count": 5}),
    ("nous sommes quatre, une salle à Figeac", "fr", {"count": 4}),
    ("salle pour une équipe de 8 à Decazeville", "fr", {"count": 8}),
    ("salle de visio à Aurillac pour 4 demain à 10h", "fr", {"count": 4, "start": "10:00"}),
    ("a desk for me and a colleague at Figeac", "en", {"count": 2}),
    ("a room for 6 people at Aurillac", "en", {"count": 6, "resource": "meeting_room"}),
    ("a team of 5 at Figeac tomorrow", "en", {"count": 5}),
    (
        "réunion à Figeac lundi 9h-11h 6 personnes",
        "fr",
        {"count": 6, "resource": "meeting_room", "start": "09:00", "end": "11:00"},
    ),
    (
        "room in Decazeville Friday 2-4pm 4 people",
        "en",
        {"count": 4, "resource": "meeting_room", "start": "14:00", "end": "16:00"},
    ),
    ("meeting at Figeac 10-11am for 8", "en", {"count": 8, "start": "10:00", "end": "11:00"}),
    ("Figeac pour 2 jours à partir du 14", "fr", {"count": None, "end_date": "2026-12-15"}),
    ("Figeac pour le 14", "fr", {"count": None, "date": "2026-12-14"}),
    ("Figeac pour 14h", "fr", {"count": None, "start": "14:00"}),
]

RESOURCES: list[tuple[str, str, str | None]] = [
    ("une salle de réunion à Figeac", "fr", "meeting_room"),
    ("la salle de visio d'Aurillac", "fr", "meeting_room"),
    ("un espace pour une réunion à Figeac", "fr", "meeting_room"),
    ("un poste de travail à Figeac", "fr", "desk"),
    ("il reste de la place à Figeac ?", "fr", None),
    ("book the conference room in Figeac", "en", "meeting_room"),
    ("is there room at Figeac tomorrow?", "en", None),
    ("a desk in Figeac", "en", "desk"),
    # a meeting booked, or with its people counted, is a meeting room ...
    ("réunion à Decazeville vendredi 10h-12h 4 personnes", "fr", "meeting_room"),
    ("room at Figeac Monday 9-11am 5 people", "en", "meeting_room"),
    ("une réunion à Montmurat lundi pour 6", "fr", "meeting_room"),
    ("meeting in Cassaniouze on Wednesday, we'll be 3", "en", "meeting_room"),
    ("visio à Figeac jeudi avec deux collègues", "fr", "meeting_room"),
    ("je voudrais organiser une réunion à Aurillac mardi", "fr", "meeting_room"),
    ("can I book a meeting at Figeac on Friday afternoon?", "en", "meeting_room"),
    ("rooms at Decazeville for a team of 7", "en", "meeting_room"),
    # ... not what the person will be doing, nor room meaning space, nor a desk named
    ("je serai en visio toute la journée demain à Figeac", "fr", None),
    ("I'm in a meeting all morning, is there room at Figeac later?", "en", None),
    ("is there room for 3 people at Figeac tomorrow?", "en", None),
    ("un bureau à Figeac pour ma visio de 14h", "fr", "desk"),
    ("I have a meeting in Aurillac, need a desk for 2 people nearby", "en", "desk"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), TIMES, ids=[c[0] for c in TIMES])
def test_clock_times(
    understand: Understand, text: str, lang: str, expected: dict[str, Any]
) -> None:
    check(understand(text, THU, lang), expected)


@pytest.mark.parametrize(("text", "lang", "period"), PERIODS, ids=[c[0] for c in PERIODS])
def test_parts_of_the_day(understand: Understand, text: str, lang: str, period: str | None) -> None:
    check(understand(text, THU, lang), {"period": period})


@pytest.mark.parametrize(("text", "lang", "expected"), COUNTS, ids=[c[0] for c in COUNTS])
def test_counts(understand: Understand, text: str, lang: str, expected: dict[str, Any]) -> None:
    check(understand(text, THU, lang), expected)


@pytest.mark.parametrize(("text", "lang", "resource"), RESOURCES, ids=[c[0] for c in RESOURCES])
def test_resources(understand: Understand, text: str, lang: str, resource: str | None) -> None:
    check(understand(text, THU, lang), {"resource": resource})


# A number alone is a choice, a count or a day: only the question asked can tell.
BARE_NUMBERS: list[tuple[str, str, dict[str, Any]]] = [
    ("14", "fr", {"bare_number": 14, "date": None, "count": None, "start": None}),
    ("9 !", "fr", {"bare_number": 9, "date": None}),
    ("3 stp", "fr", {"bare_number": 3}),
    ("deux", "fr", {"bare_number": 2, "count": None}),
    ("twelve please", "en", {"bare_number": 12}),
    ("Figeac 28", "fr", {"bare_number": 28, "centre": "figeac", "date": None}),
    # ... and a number that says what it is is no bare number
    ("le 14", "fr", {"bare_number": None, "date": "2026-12-14"}),
    ("the 9th", "en", {"bare_number": None, "date": "2026-12-09"}),
    ("14h", "fr", {"bare_number": None, "start": "14:00"}),
    ("pour 2", "fr", {"bare_number": None, "count": 2}),
    ("4 personnes", "fr", {"bare_number": None, "count": 4}),
    ("2.5", "fr", {"bare_number": None}),
    ("je veux 3", "fr", {"bare_number": None}),
    ("1000", "fr", {"bare_number": None}),
]


@pytest.mark.parametrize(
    ("text", "lang", "expected"), BARE_NUMBERS, ids=[c[0] for c in BARE_NUMBERS]
)
def test_bare_numbers(
    understand: Understand, text: str, lang: str, expected: dict[str, Any]
) -> None:
    check(understand(text, THU, lang), expected)
