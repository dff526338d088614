"""Skills as people say them, reduced to one canonical key per skill.

Profiles and queries go through the same function, so "Développeuses", "dev" and
"developer" meet on one key, and "graphiste" finds "graphisme". The vocabulary lives in
``skills.toml`` (data, not code: a manager can add a synonym without a release).

Matching is deliberately predictable rather than clever: lower case, accents removed,
a plural ``s``/``x`` dropped, then an exact look-up of phrases of up to three words, then
single words. A Snowball stemmer was tried and rejected: it folds "données" into "don"
and "commune" into "communication", so a directory would answer the wrong people.
Unlisted words are their own skill, so "python" or "soudure" still work.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

VOCABULARY = Path(__file__).with_name("skills.toml")
MAX_PHRASE = 3
MAX_KEY = 60
_TOKEN = re.compile(r"[a-z0-9+#]+(?:[.-][a-z0-9+#]+)*")


def fold(text: str) -> str:
    """Lower case without accents: how people type on a phone is not how they spell."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def singular(word: str) -> str:
    """Drop a plural mark; applied alike to every word, so both sides always agree."""
    if len(word) > 3 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Folded words, split on spaces, apostrophes and punctuation ("c++" and "c#" kept)."""
    return _TOKEN.findall(fold(text))


_WORD = re.compile(r"[^\W_]+")


def _titled(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word[1:])


@dataclass(frozen=True)
class Typed:
    """One word of a text as typed, with the forms it is compared under."""

    word: str
    token: str
    """Folded (lower case, no accents)."""
    key: str
    """Folded and singular: what a skill is keyed on."""
    name_like: bool
    """Written like a person's name: capitalised inside the text ("chercher Alice
    Martin"), or opening it when the next word is capitalised too ("Alice Martin").
    Acronyms ("SQL") are not."""


def as_typed(text: str) -> list[Typed]:
    """The words of a text with their case kept, to tell a skill from a name."""
    words = _WORD.findall(text)
    found: list[Typed] = []
    for i, word in enumerate(words):
        name = _titled(word) and (i > 0 or (len(words) > 1 and _titled(words[1])))
        found += [Typed(word, t, singular(t), name) for t in tokens(word)]
    return found


def name_key(name: str | None) -> str | None:
    """A display name's folded words between spaces (" helene dupont "): what a word is
    compared with, whole, to know whether it is a member's name."""
    if name is None:
        return None
    return " " + " ".join(_WORD.findall(fold(name))) + " "


@dataclass(frozen=True)
class Skill:
    """One canonical skill found in a text, with how to show it."""

    key: str
    label: str


class Vocabulary:
    """The synonyms table, indexed by the tuple of normalised words of each phrase."""

    def __init__(self, labels: dict[str, str], phrases: dict[tuple[str, ...], str]) -> None:
        self.labels = labels
        self.phrases = phrases
        self.stopwords: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Vocabulary:
        """Read the TOML; a phrase claimed by two skills is an error, not a silent pick."""
        raw = tomllib.loads(text)
        labels: dict[str, str] = {}
        phrases: dict[tuple[str, ...], str] = {}
        for key, entry in raw.get("skills", {}).items():
            if len(key) > MAX_KEY:
                raise ValueError(f"skill key too long: {key!r}")
            labels[key] = str(entry["label"])
            for word in entry["words"]:
                phrase = tuple(singular(w) for w in tokens(str(word)))
                if not phrase or len(phrase) > MAX_PHRASE:
                    raise ValueError(f"skill {key!r}: bad phrase {word!r}")
                if phrases.setdefault(phrase, key) != key:
                    raise ValueError(f"{word!r} is claimed by {phrases[phrase]!r} and {key!r}")
        vocabulary = cls(labels, phrases)
        vocabulary.stopwords = frozenset(
            singular(w) for word in raw.get("stopwords", []) for w in tokens(str(word))
        )
        return vocabulary

    def skills(self, text: str) -> list[Skill]:
        """The skills named in a free text, in order, each once.

        Longest phrase first ("chef de projet" before "projet"), so a listed phrase wins
        over its words; filler words ("qui", "cherche", "find") are dropped only when no
        phrase uses them.
        """
        words = tokens(text)
        keys = [singular(w) for w in words]
        found: dict[str, Skill] = {}
        i = 0
        while i < len(keys):
            for n in range(min(MAX_PHRASE, len(keys) - i), 0, -1):
                key = self.phrases.get(tuple(keys[i : i + n]))
                if key is not None:
                    found.setdefault(key, Skill(key, self.labels[key]))
                    i += n
                    break
            else:
                word = keys[i]
                if not self.filler(word) and len(word) > 1 and not word.isdigit():
                    key = word[:MAX_KEY]
                    found.setdefault(key, Skill(key, words[i][:100]))
                i += 1
        return list(found.values())

    def filler(self, word: str) -> bool:
        """A word that names no skill: a stopword, or hyphenated stopwords
        ("connaissez-vous", "a-t-il"), whose forms are too many to list."""
        return word in self.stopwords or all(
            singular(part) in self.stopwords for part in word.split("-")
        )

    def keys(self, texts: Iterable[str]) -> list[str]:
        """Canonical keys of several texts (a profile's skills), each once, in order."""
        seen: dict[str, None] = {}
        for text in texts:
            for skill in self.skills(text):
                seen.setdefault(skill.key)
        return list(seen)


@functools.cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, read once per process."""
    return Vocabulary.parse(VOCABULARY.read_text(encoding="utf-8"))
