"""In-memory unit of work for the rules' unit tests: same contract, no database."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from booking_core import errors
from booking_core.domain import (
    Booking,
    BookingStatus,
    NewBooking,
    NewNotification,
    Notification,
    NotificationStatus,
    Profile,
    RequestRecord,
    WaitEntry,
    WaitStatus,
)
from booking_core.network import Period
from booking_core.uow import REVISION, DuplicateKey, Repository, SlotTaken, UnitOfWork


@dataclass
class FakeState:
    bookings: dict[int, Booking] = field(default_factory=dict)
    claims: dict[tuple[date, str, int], int] = field(default_factory=dict)
    requests: dict[str, RequestRecord] = field(default_factory=dict)
    waits: dict[int, WaitEntry] = field(default_factory=dict)
    audit: list[tuple[datetime, str, str, int | None, dict[str, Any] | None]] = field(
        default_factory=list
    )
    conversations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    outbox: dict[int, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def _notification(r: dict[str, Any]) -> Notification:
    return Notification(
        id=r["id"], key=r["key"], kind=r["kind"], channel=r["channel"], user_id=r["user_id"],
        payload=r["payload"], due_at=r["due_at"], expires_at=r["expires_at"],
        booking_id=r["booking_id"], attempts=r["attempts"],
        parts_sent=tuple(r.get("parts_sent") or ()), group_key=r.get("group_key"),
    )  # fmt: skip


class FakeRepository(Repository):
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def lock_user(self, user_id: str) -> None:
        return None

    async def find_request(self, key: str) -> RequestRecord | None:
        return self.s.requests.get(key)

    async def add_request(
        self, key: str, user_id: str, kind: str, at: datetime, fingerprint: str
    ) -> int:
        if key in self.s.requests:
            raise DuplicateKey(key)
        record = RequestRecord(self.s.new_id(), key, user_id, kind, None, fingerprint)
        self.s.requests[key] = record
        return record.id

    async def set_request_result(self, request_id: int, result: dict[str, Any]) -> None:
        for key, record in self.s.requests.items():
            if record.id == request_id:
                self.s.requests[key] = replace(record, result=result)

    async def taken_slots(self, resource_ids: list[str], day: date) -> set[tuple[str, int]]:
        wanted = set(resource_ids)
        return {(r, slot) for (d, r, slot) in self.s.claims if d == day and r in wanted}

    async def add_booking(self, new: NewBooking) -> Booking:
        keys = [(new.day, new.resource_id, slot) for slot in new.slots]
        if any(k in self.s.claims for k in keys):
            raise SlotTaken(new.resource_id)
        booking = Booking(
            id=self.s.new_id(),
            user_id=new.user_id,
            centre_id=new.centre_id,
            resource_id=new.resource_id,
            kind=new.kind,
            day=new.day,
            period=new.period,
            start=new.start,
            end=new.end,
            status=BookingStatus.ACTIVE,
            people=new.people,
            created_at=new.created_at,
            request_id=new.request_id,
            series_id=new.series_id,
            channel=new.channel,
        )
        self.s.bookings[booking.id] = booking
        for k in keys:
            self.s.claims[k] = booking.id
        return booking

    async def get_booking(self, booking_id: int) -> Booking | None:
        return self.s.bookings.get(booking_id)

    async def find_bookings(
        self,
        *,
        user_id: str | None = None,
        centre_id: str | None = None,
        first_day: date | None = None,
        last_day: date | None = None,
        request_id: int | None = None,
        series_id: str | None = None,
        active_only: bool = True,
        limit: int | None = None,
    ) -> list[Booking]:
        found = [
            b
            for b in self.s.bookings.values()
            if (user_id is None or b.user_id == user_id)
            and (centre_id is None or b.centre_id == centre_id)
            and (first_day is None or b.day >= first_day)
            and (last_day is None or b.day <= last_day)
            and (request_id is None or b.request_id == request_id)
            and (series_id is None or b.series_id == series_id)
            and (not active_only or b.status is BookingStatus.ACTIVE)
        ]
        found.sort(key=lambda b: (b.day, b.start, b.id))
        return found[:limit] if limit is not None else found

    async def cancel_booking(self, booking_id: int, at: datetime) -> None:
        self.s.claims = {k: v for k, v in self.s.claims.items() if v != booking_id}
        booking = self.s.bookings[booking_id]
        self.s.bookings[booking_id] = replace(booking, status=BookingStatus.CANCELLED)

    async def add_wait(
        self,
        user_id: str,
        centre_id: str,
        day: date,
        period: Period,
        count: int,
        at: datetime,
        request_id: int | None,
        channel: str | None = None,
    ) -> WaitEntry:
        entry = WaitEntry(
            self.s.new_id(), user_id, centre_id, day, period, count, WaitStatus.WAITING, at, channel
        )
        self.s.waits[entry.id] = entry
        return entry

    async def waiting(
        self, *, centre_id: str | None = None, day: date | None = None, user_id: str | None = None
    ) -> list[WaitEntry]:
        return [
            e
            for e in sorted(self.s.waits.values(), key=lambda e: (e.created_at, e.id))
            if e.status is WaitStatus.WAITING
            and (centre_id is None or e.centre_id == centre_id)
            and (day is None or e.day == day)
            and (user_id is None or e.user_id == user_id)
        ]

    async def set_wait_status(self, entry_id: int, status: WaitStatus) -> None:
        self.s.waits[entry_id] = replace(self.s.waits[entry_id], status=status)

    async def delete_waits(self, user_id: str) -> None:
        self.s.waits = {k: w for k, w in self.s.waits.items() if w.user_id != user_id}

    async def set_checked_in(self, booking_id: int, at: datetime) -> None:
        self.s.bookings[booking_id] = replace(self.s.bookings[booking_id], checked_in_at=at)

    async def set_confirmed(self, booking_id: int, at: datetime) -> None:
        self.s.bookings[booking_id] = replace(self.s.bookings[booking_id], confirmed_at=at)

    async def release_booking(self, booking_id: int, at: datetime) -> None:
        self.s.claims = {k: v for k, v in self.s.claims.items() if v != booking_id}
        booking = self.s.bookings[booking_id]
        self.s.bookings[booking_id] = replace(booking, status=BookingStatus.RELEASED)

    async def add_notifications(self, items: list[NewNotification], at: datetime) -> None:
        keys = {row["key"] for row in self.s.outbox.values()}
        for item in items:
            if item.key not in keys:
                row_id = self.s.new_id()
                self.s.outbox[row_id] = {
                    **vars(item), "id": row_id, "status": "pending", "lease_owner": None,
                    "lease_until": None, "attempts": 0, "created_at": at, "sent_at": None,
                    "parts_sent": None,
                }  # fmt: skip

    async def cancel_notifications(self, booking_ids: list[int]) -> None:
        for row in self.s.outbox.values():
            if row["booking_id"] in booking_ids and row["status"] == "pending":
                row["status"] = "cancelled"

    async def claim_notifications(
        self, owner: str, now: datetime, lease_s: float, limit: int
    ) -> list[Notification]:
        clock = datetime.now(UTC)  # the storage's own clock, as a database's would be
        due = sorted(
            (
                r
                for r in self.s.outbox.values()
                if r["status"] == "pending"
                and r["due_at"] <= now
                and (r["lease_until"] is None or r["lease_until"] < clock)
            ),
            key=lambda r: (r["due_at"], r["id"]),
        )[:limit]
        until = clock + timedelta(seconds=lease_s)
        for row in due:
            row.update(lease_owner=owner, lease_until=until, attempts=row["attempts"] + 1)
        return [_notification(r) for r in due]

    def _held(self, notification_id: int, owner: str) -> dict[str, Any] | None:
        row = self.s.outbox[notification_id]
        return row if row["lease_owner"] == owner and row["status"] == "pending" else None

    async def renew_notification(self, notification_id: int, owner: str, lease_s: float) -> bool:
        row, clock = self._held(notification_id, owner), datetime.now(UTC)
        if row is None or row["lease_until"] is None or row["lease_until"] <= clock:
            return False
        row["lease_until"] = clock + timedelta(seconds=lease_s)
        return True

    async def finish_notification(
        self,
        notification_id: int,
        owner: str,
        status: NotificationStatus,
        at: datetime,
        also: Sequence[int] = (),
    ) -> bool:
        row = self._held(notification_id, owner)
        if row is None:
            return False
        for other in (row, *(self.s.outbox[i] for i in also)):
            if other["status"] == "pending":
                other.update(status=status.value, lease_owner=None, lease_until=None, sent_at=at)
        return True

    async def retry_notification(
        self, notification_id: int, owner: str, not_before: datetime, *, counts: bool = True
    ) -> None:
        row = self._held(notification_id, owner)
        if row is not None:
            attempts = row["attempts"] - (0 if counts else 1)
            row.update(lease_owner=None, lease_until=None, due_at=not_before, attempts=attempts)

    async def record_parts(self, notification_id: int, owner: str, parts: Sequence[str]) -> bool:
        row = self._held(notification_id, owner)
        if row is not None:
            row["parts_sent"] = list(parts)
        return row is not None

    async def notification_group(self, group_key: str, now: datetime) -> list[Notification]:
        return [
            _notification(r)
            for r in sorted(self.s.outbox.values(), key=lambda r: r["id"])
            if r.get("group_key") == group_key
            and r["status"] == "pending"
            and (r["expires_at"] is None or r["expires_at"] > now)
        ]

    async def purge_notifications(self, before: datetime) -> int:
        old = [
            k
            for k, r in self.s.outbox.items()
            if r["status"] != "pending" and (r.get("sent_at") or r["created_at"]) < before
        ]
        for key in old:
            del self.s.outbox[key]
        return len(old)

    async def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        booking_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.s.audit.append((at, actor, action, booking_id, details))

    async def get_conversation(self, channel: str, user_id: str) -> dict[str, Any] | None:
        found = self.s.conversations.get((channel, user_id))
        return copy.deepcopy(found) if found is not None else None

    async def save_conversation(
        self, channel: str, user_id: str, state: dict[str, Any], at: datetime
    ) -> None:
        current = self.s.conversations.get((channel, user_id))
        if state.get(REVISION) != (current or {}).get(REVISION):
            raise errors.StaleState(channel)
        saved = copy.deepcopy(state)
        saved[REVISION] = int(saved.get(REVISION) or 0) + 1
        self.s.conversations[(channel, user_id)] = saved

    async def latest_channel(self, user_id: str) -> str | None:
        found = [c for (c, u) in self.s.conversations if u == user_id]
        return found[-1] if found else None

    async def get_profile(self, user_id: str) -> Profile | None:
        return self.s.profiles.get(user_id)

    async def save_profile(self, profile: Profile, at: datetime) -> None:
        self.s.profiles[profile.user_id] = profile

    async def personal_rows(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        profile = self.s.profiles.get(user_id)
        return {
            "profile": [vars(profile).copy()] if profile else [],
            "bookings": [b.as_json() for b in self.s.bookings.values() if b.user_id == user_id],
            "waitlist": [vars(w).copy() for w in self.s.waits.values() if w.user_id == user_id],
            "conversations": [
                {"channel": c, "state": st}
                for (c, u), st in self.s.conversations.items()
                if u == user_id
            ],
            "requests": [vars(r).copy() for r in self.s.requests.values() if r.user_id == user_id],
            "audit": [{"action": a[2]} for a in self.s.audit if a[1] == user_id],
        }

    async def forget_conversations(self, before: datetime) -> int:
        # The fake keeps no timestamps on dialogue states: nothing is old here.
        return 0

    async def inactive_people(self, before: date) -> list[str]:
        last: dict[str, date] = {}
        for b in self.s.bookings.values():
            if not b.user_id.startswith("erased:"):
                last[b.user_id] = max(last.get(b.user_id, b.day), b.day)
        return sorted(u for u, d in last.items() if d < before)

    async def purge_contact_texts(self, before: datetime) -> int:
        # The fake has no directory: only the relays' payloads.
        for row in self.s.outbox.values():
            if row["kind"] == "contact_relay" and row["status"] != "pending":
                row["payload"] = {}
        return 0

    async def expire_waits(self, today: date) -> int:
        old = [k for k, w in self.s.waits.items() if w.day < today]
        for k in old:
            del self.s.waits[k]
        return len(old)

    async def erase_person(self, user_id: str) -> None:
        tokens: dict[date, str] = {}
        for booking_id, booking in list(self.s.bookings.items()):
            if booking.user_id == user_id:
                token = tokens.setdefault(booking.day, "erased:" + secrets.token_hex(8))
                self.s.bookings[booking_id] = replace(
                    booking, user_id=token, channel=None, request_id=None, series_id=None
                )
        self.s.requests = {k: r for k, r in self.s.requests.items() if r.user_id != user_id}
        self.s.audit = [a for a in self.s.audit if a[1] != user_id]
        self.s.waits = {k: w for k, w in self.s.waits.items() if w.user_id != user_id}
        self.s.conversations = {k: v for k, v in self.s.conversations.items() if k[1] != user_id}
        self.s.profiles.pop(user_id, None)
        self.s.outbox = {k: r for k, r in self.s.outbox.items() if r["user_id"] != user_id}


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the shared state and publishes it on commit, like a transaction."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.committed = False

    async def _begin(self) -> None:
        self.state = copy.deepcopy(self.store.state)
        self.repo = FakeRepository(self.state)

    async def commit(self) -> None:
        self.store.state = self.state
        self.store.commits += 1
        self.committed = True

    async def rollback(self) -> None:
        return None


class FakeStore:
    def __init__(self) -> None:
        self.state = FakeState()
        self.commits = 0

    def uow(self, readonly: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)
