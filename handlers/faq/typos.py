"""Whether a near miss looks like a typing or spelling slip, or is another word.

Edit distance alone cannot tell "parkin" (a letter dropped) from "hiking" (a real word
one letter away from "hiring"). People's slips have a shape: a letter dropped, doubled or
swapped with its neighbour, a key next to the right one (on an AZERTY or a QWERTY
keyboard), or a letter that sounds the same ("publik", "imprimente", "reservasion").
A substitution of any other letter makes another word, and is not corrected.
"""

from __future__ import annotations

from functools import cache

from rapidfuzz.distance import Levenshtein

# Rows of keys and how far each row is shifted to the right, in key widths.
_LAYOUTS = (
    (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75)),
    (("azertyuiop", 0.0), ("qsdfghjklm", 0.25), ("wxcvbn", 0.75)),
)
# Letters written for one another because they sound alike in French or English spelling.
_SOUNDS = ("ckqs", "sz", "st", "ea", "iy", "mn", "gj")


@cache
def _neighbours() -> frozenset[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for layout in _LAYOUTS:
        keys = [(ch, row, i + shift) for row, (chars, shift) in enumerate(layout)
                for i, ch in enumerate(chars)]  # fmt: skip
        for a, row_a, x_a in keys:
            for b, row_b, x_b in keys:
                if a != b and abs(row_a - row_b) <= 1 and abs(x_a - x_b) <= 1.0:
                    pairs.add((a, b))
    for group in _SOUNDS:
        pairs.update((a, b) for a in group for b in group if a != b)
    return frozenset(pairs)


def looks_like_a_slip(typed: str, word: str) -> bool:
    """Whether ``word`` can be what was meant by ``typed`` (already within the distance)."""
    close = _neighbours()
    for op in Levenshtein.editops(typed, word):
        if op.tag != "replace":
            continue
        i, j = op.src_pos, op.dest_pos
        a, b = typed[i], word[j]
        ahead = i + 1 < len(typed) and j + 1 < len(word)
        swapped = (ahead and typed[i] == word[j + 1] and typed[i + 1] == word[j]) or (
            i > 0 and j > 0 and typed[i] == word[j - 1] and typed[i - 1] == word[j]
        )
        if not swapped and (a, b) not in close:
            return False
    return True
