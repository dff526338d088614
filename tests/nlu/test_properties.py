"""Property-based tests: any string is safe, and the date rules hold on every day.

Random Unicode, very long messages, emoji, control characters and SQL-looking strings
must never raise: the answer is ``unknown`` or a best effort, always within the contract.
The date rules are checked on every reference day hypothesis can think of, which covers
year ends, leap days and time changes without listing them.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking_core.network import load_network
from handlers.nlu import MAX_CHARS, parse
from handlers.nlu.intents import INTENTS

NETWORK = load_network()
CENTRES = {c.id for c in NETWORK}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLOCK = re.compile(r"^\d{2}:\d{2}$")
WEEKDAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31))
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))
emoji = st.sampled_from(["🙂", "👍", "🗓️", "🏢", "💻", "🙏", "😅", "☕", "🇫🇷", "👩‍💻"])
controls = st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp"])
SQL = [
    "'; DROP TABLE bookings; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM users WHERE ('a'='a",
    "UNION SELECT password FROM users --",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "%s%s%s%n",
    "\\x00\\u0000",
]
GRAMMAR = [
    "réserver",
    "annuler",
    "le",
    "du",
    "au",
    "de",
    "à",
    "14",
    "1er",
    "9h",
    "9h30",
    "-",
    "12h",
    "midi",
    "lundi",
    "mardis",
    "tous les",
    "chaque",
    "jusqu'au",
    "fin",
    "décembre",
    "15/12",
    "12.03.2027",
    "prochain",
    "semaine",
    "en huit",
    "dans",
    "3",
    "jours",
    "quinze",
    "moi et",
    "un collègue",
    "pour",
    "6",
    "personnes",
    "entre",
    "et",
    "Figeac",
    "figeak",
    "Orillac",
    "la pépinière",
    "Maison de l'Emploi",
    "?",
    "matin",
    "après-midi",
    "every",
    "Monday",
    "until",
    "from",
    "to",
    "2pm",
]


def assert_within_contract(result: dict[str, Any]) -> None:
    assert result["intent"] in INTENTS
    assert result["centre"] is None or result["centre"] in CENTRES
    for key in ("date", "end_date"):
        assert result[key] is None or ISO_DAY.match(result[key])
    for key in ("start", "end"):
        assert result[key] is None or CLOCK.match(result[key])
    assert result["period"] in (None, "morning", "afternoon", "day")
    assert result["resource"] in (None, "desk", "meeting_room")
    assert result["count"] is None or 1 <= result["count"] <= 501
    if result["recurrence"] is not None:
        assert result["recurrence"]["weekdays"]
        assert result["date"] is not None
    if result["dates"] is not None:
        assert len(set(result["dates"])) == len(result["dates"]) >= 2
        assert all(ISO_DAY.match(d) for d in result["dates"])
        assert result["date"] == result["dates"][0]
        assert len(result["periods"]) == len(result["dates"])
        assert set(result["periods"]) <= {None, "morning", "afternoon", "day"}
    else:
        assert result["periods"] is None
    json.dumps(result, ensure_ascii=False)


def understand(text: str, now: datetime, lang: str | None = "fr") -> dict[str, Any]:
    return parse(text, now, lang, NETWORK).as_json()


@settings(deadline=None)  # the first explicit date loads dateparser
@given(st.text(), moments, st.sampled_from([None, "fr", "en", "de", ""]))
def test_any_text_is_safe(text: str, now: datetime, lang: str | None) -> None:
    assert_within_contract(understand(text, now, lang))


@settings(deadline=None)  # the first explicit date loads dateparser
@given(st.text(alphabet=controls, max_size=300), moments)
def test_control_characters_and_surrogates(text: str, now: datetime) -> None:
    assert_within_contract(understand(text, now))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=40), st.integers(min_value=250, max_value=10_000), moments)
def test_very_long_messages_are_cut(piece: str, repeat: int, now: datetime) -> None:
    text = (piece * repeat)[:10_000]
    result = understand(text, now)
    assert_within_contract(result)
    assert result["truncated"] == (len(text) > MAX_CHARS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(GRAMMAR), min_size=1, max_size=400), moments)
def test_word_salad_of_the_grammar(words: list[str], now: datetime) -> None:
    assert_within_contract(understand(" ".join(words), now))


@settings(deadline=None)  # the first explicit date loads dateparser
@given(st.sampled_from(SQL), st.sampled_from(["", "réserver à Figeac demain ", "annuler "]))
def test_sql_and_markup_are_just_text(injection: str, prefix: str) -> None:
    now = datetime(2026, 12, 3, 10)
    result = understand(prefix + injection, now)
    assert_within_contract(result)
    if prefix.startswith("réserver"):
        assert (result["centre"], result["date"]) == ("figeac", "2026-12-04")


@settings(deadline=None)  # the first explicit date loads dateparser
@given(st.lists(emoji, max_size=6), st.lists(emoji, max_size=6))
def test_emoji_around_a_request_change_nothing(before: list[str], after: list[str]) -> None:
    now = datetime(2026, 12, 3, 10)
    text = "réserver un bureau à Figeac jeudi de 9h à 12h pour 2 personnes"
    plain = understand(text, now)
    assert understand(f"{''.join(before)} {text} {''.join(after)}", now) == plain


# --- the date rules on every day ------------------------------------------------------


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0))


@settings(deadline=None)  # the first explicit date loads dateparser
@given(days, st.integers(min_value=0, max_value=6), st.booleans())
def test_bare_weekday_is_strictly_after_today(today: date, weekday: int, english: bool) -> None:
    word = WEEKDAYS_EN[weekday] if english else WEEKDAYS_FR[weekday]
    found = date.fromisoformat(understand(f"bureau à Figeac {word}", _at(today))["date"])
    assert found.weekday() == weekday
    assert today < found <= today + timedelta(days=7)
    prochain = understand(f"bureau à Figeac {WEEKDAYS_FR[weekday]} prochain", _at(today))
    assert prochain["date"] == found.isoformat()


@settings(deadline=None)  # the first explicit date loads dateparser
@given(days, st.integers(min_value=0, max_value=6))
def test_next_week_weekday_is_in_next_calendar_week(today: date, weekday: int) -> None:
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    expected = (monday + timedelta(days=weekday)).isoformat()
    word = WEEKDAYS_FR[weekday]
    for text in (f"{word} de la semaine prochaine", f"la semaine prochaine le {word}"):
        assert understand(f"Figeac {text}", _at(today))["date"] == expected
    assert understand(f"Figeac {word} en huit", _at(today))["date"] == expected


@settings(deadline=None)  # the first explicit date loads dateparser
@given(days, st.integers(min_value=1, max_value=31))
def test_day_number_alone_is_the_next_such_day(today: date, number: int) -> None:
    found = date.fromisoformat(understand(f"bureau à Figeac le {number}", _at(today))["date"])
    assert found.day == number
    assert today <= found < today + timedelta(days=62)
    # nothing in between has that day of the month
    assert all((today + timedelta(d)).day != number for d in range((found - today).days))


@settings(deadline=None)  # the first explicit date loads dateparser
@given(days, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=31))
def test_day_and_month_are_the_next_such_date(today: date, month: int, day: int) -> None:
    text = f"bureau à Figeac le {day} {MONTHS_FR[month - 1]}"
    result = understand(text, _at(today))
    try:
        date(2000, month, day)
    except ValueError:
        return  # 31 avril: not a date, nothing to check but safety
    found = date.fromisoformat(result["date"])
    assert (found.month, found.day) == (month, day)
    assert today <= found <= today + timedelta(days=366 * 8)
    if (month, day) != (2, 29):
        assert found < today + timedelta(days=366)
    numeric = understand(f"bureau à Figeac le {day:02d}/{month:02d}", _at(today))
    assert numeric["date"] == result["date"]


@settings(deadline=None)  # the first explicit date loads dateparser
@given(days, st.integers(min_value=1, max_value=60))
def test_in_n_days(today: date, n: int) -> None:
    expected = today + timedelta(days={8: 7, 15: 14}.get(n, n))
    assert understand(f"Figeac dans {n} jours", _at(today))["date"] == expected.isoformat()
    assert (
        understand(f"Figeac in {n} days", _at(today), "en")["date"]
        == (today + timedelta(days=n)).isoformat()
    )


@settings(deadline=None)  # the first explicit date loads dateparser
@given(days, st.integers(min_value=0, max_value=6))
def test_recurrence_starts_tomorrow_on(today: date, weekday: int) -> None:
    result = understand(f"tous les {WEEKDAYS_FR[weekday]}s à Figeac", _at(today))
    first = date.fromisoformat(result["date"])
    assert first.weekday() == weekday
    assert today < first <= today + timedelta(days=7)
    assert result["recurrence"]["weekdays"] == [
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday]
    ]


@settings(deadline=None)
@given(days, st.lists(st.integers(min_value=0, max_value=6), min_size=2, max_size=4, unique=True))
def test_weekdays_listed_follow_one_another(today: date, weekdays: list[int]) -> None:
    """Each weekday of a list is the next one after the day before it, in the order said;
    two in a row make a stay (date and end date) rather than a list."""
    names = [WEEKDAYS_FR[w] for w in weekdays]
    text = "Figeac " + ", ".join(names[:-1]) + " et " + names[-1]
    result = understand(text, _at(today))
    expected = [
        next(
            today + timedelta(d)
            for d in range(1, 8)
            if (today + timedelta(d)).weekday() == weekdays[0]
        )
    ]
    for w in weekdays[1:]:
        expected.append(
            next(
                expected[-1] + timedelta(d)
                for d in range(1, 8)
                if (expected[-1] + timedelta(d)).weekday() == w
            )
        )
    if len(expected) == 2 and expected[1] - expected[0] == timedelta(days=1):
        assert (result["date"], result["end_date"], result["dates"]) == (
            expected[0].isoformat(),
            expected[1].isoformat(),
            None,
        )
    else:
        assert result["dates"] == [d.isoformat() for d in expected]
