"""Skills normalisation: what people type meets what others wrote, whatever the spelling."""

from __future__ import annotations

import pytest

from booking_core.skills import Vocabulary, fold, singular, vocabulary


def keys(text: str) -> list[str]:
    return [s.key for s in vocabulary().skills(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dev", ["developpement"]),
        ("Développeuses", ["developpement"]),
        ("developer", ["developpement"]),
        ("je cherche un développeur python", ["developpement", "python"]),
        ("qui fait du graphisme ?", ["graphisme"]),
        ("GRAPHISTES", ["graphisme"]),
        ("graphic design", ["graphisme"]),
        ("find a translator", ["traduction"]),
        ("traductrices", ["traduction"]),
        ("chef de projet", ["gestion-de-projet"]),
        ("développeurs web", ["developpement-web"]),
        ("l'anglais et l'espagnol", ["anglais", "espagnol"]),
        ("comptabilite", ["comptabilite"]),
        ("C++ et C#", ["c++", "c#"]),
        ("soudures", ["soudure"]),
        ("qui ?", []),
        # grammar words, politeness and the words of asking name no skill
        ("any web designers around?", ["webdesign"]),
        ("anyone know a good plumber nearby?", ["plumber"]),
        ("need a reliable accountant asap please", ["comptabilite"]),
        ("who does SEO here?", ["marketing"]),
        ("connaissez-vous un menuisier près d'ici ?", ["menuisier"]),
        ("y a-t-il un graphiste dans le coin ?", ["graphisme"]),
        ("est-ce que quelqu'un fait de la couture ?", ["couture"]),
        ("je cherche quelqu'un de sérieux pour du python, merci", ["python"]),
        ("front-end", ["developpement-web"]),
    ],
)
def test_synonyms_accents_plurals(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


def test_unlisted_word_keeps_what_was_typed_as_label() -> None:
    (skill,) = vocabulary().skills("Menuiseries")
    assert skill.key == "menuiserie"
    assert skill.label == "menuiseries"


def test_helpers() -> None:
    assert fold("Élève À Noël") == "eleve a noel"
    assert singular("chevaux") == "cheval"
    assert singular("ux") == "ux"


def test_a_phrase_claimed_twice_is_refused() -> None:
    text = """
    [skills.a]
    label = "a"
    words = ["dev"]
    [skills.b]
    label = "b"
    words = ["Dév"]
    """
    with pytest.raises(ValueError, match="claimed"):
        Vocabulary.parse(text)


def test_packaged_vocabulary_loads() -> None:
    assert len(vocabulary().labels) >= 20
