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


IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a reply (a calendar event, a chart).

    Files are carried as bytes, not paths, so that a reply stays a plain value the
    conversation can build without touching the disk and any transport can upload as
    it likes (a Telegram document or photo, a Matrix ``m.file`` or ``m.image``).
    ``data`` is left out of the ``repr`` so that logging a reply never dumps a file
    into the logs.
    """

    filename: str
    mime_type: str
    data: bytes = field(repr=False)
    size: tuple[int, int] | None = None
    """Width and height in pixels of an image, so that clients can lay it out before it
    is downloaded; ``None`` for other files or when the producer does not know."""

    @property
    def is_image(self) -> bool:
        """A picture every chat client shows inline (PNG or JPEG), not a file to save."""
        return self.mime_type in IMAGE_TYPES

    def __post_init__(self) -> None:
        # The name travels in multipart headers and chat clients save it as is: a path
        # separator or a control character there is a bug in the caller, not a name.
        if not self.filename or any(c in self.filename for c in "/\\\r\n\0"):
            raise ValueError(f"not a plain file name: {self.filename!r}")


@dataclass(frozen=True)
class Reply:
    """Text plus optional choices, which a transport renders as buttons or numbered lines.

    ``files`` are sent after the text, each as a message of its own (images shown
    inline, other files as documents); a reply without
    files (the default) is exactly what it was before files existed.
    """

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    files: tuple[Attachment, ...] = ()


class Undeliverable(Exception):
    """A transport's word that a channel refuses messages for good (the person blocked
    the bot, left or deleted the chat): a notification for it is not retried.

    Transports raise it (or a subclass) from ``send``; any other exception is taken as a
    passing failure and retried later.
    """
