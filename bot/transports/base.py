"""What every chat network's transport offers the rest of the bot.

A transport turns its network's events into :class:`IncomingMessage`, hands them to the
router's ``handle`` and renders the returned :class:`Reply` objects; it filters, before
anything else, what must never reach the router: edited messages, the bot's own events,
history replayed after a restart, updates delivered twice. ``send`` lets the scheduler
(reminders, digests) reach a channel the transport owns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from handlers.messages import IncomingMessage, Reply

Handler = Callable[[IncomingMessage], Awaitable[list[Reply]]]


class TransportStartError(RuntimeError):
    """A chat network could not be started: one sentence of plain words, never a secret.

    ``telecentre run`` prints it as is and exits 2; a traceback would tell an operator
    less and could quote what a library put in its exception.
    """


class Transport(Protocol):
    """One chat network, run inside the bot's single event loop."""

    name: str

    def owns(self, channel: str) -> bool:
        """Whether a channel reference (``telegram:123``) belongs to this network."""
        ...

    async def start(self, handle: Handler) -> None:
        """Connect and begin delivering messages to ``handle``; return once running."""
        ...

    async def send(self, channel: str, replies: list[Reply], *, key: str | None = None) -> None:
        """Deliver replies to a channel outside a conversation turn (reminders, digests).

        ``key`` is the notification's idempotency key: a network that can drop a resent
        message by an id of the sender's (Matrix's transaction ids) uses it.
        """
        ...

    async def stop(self) -> None:
        """Stop taking messages, finish those already acknowledged, disconnect."""
        ...
