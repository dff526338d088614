"""Deliver each notification once: claim with a lease, send, mark sent.

The one window no chat API lets anyone close: the network accepted the message and the
process dies before the mark commits. The lease then expires and another sender sends it
again. The window is one round trip to the database long (the mark is the next thing
done after the send, in its own short transaction), and at most one duplicate per crash.
"""

from __future__ import annotations

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
    """Lease up to ``limit`` due notifications for ``owner`` until the lease runs out."""
    now = core.now()

    async def body(uow: UnitOfWork) -> list[Notification]:
        return await uow.repo.claim_notifications(
            owner, now, now + timedelta(seconds=lease_s), limit
        )

    return await core.uow().run(body)


async def finish(
    core: Core, notification: Notification, owner: str, status: NotificationStatus
) -> bool:
    """Mark sent (or dropped); False when our lease was lost meanwhile."""

    async def body(uow: UnitOfWork) -> bool:
        return await uow.repo.finish_notification(notification.id, owner, status, core.now())

    return await core.uow().run(body)


async def retry_later(core: Core, notification: Notification, owner: str, delay_s: float) -> None:
    """Give the lease back after a failed delivery; the notification is due again later."""

    async def body(uow: UnitOfWork) -> None:
        await uow.repo.retry_notification(
            notification.id, owner, core.now() + timedelta(seconds=delay_s)
        )

    await core.uow().run(body)
