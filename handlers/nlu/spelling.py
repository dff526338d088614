"""Correct near misses of the date words before the grammar reads them.

"mecredi", "vendredie", "tommorow", "demian": the grammar's own words are few and long
enough that one or two slips are unambiguous. Only tokens the grammar does not already
know are looked at, the first letter must match, and place names are left to the centre
matcher.
"""

from __future__ import annotations

from functools import lru_cache

from handlers.nlu.lexicon import CORRECTABLE, GRAMMAR_WORDS, KNOWN_FORMS


@lru_cache(maxsize=4096)
def _correct_word(word: str) -> str:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    limit = 2 if len(word) >= 8 else 1
    choices = [c for c in CORRECTABLE if c[0] == word[0] and abs(len(c) - len(word)) <= limit]
    if not choices:
        return word
    found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
    if found is None:
        return word
    best = str(found[0])
    if int(found[1]) > (2 if len(best) >= 8 else 1):
        return word
    return best


def correct(text: str, protected: frozenset[str]) -> str:
    words = text.split(" ")
    changed = False
    for i, word in enumerate(words):
        if (
            len(word) < 5
            or not word.isalpha()
            or word in KNOWN_FORMS
            or word in GRAMMAR_WORDS
            or word in protected
        ):
            continue
        fixed = _correct_word(word)
        if fixed != word:
            words[i] = fixed
            changed = True
    return " ".join(words) if changed else text
