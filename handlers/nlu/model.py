"""The understood message: an intent with its slots, as the dialogue and the batch see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from handlers.nlu.dates import Recurrence

__all__ = ["Intent", "Recurrence"]


@dataclass(frozen=True, slots=True)
class Intent:
    """Immutable so that a parse can be cached, compared in tests and logged as is."""

    intent: str
    language: str
    # The language was chosen (the hint) or the message clearly says it; a reply language
    # should only switch on a sure detection.
    language_sure: bool = False
    centre: str | None = None
    date: dt.date | None = None
    end_date: dt.date | None = None
    period: str | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    count: int | None = None
    resource: str | None = None
    recurrence: Recurrence | None = None
    weekday_mismatch: bool = False
    invalid_date: str | None = None
    truncated: bool = False
    politeness: str | None = None  # "thanks" or "bye": a message that is only that
    rolled_year: bool = False  # a yearless date just past, read as next year's
    change: bool = False  # a booking to move: ``date`` is the new day, ``from_date`` the old
    from_date: dt.date | None = None
    bare_number: int | None = None  # "14" alone: a choice, a count or a day, never a date
    unknown_place: str | None = None  # "à Paris": a place named that is no centre
    # Several separate days listed ("lundi et jeudi", "le 14 et le 16"), in the order said;
    # ``date`` is the first. ``periods`` is aligned with it: the part of the day said for
    # each (None when not said), and ``period`` is their common value when they agree.
    dates: tuple[dt.date, ...] = ()
    periods: tuple[str | None, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The batch contract's keys (null when unsaid) plus a few extras."""
        return {
            "intent": self.intent,
            "centre": self.centre,
            "date": self.date.isoformat() if self.date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "period": self.period,
            "start": self.start.strftime("%H:%M") if self.start else None,
            "end": self.end.strftime("%H:%M") if self.end else None,
            "count": self.count,
            "resource": self.resource,
            "recurrence": self.recurrence.as_json() if self.recurrence else None,
            "language": self.language,
            "language_sure": self.language_sure,
            "weekday_mismatch": self.weekday_mismatch,
            "invalid_date": self.invalid_date,
            "truncated": self.truncated,
            "politeness": self.politeness,
            "bare_number": self.bare_number,
            "unknown_place": self.unknown_place,
            "rolled_year": self.rolled_year,
            "change": self.change,
            "from_date": self.from_date.isoformat() if self.from_date else None,
            "dates": [d.isoformat() for d in self.dates] if self.dates else None,
            "periods": list(self.periods) if self.dates else None,
        }
