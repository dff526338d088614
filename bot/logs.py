"""Logging that can never print a secret or a message text.

httpx logs every request URL at INFO, and Telegram puts the bot token in the URL, so
httpx is held at WARNING; and the root handler's formatter replaces any configured
secret by ``***`` in the whole formatted record: the message and its arguments, but also
the traceback and stack of ``log.exception`` (an exception's text, a URL in a frame's
repr), which a filter on ``getMessage()`` alone would let through.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

QUIET = ("httpx", "httpcore", "telegram.ext.ExtBot", "nio.responses", "nio.rooms")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Shorter values are not secrets worth the cost (and would blank ordinary words).
MIN_SECRET = 6


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output line has the configured secrets replaced by ``***``."""

    def __init__(self, fmt: str | None = FORMAT, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is blanked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len)[::-1]

    def add(self, secret: str) -> None:
        if secret and len(secret) >= MIN_SECRET and secret not in self.secrets:
            self.secrets = sorted([*self.secrets, secret], key=len)[::-1]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def format(self, record: logging.LogRecord) -> str:
        text = self.redact(super().format(record))
        if record.exc_text:  # cached on the record for any other handler: scrubbed too
            record.exc_text = self.redact(record.exc_text)
        return text


def add_secret(secret: str) -> None:
    """Redact a secret learnt at run time (a session token from a login) from now on."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            handler.formatter.add(secret)


def configure(
    level: int = logging.INFO, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
