"""Deliver each notification once: claim with a lease, renew it before each send, mark.

The protocol, for a sender holding a batch of leased rows:

1. just before each send, renew the lease with one conditional update that succeeds
   only if the sender still holds the row, the lease has not run out and the row is
   still pending (a cancellation flips it to ``cancelled``); otherwise skip the row;
2. send, within a time limit shorter than the lease, so the lease still holds when the
   send returns;
3. mark the row sent, again only if it is still ours and still pending.

A batch that outlasts its lease therefore loses the rows it has not reached yet to
another sender, cleanly: they are sent by one of the two, never both. Leases run on the
database's clock, shared by every sender; what is due is decided on the network's
injected clock.

The one window no chat API lets anyone close: the network accepted the message and the
process dies (or the send times out) before the mark commits. The lease then expires and
another sender sends it again: at most one duplicate per crash, one database round trip
long. A message of several parts (a digest's text, then its chart) records each part
once the network accepted it, so a retry resends only what had not gone out; the window
is then one part, not the whole message. Transports that can deduplicate (a Matrix
transaction id) get each part's stable key and close the window themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from booking_core.domain import NewNotification, Notification, NotificationStatus
from booking_core.services import Core
from booking_core.uow import UnitOfWork


async def enqueue(core: Core, items: list[NewNotification]) -> None:
    """Queue notifications made outside a booking's transaction (digests)."""

    async def body(uow: UnitOfWork) -> None:
        await uow.repo.add_notifications(items, core.now())

    await core.uow().run(body)


async def claim(
    core: Core, owner: str, *, limit: int = 50, lease_s: float = 60.0
) -> list[Notification]:
    """Lease up to ``limit`` due notifications for ``owner``, for ``lease_s`` seconds."""
    now = core.now()

    async def body(uow: UnitOfWork) -> list[Notification]:
        return await uow.repo.claim_notifications(owner, now, lease_s, limit)

    return await core.uow().run(body)


async def renew(core: Core, notification: Notification, owner: str, lease_s: float) -> bool:
    """Just before a send: True if the notification is still ours, pending, and leased
    for another ``lease_s`` seconds; False means it must not be sent."""

    async def body(uow: UnitOfWork) -> bool:
        return await uow.repo.renew_notification(notification.id, owner, lease_s)

    return await core.uow().run(body)


async def finish(
    core: Core,
    notification: Notification,
    owner: str,
    status: NotificationStatus,
    also: Sequence[int] = (),
) -> bool:
    """Mark sent (or dropped, failed), with ``also`` sent in the same message; False when
    our lease was lost or the notification cancelled meanwhile."""

    async def body(uow: UnitOfWork) -> bool:
        return await uow.repo.finish_notification(notification.id, owner, status, core.now(), also)

    return await core.uow().run(body)


async def retry_later(
    core: Core, notification: Notification, owner: str, delay_s: float, *, counts: bool = True
) -> None:
    """Give the lease back; the notification is due again in ``delay_s`` seconds.

    ``counts=False`` when it was put off rather than tried (its attempt is given back).
    """

    async def body(uow: UnitOfWork) -> None:
        await uow.repo.retry_notification(
            notification.id, owner, core.now() + timedelta(seconds=delay_s), counts=counts
        )

    await core.uow().run(body)


async def record_parts(
    core: Core, notification: Notification, owner: str, parts: Sequence[str]
) -> bool:
    """Remember the parts the chat network accepted; False if the lease was lost."""

    async def body(uow: UnitOfWork) -> bool:
        return await uow.repo.record_parts(notification.id, owner, parts)

    return await core.uow().run(body)


async def group(core: Core, notification: Notification) -> list[Notification]:
    """The pending, unexpired notifications sharing this one's group (itself included)."""
    if notification.group_key is None:
        return [notification]
    key, now = notification.group_key, core.now()

    async def body(uow: UnitOfWork) -> list[Notification]:
        return await uow.repo.notification_group(key, now)

    return await core.uow(readonly=True).run(body, commit=False)


async def purge(core: Core) -> int:
    """Delete notifications done for longer than the network keeps dialogue states.

    Their payloads hold bookings and messages: once sent (or dropped, cancelled, failed)
    nothing needs them, and the key's role against double queueing is over.
    """
    before = core.now() - timedelta(days=core.network.retention.conversation_days)

    async def body(uow: UnitOfWork) -> int:
        return await uow.repo.purge_notifications(before)

    return await core.uow().run(body)
