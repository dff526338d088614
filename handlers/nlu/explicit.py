"""Explicit calendar dates ("12 janvier", "15/12", "March 1st, 2027") through dateparser.

The grammar finds the span and decides that it is a date; dateparser only converts that
short span, with its language given, and the answer is cached by span: the year is
worked out afterwards from the message's own day, so the cache never depends on "now".
Importing dateparser costs a few hundred milliseconds, so it happens on first use only.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

# A leap year, so that "29 février" converts; the year itself is never used.
_BASE = datetime(2000, 1, 1)
_SETTINGS: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "RELATIVE_BASE": _BASE,
    "REQUIRE_PARTS": ["day", "month"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    # Relative words ("demain", "in 3 days") are the grammar's job, never dateparser's.
    "PARSERS": ["absolute-time"],
}


@lru_cache(maxsize=2048)
def convert(span: str, lang: str) -> tuple[int, int, int] | None:
    """(day, month, year) of an explicit date span, or ``None`` when it is no date."""
    import dateparser  # type: ignore[import-untyped]

    try:
        found = dateparser.parse(span, languages=[lang], settings=_SETTINGS)
    except (ValueError, OverflowError, TypeError):
        return None
    if not isinstance(found, datetime):
        return None
    return found.day, found.month, found.year
