"""A transport that records what it would have sent: the scheduler's tests look at it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.transports.base import Handler
from handlers.messages import Reply


@dataclass
class RecordingTransport:
    prefix: str = "test:"
    name: str = "recording"
    sent: list[tuple[str, list[Reply]]] = field(default_factory=list)
    keys: list[tuple[str, str | None]] = field(default_factory=list)
    tried: list[str | None] = field(default_factory=list)  # every key a send was attempted with
    fail_next: int = 0
    fail_when: Callable[[str, list[Reply]], BaseException | None] | None = None
    delay_s: float = 0.0

    def owns(self, channel: str) -> bool:
        return channel.startswith(self.prefix)

    async def start(self, handle: Handler) -> None:
        return None

    async def send(self, channel: str, replies: list[Reply], *, key: str | None = None) -> None:
        self.tried.append(key)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("network down")
        if self.fail_when is not None and (error := self.fail_when(channel, replies)):
            raise error
        self.sent.append((channel, replies))
        self.keys.append((channel, key))

    async def stop(self) -> None:
        return None

    def texts(self, channel: str | None = None) -> list[str]:
        return [
            "\n".join(r.text for r in replies)
            for ch, replies in self.sent
            if channel is None or ch == channel
        ]
