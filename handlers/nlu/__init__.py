"""Language understanding: what a teleworker's message asks for, in French or English.

``parse(text, now, lang_hint, network)`` returns an :class:`Intent` whose
``as_json()`` is the batch contract of ``telecentre parse --jsonl``.
"""

from handlers.nlu.dates import Recurrence
from handlers.nlu.model import Intent
from handlers.nlu.normalize import MAX_CHARS
from handlers.nlu.parser import parse

__all__ = ["MAX_CHARS", "Intent", "Recurrence", "parse"]
