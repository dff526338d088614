"""A transport that records what it would have sent: the scheduler's tests look at it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.transports.base import Handler
from handlers.messages import Reply


@dataclass
class RecordingTransport:
    prefix: str = "test:"
    name: str = "recording"
    sent: list[tuple[str, list[Reply]]] = field(default_factory=list)
    fail_next: int = 0

    def owns(self, channel: str) -> bool:
        return channel.startswith(self.prefix)

    async def start(self, handle: Handler) -> None:
        return None

    async def send(self, channel: str, replies: list[Reply]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("network down")
        self.sent.append((channel, replies))

    async def stop(self) -> None:
        return None

    def texts(self, channel: str | None = None) -> list[str]:
        return [
            "\n".join(r.text for r in replies)
            for ch, replies in self.sent
            if channel is None or ch == channel
        ]
