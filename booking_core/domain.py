"""Plain values that cross the core's boundary: requests in, bookings and answers out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from booking_core.network import Period, ResourceKind


class BookingStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    RELEASED = "released"  # not checked in in time: the desk went back to the others


class WaitStatus(StrEnum):
    WAITING = "waiting"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class DeskRequest:
    """Desks at a centre for a half-day or a whole day; ``count`` desks, all or nothing."""

    user_id: str
    centre_id: str
    day: date
    period: Period
    count: int = 1
    key: str | None = None
    channel: str | None = None  # where to remind the person; their id when not given


@dataclass(frozen=True)
class RoomRequest:
    """A meeting room for a time range in 30-minute steps, for ``people`` people."""

    user_id: str
    centre_id: str
    day: date
    start: time
    end: time
    people: int = 1
    resource_id: str | None = None
    key: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Booking:
    id: int
    user_id: str
    centre_id: str
    resource_id: str
    kind: ResourceKind
    day: date
    period: Period | None
    start: time
    end: time
    status: BookingStatus
    people: int
    created_at: datetime
    request_id: int | None = None
    series_id: str | None = None
    checked_in_at: datetime | None = None
    channel: str | None = None
    confirmed_at: datetime | None = None  # « Je viens » answered to a reminder

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user_id,
            "centre": self.centre_id,
            "resource": self.resource_id,
            "kind": self.kind.value,
            "date": self.day.isoformat(),
            "period": self.period.value if self.period else None,
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "status": self.status.value,
            "people": self.people,
            "series": self.series_id,
            "created_at": self.created_at.isoformat(),
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
        }


@dataclass(frozen=True)
class NewBooking:
    """A booking about to be written, with the slots it claims on its resource."""

    user_id: str
    centre_id: str
    resource_id: str
    kind: ResourceKind
    day: date
    period: Period | None
    start: time
    end: time
    people: int
    slots: tuple[int, ...]
    created_at: datetime
    request_id: int | None
    series_id: str | None
    channel: str | None = None


@dataclass(frozen=True)
class RequestRecord:
    """An idempotency record: the key of the message that asked, and what it produced."""

    id: int
    key: str
    user_id: str
    kind: str
    result: dict[str, Any] | None
    fingerprint: str | None = None
    """What was asked (hashed); ``None`` on records made before it was kept."""


@dataclass(frozen=True)
class WaitEntry:
    id: int
    user_id: str
    centre_id: str
    day: date
    period: Period
    count: int
    status: WaitStatus
    created_at: datetime
    channel: str | None = None


@dataclass(frozen=True)
class Alternative:
    """Something the user could book instead; ``distance_km`` is set for other centres."""

    kind: str  # other_half, other_day, other_centre
    centre_id: str
    day: date
    period: Period
    free: int
    distance_km: float | None = None


@dataclass(frozen=True)
class Availability:
    centre_id: str
    day: date
    total_desks: int
    open_halves: tuple[Period, ...]
    free: dict[Period, int]
    closed_reason: str | None = None  # public_holiday, closure, weekly_closing

    def free_for(self, period: Period) -> int:
        """Desks free for the whole of ``period`` (a day needs the same desk both halves)."""
        return self.free.get(period, 0)


@dataclass(frozen=True)
class Confirmation:
    bookings: list[Booking]
    replayed: bool = False
    series_id: str | None = None
    replaced: list[Booking] = field(default_factory=list)  # a change's old booking


@dataclass(frozen=True)
class Promotion:
    """A waitlisted person who got a desk that someone else freed; they must be told."""

    entry: WaitEntry
    bookings: list[Booking]


@dataclass(frozen=True)
class CancelResult:
    cancelled: list[Booking]
    promoted: list[Promotion] = field(default_factory=list)
    replayed: bool = False


@dataclass(frozen=True)
class Profile:
    """What a person chose to tell the bot; every field but the id is optional."""

    user_id: str
    language: str | None = None
    home_commune: str | None = None
    commute_km: float | None = None
    usual_centre: str | None = None
    centre_km: float | None = None  # one way, home to the telecentre (not avoided)


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"  # its moment passed while no sender ran
    CANCELLED = "cancelled"  # what it was about is gone (a cancelled booking)
    FAILED = "failed"  # could not be delivered: refused for good, or too many attempts


@dataclass(frozen=True)
class NewNotification:
    key: str
    kind: str
    channel: str
    user_id: str | None
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None = None
    booking_id: int | None = None
    group_key: str | None = None  # reminders sharing it go out as one message


@dataclass(frozen=True)
class Notification:
    id: int
    key: str
    kind: str
    channel: str
    user_id: str | None
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    booking_id: int | None
    attempts: int
    parts_sent: tuple[str, ...] = ()
    group_key: str | None = None
