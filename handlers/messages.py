"""The neutral events between transports and the conversation: no chat library in here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IncomingMessage:
    """One message from a person, as any transport sees it.

    ``channel`` says where to answer (``telegram:123``, ``matrix:!room:server``,
    ``console:local``); ``user`` is the sender's stable id; ``message_id`` makes writes
    idempotent; ``choice`` is the value of a pressed button, when there was one.
    """

    channel: str
    user: str
    text: str
    message_id: str | None = None
    locale: str | None = None
    choice: str | None = None


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Reply:
    """Text plus optional choices, which a transport renders as buttons or numbered lines."""

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
