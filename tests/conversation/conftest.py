"""A chat driver for conversation tests: the real router, fake storage, a frozen clock."""

from __future__ import annotations

from datetime import date

import pytest

from booking_core.domain import BookingStatus
from booking_core.network import Network
from booking_core.services import Core
from handlers.i18n import Catalogs
from handlers.messages import IncomingMessage, Reply
from handlers.router import Router
from tests.conftest import Clock
from tests.fakes import FakeStore


class Chat:
    """One person talking; each line gets a fresh message id, like a real transport."""

    def __init__(self, router: Router, user: str = "test:alice") -> None:
        self.router = router
        self.user = user
        self.counter = 0
        self.last: list[Reply] = []

    async def say(self, text: str, *, message_id: str | None = None) -> str:
        self.counter += 1
        msg = IncomingMessage(self.user, self.user, text, message_id or f"m{self.counter}")
        self.last = await self.router.handle(msg)
        return self.transcript()

    async def pick(self, label: str) -> str:
        """Answer the last question by the number of the choice whose label contains this."""
        for reply in self.last:
            for choice in reply.choices:
                if label in choice.label:
                    return await self.say(choice.value)
        raise AssertionError(f"no choice {label!r} in:\n{self.transcript()}")

    def transcript(self) -> str:
        lines = []
        for reply in self.last:
            lines.append(reply.text)
            lines += [f"{c.value}. {c.label}" for c in reply.choices]
        return "\n".join(lines)


def active(store: FakeStore, user: str = "test:alice") -> list[tuple[str, date, str | None]]:
    """One person's active bookings as (centre, day, period), in order."""
    return sorted(
        (b.centre_id, b.day, b.period.value if b.period else None)
        for b in store.state.bookings.values()
        if b.status is BookingStatus.ACTIVE and b.user_id == user
    )


async def book(chat: Chat, text: str) -> None:
    """Book in two messages (the request, then « oui »), checking both steps."""
    said = await chat.say(text)
    assert "C'est bon ?" in said, said
    said = await chat.say("oui")
    assert "C'est réservé" in said, said


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs()


@pytest.fixture
def router(network: Network, store: FakeStore, clock: Clock, catalogs: Catalogs) -> Router:
    return Router(Core(network, store.uow, clock), catalogs)


@pytest.fixture
def chat(router: Router) -> Chat:
    return Chat(router)
