"""Fold a chat message to one plain form so that every later pattern stays simple.

Users write with or without accents, in capitals, with curly apostrophes, emoji and
control characters; the grammar only ever sees lower-case ASCII words separated by
single spaces, plus the few signs that carry meaning in dates and times (``/ . : -``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longer messages are cut: nobody books in an essay, and it bounds the cost of a parse.
MAX_CHARS = 1000

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u0153": "oe",
        "\u00e6": "ae",
        "_": " ",
        "+": " plus ",
    }
)
_NOT_KEPT = re.compile(r"[^a-z0-9'/:.\-?\s]+")
_LETTER_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_LONE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_LONE_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_LONE_SLASH = re.compile(r"(?<![0-9a-z])/|/(?![0-9a-z])")
_SPACES = re.compile(r"\s+")
_COMMAND = re.compile(r"^\s*/([A-Za-z_]{1,30})\b")


@dataclass(frozen=True, slots=True)
class Folded:
    """The folded text plus what folding removed but the intent still needs."""

    text: str
    question: bool
    accents: int
    command: str | None


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> Folded:
    """Fold a message (already cut to ``MAX_CHARS``)."""
    command_match = _COMMAND.match(text)
    command = command_match.group(1).casefold() if command_match else None
    s = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATE)
    # Accented letters are a strong hint of French for the language detector.
    accents = sum(1 for c in s if not c.isascii() and c.isalpha() and strip_accents(c).isascii())
    s = _NOT_KEPT.sub(" ", strip_accents(s))
    question = "?" in s
    s = s.replace("?", " ").replace("'", " ")
    s = _LETTER_HYPHEN.sub(" ", s)
    s = _LONE_DOT.sub(" ", s)
    s = _LONE_COLON.sub(" ", s)
    s = _LONE_SLASH.sub(" ", s)
    s = _SPACES.sub(" ", s).strip()
    return Folded(s, question, accents, command)


def fold_name(name: str) -> str:
    """The folded form of a place name from the network file."""
    return fold(name).text.replace("-", " ")


_KEPT_CHAR = re.compile(r"[a-z0-9/.:\-]")


def original_span(text: str, folded_span: str) -> str:
    """The words of ``text`` that fold to ``folded_span``, as the user wrote them.

    The grammar reads folded text, but a reply that echoes the user ("Le 30 février
    n'existe pas") must show their accents and capitals; ``folded_span`` itself when it
    cannot be found (it always can for a span of the folded message).
    """
    chars: list[str] = []
    owner: list[int] = []
    for i, c in enumerate(text):
        for ch in strip_accents(unicodedata.normalize("NFKC", c).casefold().translate(_TRANSLATE)):
            chars.append(ch if _KEPT_CHAR.match(ch) else " ")
            owner.append(i)
    # Between words, whatever folding turned into a space ("févr. 2027").
    pattern = r"[^a-z0-9]+".join(re.escape(w) for w in folded_span.split())
    found = re.search(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", "".join(chars))
    if found is None or not pattern:
        return folded_span
    return " ".join(text[owner[found.start()] : owner[found.end() - 1] + 1].split())
