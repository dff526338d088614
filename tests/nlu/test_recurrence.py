"""Repeated bookings: weekdays, the first occurrence from tomorrow on, and the end.

"jusqu'à fin décembre" ends on 31 December, "en janvier" on 31 January and starts inside
January. Reference: Thursday 3 December 2026 unless stated.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.nlu.conftest import Understand, check

THU = "2026-12-03T10:00"
ALL = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def rec(weekdays: list[str], until: str | None) -> dict[str, Any]:
    return {"weekdays": weekdays, "until": until}


CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "tous les mardis et jeudis à Figeac jusqu'au 22 décembre",
        THU,
        "fr",
        {"date": "2026-12-08", "recurrence": rec(["tue", "thu"], "2026-12-22")},
    ),
    (
        "chaque jeudi en janvier à Aurillac",
        THU,
        "fr",
        {"date": "2027-01-07", "recurrence": rec(["thu"], "2027-01-31")},
    ),
    (
        "les lundis matin à Decazeville jusqu'à fin janvier",
        THU,
        "fr",
        {"date": "2026-12-07", "period": "morning", "recurrence": rec(["mon"], "2027-01-31")},
    ),
    (
        "toutes les semaines le vendredi à Figeac",
        THU,
        "fr",
        {"date": "2026-12-04", "recurrence": rec(["fri"], None)},
    ),
    # said on a Thursday, "every Thursday" starts next week: tomorrow on
    ("chaque jeudi à Figeac", THU, "fr", {"date": "2026-12-10", "recurrence": rec(["thu"], None)}),
    (
        "tous les lundis et mercredis matin à Figeac en janvier",
        THU,
        "fr",
        {
            "date": "2027-01-04",
            "period": "morning",
            "recurrence": rec(["mon", "wed"], "2027-01-31"),
        },
    ),
    (
        "tous les jeudis à partir du 7 janvier à Figeac",
        THU,
        "fr",
        {"date": "2027-01-07", "recurrence": rec(["thu"], None)},
    ),
    (
        "chaque vendredi jusqu'au 18/12 à Aurillac",
        THU,
        "fr",
        {"date": "2026-12-04", "recurrence": rec(["fri"], "2026-12-18")},
    ),
    (
        "tous les mardis à Figeac jusqu'à la fin de l'année",
        THU,
        "fr",
        {"recurrence": rec(["tue"], "2026-12-31")},
    ),
    (
        "tous les mardis à Figeac jusqu'à la fin du mois",
        THU,
        "fr",
        {"recurrence": rec(["tue"], "2026-12-31")},
    ),
    (
        "tous les jeudis pendant 3 semaines à Figeac",
        THU,
        "fr",
        {"date": "2026-12-10", "recurrence": rec(["thu"], "2026-12-30")},
    ),
    (
        "chaque jeudi du mois de janvier à Figeac",
        THU,
        "fr",
        {"date": "2027-01-07", "recurrence": rec(["thu"], "2027-01-31")},
    ),
    (
        "tous les mardis de décembre à Figeac",
        THU,
        "fr",
        {"date": "2026-12-08", "recurrence": rec(["tue"], "2026-12-31")},
    ),
    (
        "tous les lundis du 4 au 25 janvier",
        THU,
        "fr",
        {"date": "2027-01-04", "recurrence": rec(["mon"], "2027-01-25")},
    ),
    (
        "du lundi au vendredi toutes les semaines à Figeac",
        THU,
        "fr",
        {"date": "2026-12-04", "recurrence": rec(ALL[:5], None)},
    ),
    (
        "tous les jours de la semaine prochaine à Figeac",
        THU,
        "fr",
        {"date": "2026-12-07", "recurrence": rec(ALL, "2026-12-13")},
    ),
    (
        "tous les jours ouvrés jusqu'au 18 décembre",
        THU,
        "fr",
        {"date": "2026-12-04", "recurrence": rec(ALL[:5], "2026-12-18")},
    ),
    # English
    (
        "every Monday at Figeac until December 21",
        THU,
        "en",
        {"date": "2026-12-07", "recurrence": rec(["mon"], "2026-12-21")},
    ),
    (
        "every Wednesday in January at Montmurat",
        THU,
        "en",
        {"date": "2027-01-06", "recurrence": rec(["wed"], "2027-01-31")},
    ),
    (
        "on Tuesdays and Thursdays at Figeac through January",
        THU,
        "en",
        {"date": "2026-12-08", "recurrence": rec(["tue", "thu"], "2027-01-31")},
    ),
    (
        "every Friday morning at Aurillac until the end of January",
        THU,
        "en",
        {"date": "2026-12-04", "period": "morning", "recurrence": rec(["fri"], "2027-01-31")},
    ),
    ("weekly on Monday at Figeac", THU, "en", {"recurrence": rec(["mon"], None)}),
    (
        "Mondays in February at Figeac",
        THU,
        "en",
        {"date": "2027-02-01", "recurrence": rec(["mon"], "2027-02-28")},
    ),
    # other reference days
    (
        "tous les jeudis à Figeac jusqu'au 21 janvier",
        "2026-12-30T09:00",
        "fr",
        {"date": "2026-12-31", "recurrence": rec(["thu"], "2027-01-21")},
    ),
    (
        "chaque mardi en mars à Figeac",
        "2028-02-28T08:00",
        "fr",
        {"date": "2028-03-07", "recurrence": rec(["tue"], "2028-03-31")},
    ),
    (
        "tous les mardis jusqu'à fin février",
        "2028-02-01T08:00",
        "fr",
        {"date": "2028-02-08", "recurrence": rec(["tue"], "2028-02-29")},
    ),
    (
        "every Sunday until April",
        "2027-03-28T10:00",
        "en",
        {"date": "2027-04-04", "recurrence": rec(["sun"], "2027-04-30")},
    ),
    # not repeated
    ("le mardi 8 à Figeac", THU, "fr", {"recurrence": None, "date": "2026-12-08"}),
    ("on Monday at Figeac", THU, "en", {"recurrence": None, "date": "2026-12-07"}),
]


@pytest.mark.parametrize(
    ("text", "now", "lang", "expected"), CASES, ids=[f"{c[1][:10]} {c[0]}" for c in CASES]
)
def test_recurrence(
    understand: Understand, text: str, now: str, lang: str, expected: dict[str, Any]
) -> None:
    result = understand(text, now, lang)
    check(result, {"intent": "book", **expected} if "intent" not in expected else expected)
