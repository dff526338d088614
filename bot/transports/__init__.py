"""One module per chat network; each turns its events into IncomingMessage and back.

A new network is one module here exposing ``from_settings(settings, catalogs=None)``
and ``async check(settings)`` (for the doctor), and one line in ``NETWORKS``: the
Settings property that says it is configured, and the module, which (with its chat
library) is imported only when it is.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.transports.base import Transport
    from handlers.i18n import Catalogs

NETWORKS = (
    ("telegram_enabled", "bot.transports.telegram"),
    ("matrix_enabled", "bot.transports.matrix"),
)


def configured_transports(settings: Settings, catalogs: Catalogs | None = None) -> list[Transport]:
    """The transports whose settings are present; their libraries load only then."""
    found: list[Transport] = []
    for flag, name in NETWORKS:
        if getattr(settings, flag):
            module = importlib.import_module(name)
            transport: Transport = module.from_settings(settings, catalogs)
            found.append(transport)
    return found
