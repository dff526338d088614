"""A near miss is corrected only when it looks like a slip of the keyboard or of spelling;
a real word one letter from a topic word stays itself ("hiking" is not "hiring")."""

from __future__ import annotations

import pytest

from handlers.faq import Faq
from handlers.faq.typos import looks_like_a_slip


@pytest.mark.parametrize(
    ("typed", "word", "slip"),
    [
        ("parkin", "parking", True),  # a letter left out
        ("stationement", "stationnement", True),
        ("acceuil", "accueil", True),  # two letters swapped
        ("figeak", "figeac", True),  # sounds the same
        ("publik", "public", True),
        ("imprimente", "imprimante", True),
        ("reservasion", "reservation", True),
        ("tatif", "tarif", True),  # the key next to it
        ("wifo", "wifi", True),
        ("hiking", "hiring", False),  # another word
        ("recette", "rejette", False),
        ("chante", "charte", False),
        ("parole", "parking", False),
        ("salle", "balle", False),
    ],
)
def test_slips_and_other_words(typed: str, word: str, slip: bool) -> None:
    assert looks_like_a_slip(typed, word) is slip


@pytest.mark.parametrize(
    ("lang", "typed", "corrected"),
    [
        ("en", "hiking", "hiking"),
        ("fr", "recette", "recette"),
        ("fr", "oubliiez", "oubliez"),  # a key pressed twice
        ("fr", "horraires", "horaires"),
        ("fr", "imprimente", "imprimante"),
    ],
)
def test_the_corrector_keeps_real_words(faq: Faq, lang: str, typed: str, corrected: str) -> None:
    assert faq.retriever.correct([typed], lang) == [corrected]
