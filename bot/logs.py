"""Logging that can never print a secret or a message text.

httpx logs every request URL at INFO, and Telegram puts the bot token in the URL, so
httpx is held at WARNING; and a filter on the root handler replaces any configured
secret by ``***`` in whatever a library or our own code writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

QUIET = ("httpx", "httpcore", "telegram.ext.ExtBot", "nio.responses", "nio.rooms")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        text = record.getMessage()
        if any(secret in text for secret in self.secrets):
            for secret in self.secrets:
                text = text.replace(secret, "***")
            record.msg, record.args = text, None
        return True


def configure(level: int = logging.INFO, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
