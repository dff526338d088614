"""Typed refusals: each names one reason the dialogue can explain in the user's language.

Every error carries a stable ``code`` so that a transport, a script or a translation
catalogue can key on it without matching English sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from booking_core.domain import Alternative


class BookingError(Exception):
    """Base of every refusal raised by the core; nothing has been written when it is raised."""

    code = "error"

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message or self.code)
        self.details = details


# Bad input: the request itself is malformed.
class InvalidRequest(BookingError):
    code = "invalid_request"


class UnknownCentre(InvalidRequest):
    code = "unknown_centre"


class UnknownResource(InvalidRequest):
    code = "unknown_resource"


class UnknownBooking(InvalidRequest):
    code = "unknown_booking"


class UnknownSeries(UnknownBooking):
    """No repeated booking has this id (a mistyped or forged one)."""

    code = "unknown_series"


class InvalidDate(InvalidRequest):
    code = "invalid_date"


class InvalidCount(InvalidRequest):
    code = "invalid_count"


class InvalidTimeRange(InvalidRequest):
    code = "invalid_time_range"


class KeyReused(InvalidRequest):
    """An idempotency key (a chat message id) already recorded for a different request."""

    code = "key_reused"


# Rules: the request is well-formed but the network's rules refuse it.
class RuleRefusal(BookingError):
    code = "refused"


class InThePast(RuleRefusal):
    code = "in_the_past"


class BeyondWindow(RuleRefusal):
    code = "beyond_window"


class Closed(RuleRefusal):
    """The centre is closed that day or at those hours (weekly closing or a closure date)."""

    code = "closed"

    def __init__(
        self, message: str = "", alternatives: Sequence[Alternative] = (), **details: object
    ) -> None:
        super().__init__(message, **details)
        self.alternatives = list(alternatives)


class PublicHoliday(Closed):
    code = "public_holiday"


class QuotaExceeded(RuleRefusal):
    code = "quota_exceeded"


class AlreadyBooked(RuleRefusal):
    """The same person already holds a booking at that time (here or at another centre)."""

    code = "already_booked"


class Full(RuleRefusal):
    code = "full"

    def __init__(
        self, message: str = "", alternatives: Sequence[Alternative] = (), **details: object
    ) -> None:
        super().__init__(message, **details)
        self.alternatives = list(alternatives)


class NotFull(RuleRefusal):
    """Joining a waitlist while enough desks are free: book them instead."""

    code = "not_full"


class Busy(BookingError):
    """Every retry lost a race to other writers; nothing was written, asking again is safe."""

    code = "busy"


class StaleState(BookingError):
    """A dialogue state was saved by someone else since it was read: read it again."""

    code = "stale_state"


class NotOwner(RuleRefusal):
    code = "not_owner"


class NotCancellable(RuleRefusal):
    code = "not_cancellable"


@dataclass(frozen=True)
class DateRefusal:
    """One occurrence of a repeated booking that cannot be booked, and why."""

    day: date
    error: BookingError

    @property
    def code(self) -> str:
        return self.error.code


class SeriesPartlyUnavailable(RuleRefusal):
    """Some occurrences of a repeated booking cannot be booked; the user chooses rest or none."""

    code = "series_partly_unavailable"

    def __init__(self, refused: Sequence[DateRefusal], bookable: Sequence[date]) -> None:
        super().__init__(f"{len(refused)} of {len(refused) + len(bookable)} dates unavailable")
        self.refused = list(refused)
        self.bookable = list(bookable)
