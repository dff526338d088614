"""Recognise the centre a message names, from the network file's names and aliases.

Nothing here knows a place: the index is built from each centre's id, name, aliases,
host structure and commune. Matching is exact on the folded form first (accents and
case do not matter), then tolerant to one or two typing errors, scaled to the length of
the name so that short aliases (``Decaz``) do not swallow ordinary words.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from booking_core.network import Network
from handlers.nlu.lexicon import GRAMMAR_WORDS
from handlers.nlu.normalize import fold_name

_ARTICLE = re.compile(r"^(?:la|le|les|l|the)\s")


@dataclass(frozen=True, slots=True)
class CentreMatch:
    centre_id: str
    start: int
    end: int
    distance: int


@dataclass(frozen=True, slots=True)
class CentreIndex:
    """Every folded way of naming a centre, built once per loaded network."""

    exact: dict[str, str]
    first_words: frozenset[str]
    words: frozenset[str]
    longest: int
    keys: tuple[str, ...]
    key_sizes: tuple[int, int]


_INDEXES: weakref.WeakKeyDictionary[Network, CentreIndex] = weakref.WeakKeyDictionary()


def allowed_typos(key: str) -> int:
    """How many edits a name of this length tolerates."""
    n = len(key.replace(" ", ""))
    if n <= 4:
        return 0
    if n <= 5:
        return 1
    return 2


def index_for(network: Network) -> CentreIndex:
    cached = _INDEXES.get(network)
    if cached is not None:
        return cached
    owners: dict[str, set[str]] = {}
    for centre in network:
        spec = centre.spec
        names = [centre.id, centre.name, *centre.aliases, spec.commune]
        if spec.structure:
            names.append(spec.structure)
        for name in names:
            key = fold_name(name)
            for variant in {key, _ARTICLE.sub("", key)}:
                if len(variant) >= 3:
                    owners.setdefault(variant, set()).add(centre.id)
    # A name shared by two centres (a common structure, say) names neither.
    exact = {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}
    index = CentreIndex(
        exact=exact,
        first_words=frozenset(key.split(" ")[0] for key in exact),
        words=frozenset(word for key in exact for word in key.split(" ")),
        longest=max((key.count(" ") + 1 for key in exact), default=1),
        keys=tuple(exact),
        key_sizes=(min(map(len, exact), default=0), max(map(len, exact), default=0)),
    )
    _INDEXES[network] = index
    return index


def _token_offsets(text: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    pos = 0
    for word in text.split(" "):
        out.append((word, pos, pos + len(word)))
        pos += len(word) + 1
    return out


def find_centre(text: str, index: CentreIndex) -> CentreMatch | None:
    """The first centre named exactly, else the closest near miss, else ``None``."""
    tokens = _token_offsets(text)
    words = [t[0] for t in tokens]
    count = len(words)
    i = 0
    while i < count:
        if words[i] in index.first_words:
            for n in range(min(index.longest, count - i), 0, -1):
                key = " ".join(words[i : i + n])
                centre_id = index.exact.get(key)
                if centre_id is not None:
                    return CentreMatch(centre_id, tokens[i][1], tokens[i + n - 1][2], 0)
        i += 1
    return _fuzzy(tokens, words, index)


def _fuzzy(
    tokens: list[tuple[str, int, int]], words: list[str], index: CentreIndex
) -> CentreMatch | None:
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    best: CentreMatch | None = None
    count = len(words)
    # Prefix sums make every window's length and eligibility O(1): long messages stay cheap.
    blocked = [0]
    chars = [0]
    for word in words:
        blocked.append(blocked[-1] + (word in GRAMMAR_WORDS or not word.isalpha()))
        chars.append(chars[-1] + len(word))
    keys, (shortest, longest) = index.keys, index.key_sizes
    # Any window size: "maison de lemploi" has one word less than its alias.
    for n in range(1, index.longest + 2):
        for i in range(count - n + 1):
            size = chars[i + n] - chars[i] + n - 1
            if size < 5 or size < shortest - 2 or size > longest + 2:
                continue
            if blocked[i + n] != blocked[i]:
                continue
            if len(words[i]) < 3 or len(words[i + n - 1]) < 3:
                continue  # a name neither starts nor ends with "l", "de", "a"
            candidate = " ".join(words[i : i + n])
            found = process.extractOne(candidate, keys, scorer=Levenshtein.distance, score_cutoff=2)
            if found is None:
                continue
            key, distance = found[0], int(found[1])
            if distance == 0 or distance > allowed_typos(key):
                continue
            if best is None or (distance, tokens[i][1]) < (best.distance, best.start):
                best = CentreMatch(index.exact[key], tokens[i][1], tokens[i + n - 1][2], distance)
    return best
