"""The documented date rules on awkward reference days.

Year end (Wednesday 30 December 2026), the spring change to summer time (Sunday
28 March 2027, when 02:00 becomes 03:00 in Paris), the end of February in a common year
(2027) and in a leap year (2028), plus ranges and the weekday/date disagreement flag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from booking_core.network import Network
from handlers.nlu import parse
from tests.nlu.conftest import Understand, check

THU = "2026-12-03T10:00"
YEAR_END = "2026-12-30T09:00"  # a Wednesday
DST = "2027-03-28T10:00"  # a Sunday, the day clocks go forward
FEB_2027 = "2027-02-26T08:00"  # a Friday
FEB_2028 = "2028-02-28T08:00"  # a Monday, the day before 29 February

CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    # a date that does not exist is flagged, never read as something else
    # (as the user wrote it, accents and capitals kept, so that the reply can echo it)
    ("un bureau le 30 février à Figeac", THU, "fr", {"date": None, "invalid_date": "30 février"}),
    ("réserver le 31/11 à decaz", THU, "fr", {"date": None, "invalid_date": "31/11"}),
    ("desk at Figeac on 31 April", THU, "en", {"date": None, "invalid_date": "31 April"}),
    ("le 31 SEPTEMBRE", THU, "fr", {"invalid_date": "31 SEPTEMBRE"}),
    ("Figeac, 30 Févr. 2027", THU, "fr", {"invalid_date": "30 Févr. 2027"}),
    ("June  31st please", THU, "en", {"invalid_date": "June 31st"}),
    ("le 31.04.2027", THU, "fr", {"invalid_date": "31.04.2027"}),
    ("Figeac 29 février", FEB_2027, "fr", {"date": "2028-02-29", "invalid_date": None}),
    # a yearless date just past is next year's by the rule, and flagged so the bot can ask
    ("Figeac le 2 décembre", THU, "fr", {"date": "2027-12-02", "rolled_year": True}),
    ("desk on November 20th", THU, "en", {"date": "2027-11-20", "rolled_year": True}),
    ("réserver le 28/11", THU, "fr", {"date": "2027-11-28", "rolled_year": True}),
    ("le 27 décembre", "2027-01-04T09:00", "fr", {"date": "2027-12-27", "rolled_year": True}),
    ("du 1er décembre au 4 décembre", THU, "fr", {"date": "2027-12-01", "rolled_year": True}),
    ("tous les lundis jusqu'au 1er décembre", THU, "fr", {"rolled_year": True}),
    # ... but not a date further back, today, a date to come or one with its year
    ("Figeac le 15 octobre", THU, "fr", {"date": "2027-10-15", "rolled_year": False}),
    ("Figeac le 3 décembre", THU, "fr", {"date": "2026-12-03", "rolled_year": False}),
    ("Figeac le 4 décembre", THU, "fr", {"date": "2026-12-04", "rolled_year": False}),
    ("le 2 décembre 2027", THU, "fr", {"date": "2027-12-02", "rolled_year": False}),
    ("Figeac le 2", THU, "fr", {"date": "2027-01-02", "rolled_year": False}),
    # weekdays: bare and "prochain" are strictly after today, "ce" includes today
    ("bureau montmurat ce vendredi", THU, "fr", {"date": "2026-12-04"}),
    ("bureau montmurat ce jeudi", THU, "fr", {"date": "2026-12-03"}),
    ("bureau montmurat jeudi", THU, "fr", {"date": "2026-12-10"}),
    ("bureau à Figeac jeudi prochain", THU, "fr", {"date": "2026-12-10"}),
    ("bureau à Cassaniouze jeudi en huit", THU, "fr", {"date": "2026-12-10"}),
    ("la semaine prochaine le mardi à Figeac", THU, "fr", {"date": "2026-12-08"}),
    ("Figeac vendredi de la semaine prochaine", THU, "fr", {"date": "2026-12-11"}),
    ("desk on Thursday next week", THU, "en", {"date": "2026-12-10"}),
    ("desk this Thursday", THU, "en", {"date": "2026-12-03"}),
    # relative days
    ("un poste à Figeac dans quinze jours", THU, "fr", {"date": "2026-12-17"}),
    ("un poste à Figeac dans 15 jours", THU, "fr", {"date": "2026-12-17"}),
    ("un poste à Figeac dans une semaine", THU, "fr", {"date": "2026-12-10"}),
    ("desk in two weeks", THU, "en", {"date": "2026-12-17"}),
    ("réserver à Figeac ce midi", THU, "fr", {"date": "2026-12-03", "start": "12:00"}),
    # day numbers and explicit dates, today included, else the next one
    ("réserver à Aurillac le 3", THU, "fr", {"date": "2026-12-03"}),
    ("réserver à Aurillac le 2", THU, "fr", {"date": "2027-01-02"}),
    ("réserver à Aurillac le 3 décembre", THU, "fr", {"date": "2026-12-03"}),
    ("réserver à Aurillac le 2 décembre", THU, "fr", {"date": "2027-12-02"}),
    ("réserver à Figeac le 12.01.2027", THU, "fr", {"date": "2027-01-12"}),
    ("Réserver à Montmurat le 4 janv.", THU, "fr", {"date": "2027-01-04"}),
    ("Réserver à Montmurat le 04/01/2027", THU, "fr", {"date": "2027-01-04"}),
    ("réserver à Figeac le 12 du mois prochain", THU, "fr", {"date": "2027-01-12"}),
    ("book figeac 12/14", THU, "en", {"date": "2026-12-14"}),
    # ranges of days
    ("Figeac du 14 au 18 décembre", THU, "fr", {"date": "2026-12-14", "end_date": "2026-12-18"}),
    ("Figeac du 14 au 18", THU, "fr", {"date": "2026-12-14", "end_date": "2026-12-18"}),
    (
        "Figeac du 28 décembre au 3 janvier",
        THU,
        "fr",
        {"date": "2026-12-28", "end_date": "2027-01-03"},
    ),
    ("Figeac 14-18 décembre", THU, "fr", {"date": "2026-12-14", "end_date": "2026-12-18"}),
    ("Figeac de lundi à mercredi", THU, "fr", {"date": "2026-12-07", "end_date": "2026-12-09"}),
    ("Figeac lundi et mardi", THU, "fr", {"date": "2026-12-07", "end_date": "2026-12-08"}),
    ("Figeac lundi et mercredi", THU, "fr", {"date": "2026-12-07", "end_date": None}),
    ("Figeac de demain jusqu'à vendredi", THU, "fr", {"date": "2026-12-04", "end_date": None}),
    ("Figeac de lundi jusqu'au 11", THU, "fr", {"date": "2026-12-07", "end_date": "2026-12-11"}),
    (
        "Figeac pendant 3 jours à partir de lundi",
        THU,
        "fr",
        {"date": "2026-12-07", "end_date": "2026-12-09"},
    ),
    (
        "Figeac toute la semaine prochaine",
        THU,
        "fr",
        {"date": "2026-12-07", "end_date": "2026-12-13"},
    ),
    (
        "réserver à Figeac la semaine du 14 décembre",
        THU,
        "fr",
        {"date": "2026-12-14", "end_date": "2026-12-20"},
    ),
    ("book Figeac from Monday to Wednesday", THU, "en", {"date": "2026-12-07"}),
    ("book Figeac from the 14th to the 18th", THU, "en", {"end_date": "2026-12-18"}),
    ("book Figeac December 14-18", THU, "en", {"date": "2026-12-14", "end_date": "2026-12-18"}),
    (
        "book Figeac between 14 and 18 December",
        THU,
        "en",
        {"date": "2026-12-14", "end_date": "2026-12-18"},
    ),
    # year end
    ("bureau à Figeac mardi", YEAR_END, "fr", {"date": "2027-01-05"}),
    ("bureau à Figeac le 2", YEAR_END, "fr", {"date": "2027-01-02"}),
    ("bureau à Figeac le 31", YEAR_END, "fr", {"date": "2026-12-31"}),
    ("bureau à Figeac 05/01", YEAR_END, "fr", {"date": "2027-01-05"}),
    ("bureau à Figeac dans 3 jours", YEAR_END, "fr", {"date": "2027-01-02"}),
    ("bureau à Figeac la semaine prochaine le lundi", YEAR_END, "fr", {"date": "2027-01-04"}),
    ("bureau à Figeac jeudi de la semaine prochaine", YEAR_END, "fr", {"date": "2027-01-07"}),
    ("desk at Figeac on January 2nd", YEAR_END, "en", {"date": "2027-01-02"}),
    # spring time change
    ("bureau à Figeac lundi", DST, "fr", {"date": "2027-03-29"}),
    ("bureau à Figeac ce dimanche", DST, "fr", {"date": "2027-03-28"}),
    ("bureau à Figeac demain matin", DST, "fr", {"date": "2027-03-29", "period": "morning"}),
    ("bureau à Figeac dans 2 jours", DST, "fr", {"date": "2027-03-30"}),
    ("bureau à Figeac le 28 mars", DST, "fr", {"date": "2027-03-28"}),
    ("desk at Figeac next Sunday", DST, "en", {"date": "2027-04-04"}),
    # end of February
    ("bureau à Figeac le 29 février", FEB_2027, "fr", {"date": "2028-02-29"}),
    ("bureau à Figeac le 29", FEB_2027, "fr", {"date": "2027-03-29"}),
    ("bureau à Figeac le 30", FEB_2027, "fr", {"date": "2027-03-30"}),
    ("bureau à Figeac lundi", FEB_2027, "fr", {"date": "2027-03-01"}),
    ("bureau à Figeac dans 3 jours", FEB_2027, "fr", {"date": "2027-03-01"}),
    ("bureau à Figeac le 29", FEB_2028, "fr", {"date": "2028-02-29"}),
    ("bureau à Figeac demain", FEB_2028, "fr", {"date": "2028-02-29"}),
    ("bureau à Figeac après-demain", FEB_2028, "fr", {"date": "2028-03-01"}),
    ("bureau Figeac 29/02", FEB_2028, "fr", {"date": "2028-02-29"}),
    ("bureau Figeac mardi 29 février", FEB_2028, "fr", {"weekday_mismatch": False}),
    ("desk at Figeac on February 29th", FEB_2028, "en", {"date": "2028-02-29"}),
    (
        "Figeac du 27 février au 2 mars",
        "2028-02-01T08:00",
        "fr",
        {"date": "2028-02-27", "end_date": "2028-03-02"},
    ),
    # an explicit date wins over a weekday that disagrees, and says so
    (
        "bureau Figeac vendredi 11 décembre",
        THU,
        "fr",
        {"date": "2026-12-11", "weekday_mismatch": False},
    ),
    (
        "bureau Figeac vendredi 17 décembre",
        THU,
        "fr",
        {"date": "2026-12-17", "weekday_mismatch": True},
    ),
    ("bureau Figeac lundi 15/12", THU, "fr", {"date": "2026-12-15", "weekday_mismatch": True}),
    ("bureau Figeac mardi 16", THU, "fr", {"date": "2026-12-16", "weekday_mismatch": True}),
    ("desk Friday December 18", THU, "en", {"date": "2026-12-18", "weekday_mismatch": False}),
]


@pytest.mark.parametrize(
    ("text", "now", "lang", "expected"), CASES, ids=[f"{c[1][:10]} {c[0]}" for c in CASES]
)
def test_date_rules(
    understand: Understand, text: str, now: str, lang: str, expected: dict[str, Any]
) -> None:
    check(understand(text, now, lang), expected)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 23:30 UTC on 27 March is already 28 March in Paris (UTC+1 before the change).
        (datetime(2027, 3, 27, 23, 30, tzinfo=ZoneInfo("UTC")), "2027-03-29"),
        # 00:30 UTC on 28 March is 01:30 in Paris, half an hour before the change.
        (datetime(2027, 3, 28, 0, 30, tzinfo=ZoneInfo("UTC")), "2027-03-29"),
        # 22:30 UTC on 28 March is 00:30 on the 29th in summer time (UTC+2).
        (datetime(2027, 3, 28, 22, 30, tzinfo=ZoneInfo("UTC")), "2027-03-30"),
        # A naive moment is already local.
        (datetime(2027, 3, 28, 2, 30), "2027-03-29"),
    ],
)
def test_today_is_the_networks_calendar_day(
    nlu_network: Network, moment: datetime, expected: str
) -> None:
    assert parse("bureau à Figeac demain", moment, "fr", nlu_network).as_json()["date"] == expected


# A change names the day moved from and the new day, each read by the usual rules (a bare
# weekday is its next occurrence), never as a range; its intent is book, with ``change``.
CHANGES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "déplacer ma réservation de jeudi à lundi",
        "fr",
        {"intent": "book", "change": True, "from_date": "2026-12-10", "date": "2026-12-07"},
    ),
    (
        "tu peux décaler ma résa du mercredi au vendredi ?",
        "fr",
        {"change": True, "from_date": "2026-12-09", "date": "2026-12-04", "end_date": None},
    ),
    (
        "je voudrais reporter ma réservation de demain à mardi",
        "fr",
        {"intent": "book", "change": True, "from_date": "2026-12-04", "date": "2026-12-08"},
    ),
    (
        "modifier la résa du 10/12 pour le 17/12",
        "fr",
        {"change": True, "from_date": "2026-12-10", "date": "2026-12-17"},
    ),
    (
        "mettez-moi lundi au lieu de mardi, on peut modifier ?",
        "fr",
        {"change": True, "from_date": "2026-12-08", "date": "2026-12-07"},
    ),
    ("changer ma réservation de vendredi", "fr", {"change": True, "from_date": "2026-12-04"}),
    (
        "déplacer ma résa à mercredi",
        "fr",
        {"change": True, "from_date": None, "date": "2026-12-09"},
    ),
    ("je voudrais modifier ma réservation", "fr", {"intent": "book", "change": True}),
    (
        "could you move my booking from Monday to Wednesday?",
        "en",
        {"intent": "book", "change": True, "from_date": "2026-12-07", "date": "2026-12-09"},
    ),
    (
        "reschedule my Friday booking to next Tuesday",
        "en",
        {"change": True, "from_date": "2026-12-04", "date": "2026-12-08"},
    ),
    ("change my booking to tomorrow", "en", {"change": True, "date": "2026-12-04"}),
    # ... and what is not a change stays what it was
    (
        "du lundi au vendredi à Figeac",
        "fr",
        {"change": False, "date": "2026-12-07", "end_date": "2026-12-11", "from_date": None},
    ),
    ("je dois me déplacer à Figeac jeudi", "fr", {"intent": "book", "change": False}),
    ("comment déplacer une réservation ?", "fr", {"intent": "faq", "change": False}),
    ("frais de déplacement", "fr", {"intent": "faq", "change": False}),
    ("I'm moving to Figeac next month", "en", {"change": False}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), CHANGES, ids=[c[0] for c in CHANGES])
def test_changes(understand: Understand, text: str, lang: str, expected: dict[str, Any]) -> None:
    check(understand(text, THU, lang), expected)


# Several separate days listed: ``dates`` in the order said, ``periods`` aligned with it,
# ``date`` the first, ``period`` only when they agree. Each day is read after the one
# before, as a range's end is; two days in a row with nothing said between them stay one
# stay (date and end_date), in French as in English.
LISTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "bureau à Figeac lundi et jeudi",
        "fr",
        {"date": "2026-12-07", "dates": ["2026-12-07", "2026-12-10"], "periods": [None, None]},
    ),
    ("Monday and Thursday at Figeac", "en", {"dates": ["2026-12-07", "2026-12-10"]}),
    ("un poste le 14 et le 16", "fr", {"dates": ["2026-12-14", "2026-12-16"], "end_date": None}),
    ("desk on the 21st and the 23rd", "en", {"dates": ["2026-12-21", "2026-12-23"]}),
    (
        "Aurillac mardi, jeudi et vendredi",
        "fr",
        {"dates": ["2026-12-08", "2026-12-10", "2026-12-11"], "periods": [None, None, None]},
    ),
    (
        "on Tuesday, Wednesday and Friday",
        "en",
        {"dates": ["2026-12-08", "2026-12-09", "2026-12-11"]},
    ),
    # the part of the day said with each day, or once at the end for all of them
    (
        "mercredi matin et vendredi après-midi à Decazeville",
        "fr",
        {
            "date": "2026-12-09",
            "dates": ["2026-12-09", "2026-12-11"],
            "periods": ["morning", "afternoon"],
            "period": None,
        },
    ),
    (
        "jeudi matin et vendredi après-midi",
        "fr",
        {"dates": ["2026-12-10", "2026-12-11"], "periods": ["morning", "afternoon"]},
    ),
    (
        "Monday afternoon and Wednesday morning",
        "en",
        {"dates": ["2026-12-07", "2026-12-09"], "periods": ["afternoon", "morning"]},
    ),
    (
        "Figeac lundi et mercredi l'aprem",
        "fr",
        {
            "dates": ["2026-12-07", "2026-12-09"],
            "periods": ["afternoon"] * 2,
            "period": "afternoon",
        },
    ),
    (
        "the 15th and the 17th in the morning",
        "en",
        {"dates": ["2026-12-15", "2026-12-17"], "periods": ["morning"] * 2, "period": "morning"},
    ),
    (
        "lundi matin et jeudi",
        "fr",
        {"dates": ["2026-12-07", "2026-12-10"], "periods": ["morning", None], "period": None},
    ),
    # a day number borrows the month said after it; days are read in calendar order
    ("Figeac le 5 et le 8 janvier", "fr", {"dates": ["2027-01-05", "2027-01-08"]}),
    ("le 30 et le 2", "fr", {"dates": ["2026-12-30", "2027-01-02"]}),
    ("demain et mardi", "fr", {"dates": ["2026-12-04", "2026-12-08"]}),
    ("tomorrow and Monday", "en", {"dates": ["2026-12-04", "2026-12-07"]}),
    ("annule lundi et mercredi", "fr", {"intent": "cancel", "dates": ["2026-12-07", "2026-12-09"]}),
    # two days in a row are one stay, also when said on one of those weekdays
    (
        "bureau à Figeac jeudi et vendredi matin",
        "fr",
        {"date": "2026-12-10", "end_date": "2026-12-11", "period": "morning", "dates": None},
    ),
    (
        "Thursday and Friday morning",
        "en",
        {"date": "2026-12-10", "end_date": "2026-12-11", "period": "morning", "dates": None},
    ),
    ("le 15 et le 16", "fr", {"date": "2026-12-15", "end_date": "2026-12-16", "dates": None}),
    # ... and what is no list stays what it was
    ("lundi ou jeudi", "fr", {"date": "2026-12-07", "dates": None, "periods": None}),
    ("Monday or Thursday", "en", {"date": "2026-12-07", "dates": None}),
    ("demain vendredi", "fr", {"date": "2026-12-04", "dates": None}),
    ("demain et vendredi", "fr", {"date": "2026-12-04", "dates": None}),
    ("entre le 14 et le 18", "fr", {"end_date": "2026-12-18", "dates": None}),
    (
        "tous les mardis et vendredis",
        "fr",
        {"recurrence": {"weekdays": ["tue", "fri"], "until": None}, "dates": None},
    ),
    ("annule lundi et réserve jeudi", "fr", {"date": "2026-12-07", "dates": None}),
    ("Figeac lundi matin et après-midi", "fr", {"period": "day", "dates": None}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), LISTS, ids=[c[0] for c in LISTS])
def test_days_listed(
    understand: Understand, text: str, lang: str, expected: dict[str, Any]
) -> None:
    check(understand(text, THU, lang), expected)
    check(understand(text, THU, None), expected)
