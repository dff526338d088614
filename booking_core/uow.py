"""The unit of work and its repository: the only door between the rules and storage.

Services open one unit of work per attempt; everything inside commits together or not
at all. The abstract classes let unit tests run the rules on an in-memory fake.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from booking_core.domain import (
    Booking,
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

T = TypeVar("T")


class StorageConflict(Exception):
    """A write lost a race (slot or key taken meanwhile): roll back and try again."""


class SlotTaken(StorageConflict):
    pass


REVISION = "rev"
"""The key under which a loaded dialogue state carries the revision it was read at."""


class DuplicateKey(StorageConflict):
    pass


class LockOrder(StorageConflict):
    """A person's lock was wanted out of order and was busy: waiting for it could
    deadlock, so the transaction is re-run taking all of ``users`` first, in order."""

    def __init__(self, users: tuple[str, ...]) -> None:
        super().__init__(", ".join(users))
        self.users = users


class BookingRepository(abc.ABC):
    @abc.abstractmethod
    async def lock_user(self, user_id: str) -> None:
        """Serialise this user's concurrent requests until the transaction ends.

        Locks are taken in one global order (by user id) so that two transactions never
        wait for each other: one wanted out of order is only tried, and when busy,
        :class:`LockOrder` asks for a re-run that takes them all first.
        """

    async def lock_users(self, users: tuple[str, ...]) -> None:
        """Take these people's locks at the start of a transaction, in order."""
        for user_id in sorted(set(users)):
            await self.lock_user(user_id)

    @abc.abstractmethod
    async def find_request(self, key: str) -> RequestRecord | None: ...

    @abc.abstractmethod
    async def add_request(
        self, key: str, user_id: str, kind: str, at: datetime, fingerprint: str
    ) -> int:
        """Record an idempotency key and what it asked; raises DuplicateKey if another
        writer has it."""

    @abc.abstractmethod
    async def set_request_result(self, request_id: int, result: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    async def taken_slots(self, resource_ids: list[str], day: date) -> set[tuple[str, int]]:
        """(resource, slot) pairs held by active bookings on that day."""

    @abc.abstractmethod
    async def add_booking(self, new: NewBooking) -> Booking:
        """Write a booking and its slot claims; raises SlotTaken if a slot is held."""

    @abc.abstractmethod
    async def get_booking(self, booking_id: int) -> Booking | None: ...

    @abc.abstractmethod
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
        """Bookings matching every given filter, by day, start and id."""

    @abc.abstractmethod
    async def cancel_booking(self, booking_id: int, at: datetime) -> None:
        """Mark cancelled and release its slots, in this transaction."""

    @abc.abstractmethod
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
    ) -> WaitEntry: ...

    @abc.abstractmethod
    async def waiting(
        self, *, centre_id: str | None = None, day: date | None = None, user_id: str | None = None
    ) -> list[WaitEntry]:
        """Entries still waiting, first come first."""

    @abc.abstractmethod
    async def set_wait_status(self, entry_id: int, status: WaitStatus) -> None: ...

    @abc.abstractmethod
    async def delete_waits(self, user_id: str) -> None:
        """Delete every waitlist entry of this person, whatever its status."""

    @abc.abstractmethod
    async def set_checked_in(self, booking_id: int, at: datetime) -> None: ...

    @abc.abstractmethod
    async def set_confirmed(self, booking_id: int, at: datetime) -> None:
        """The person answered « Je viens » to a reminder of this booking."""

    @abc.abstractmethod
    async def release_booking(self, booking_id: int, at: datetime) -> None:
        """Mark released (no check-in in time) and free its slots."""

    @abc.abstractmethod
    async def add_notifications(self, items: list[NewNotification], at: datetime) -> None:
        """Queue notifications; a key already queued is left as it is."""

    @abc.abstractmethod
    async def cancel_notifications(self, booking_ids: list[int]) -> None:
        """Pending notifications about these bookings will not be sent."""

    @abc.abstractmethod
    async def claim_notifications(
        self, owner: str, now: datetime, lease_s: float, limit: int
    ) -> list[Notification]:
        """Lease due notifications nobody holds (or whose lease expired) for ``lease_s``.

        Due means ``due_at <= now`` on the network's clock; the lease runs on the
        storage's own clock, shared by every sender.
        """

    @abc.abstractmethod
    async def renew_notification(self, notification_id: int, owner: str, lease_s: float) -> bool:
        """Extend our lease before a send: only if we still hold it, it has not run out
        and the notification is still pending; False means "do not send"."""

    @abc.abstractmethod
    async def finish_notification(
        self,
        notification_id: int,
        owner: str,
        status: NotificationStatus,
        at: datetime,
        also: Sequence[int] = (),
    ) -> bool:
        """Close a pending notification we still hold (and the still pending ``also``,
        sent with it); False if the lease was lost or it was cancelled meanwhile."""

    @abc.abstractmethod
    async def retry_notification(
        self, notification_id: int, owner: str, not_before: datetime, *, counts: bool = True
    ) -> None:
        """Give a lease back; due again at ``not_before``. ``counts=False`` gives the
        attempt back too (it was put off, not tried)."""

    @abc.abstractmethod
    async def record_parts(self, notification_id: int, owner: str, parts: Sequence[str]) -> bool:
        """Remember which parts of a message went out; False if the lease was lost."""

    @abc.abstractmethod
    async def notification_group(self, group_key: str, now: datetime) -> list[Notification]:
        """Pending, unexpired notifications of one group, oldest first."""

    @abc.abstractmethod
    async def purge_notifications(self, before: datetime) -> int:
        """Delete notifications done (sent, dropped, cancelled, failed) before ``before``."""

    @abc.abstractmethod
    async def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        booking_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None: ...


class ConversationRepository(abc.ABC):
    """Dialogue state and profiles: the conversation layer's rows, stored with the rest."""

    @abc.abstractmethod
    async def get_conversation(self, channel: str, user_id: str) -> dict[str, Any] | None:
        """The state as saved, with its revision under :data:`REVISION`."""

    @abc.abstractmethod
    async def save_conversation(
        self, channel: str, user_id: str, state: dict[str, Any], at: datetime
    ) -> None:
        """Save if nobody did since ``state`` was read (its :data:`REVISION`; none: a new
        row), else raise :class:`~booking_core.errors.StaleState`."""

    @abc.abstractmethod
    async def latest_channel(self, user_id: str) -> str | None: ...

    @abc.abstractmethod
    async def get_profile(self, user_id: str) -> Profile | None: ...

    @abc.abstractmethod
    async def save_profile(self, profile: Profile, at: datetime) -> None: ...

    @abc.abstractmethod
    async def personal_rows(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every stored row about this person, table by table, as plain values."""

    @abc.abstractmethod
    async def forget_conversations(self, before: datetime) -> int:
        """Delete dialogue states untouched since ``before``; how many."""

    @abc.abstractmethod
    async def inactive_people(self, before: date) -> list[str]:
        """People with no activity of any kind (booking, waitlist, profile, directory,
        consent, contact, dialogue, request) on or after ``before``."""

    @abc.abstractmethod
    async def purge_contact_texts(self, before: datetime) -> int:
        """Blank the words and handles of contacts relayed before ``before`` (and of their
        sent relays); how many contacts."""

    @abc.abstractmethod
    async def expire_waits(self, today: date) -> int:
        """Delete waitlist entries for days already past; how many."""

    @abc.abstractmethod
    async def erase_person(self, user_id: str) -> None:
        """Delete what identifies the person; bookings stay, under one random token per
        day, with the commute and nothing that links two of those days together."""


class Repository(BookingRepository, ConversationRepository, abc.ABC):
    """Everything one transaction can read and write."""


class UnitOfWork(abc.ABC):
    """One transaction. Leaving the block without ``commit()`` rolls everything back.

    Services go through :meth:`run` so that a storage may choose where the transaction
    executes (the SQLite one runs it whole in a worker thread).
    """

    repo: Repository

    async def run(self, body: Callable[[Self], Awaitable[T]], *, commit: bool = True) -> T:
        """Run ``body`` in this transaction; commit if asked and nothing was raised."""
        async with self:
            result = await body(self)
            if commit:
                await self.commit()
            return result

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self._end()

    async def forget_traces(self) -> bool:
        """After an erasure: flush what the storage keeps of deleted rows outside its tables.

        False when it could not be done completely now (the caller may try again later).
        PostgreSQL has nothing to flush from here: old row versions stay in the table files
        until (auto)vacuum reuses their space, and in the server's WAL and backups for
        their own retention, which is the operator's to set.
        """
        return True

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    async def _end(self) -> None:
        return None

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None: ...
