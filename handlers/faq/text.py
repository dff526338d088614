"""Turn a question or an article into the terms that retrieval compares.

Chat questions are short, often written without accents, with typos, apostrophes, slash
commands and words of the other language; articles are written carefully. Both go through
the same steps so that what matches is the meaning, not the spelling: fold (case,
accents, ligatures, apostrophes), read an unaccented French "ou" as "where" when it
is one, replace synonyms, drop stopwords, stem with Snowball.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import Stemmer

LANGS = ("fr", "en")
_SNOWBALL = {"fr": "french", "en": "english"}
WHERE = "where"

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u0153": "oe",
        "\u00e6": "ae",
        "\u20ac": " euro ",
    }
)
_ACCENTED_WHERE = re.compile(r"(?<![\w])où(?![\w])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces; "où" becomes "where" first,
    since stripping its accent would make it "ou" (or)."""
    s = unicodedata.normalize("NFKC", text).casefold().translate(_TRANSLATE)
    s = _ACCENTED_WHERE.sub(f" {WHERE} ", s)
    # Decomposed, accents are separate marks that the ASCII encoding drops; whatever else
    # is not ASCII would not survive the next step either.
    s = unicodedata.normalize("NFD", s).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", s).strip()


def words(text: str) -> list[str]:
    folded = fold(text)
    return folded.split(" ") if folded else []


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The language knowledge of retrieval, read from ``articles/lexicon.toml``."""

    # language -> its stopwords; retrieval drops the union, language detection counts each
    stopwords_by_lang: Mapping[str, frozenset[str]]
    where_next: frozenset[str]
    # language -> folded variant (as a word tuple) -> canonical words
    synonyms: Mapping[str, Mapping[tuple[str, ...], tuple[str, ...]]]
    # words naming the service itself (see ``[domain]`` in the lexicon file)
    domain: frozenset[str] = frozenset()
    domain_topic: str = ""
    # language -> the word that stands for any department or region of the network
    region: Mapping[str, str] = field(default_factory=dict)
    # the article about where the centres are, which lists that word
    region_topic: str = ""

    @property
    def stopwords(self) -> frozenset[str]:
        return frozenset().union(*self.stopwords_by_lang.values())

    @classmethod
    def build(
        cls,
        stopwords: Mapping[str, str],
        where_next: Iterable[str],
        synonyms: Mapping[str, Mapping[str, Sequence[str]]],
        domain: Iterable[str] = (),
        domain_topic: str = "",
        region: Mapping[str, str] | None = None,
        region_topic: str = "",
    ) -> Lexicon:
        stops = {lang: frozenset(words(text)) for lang, text in stopwords.items()}
        table: dict[str, dict[tuple[str, ...], tuple[str, ...]]] = {}
        for lang, groups in synonyms.items():
            entries = table.setdefault(lang, {})
            for canonical, variants in groups.items():
                target = tuple(words(canonical))
                for variant in variants:
                    key = tuple(words(variant))
                    if key and key != target:
                        entries[key] = target
        return cls(
            stops,
            frozenset(w for t in where_next for w in words(t)),
            table,
            frozenset(w for t in domain for w in words(t)),
            domain_topic,
            {lang: word for lang, word in (region or {}).items() if lang in LANGS},
            region_topic,
        )

    def synonym_words(self, lang: str) -> set[str]:
        """Every word a language's synonym entries know, for the typo corrector."""
        out: set[str] = set()
        for key, target in self.synonyms.get(lang, {}).items():
            out.update(key)
            out.update(target)
        return out


class Analyzer:
    """The text pipeline for one language: the same object for articles and questions."""

    def __init__(self, lang: str, lexicon: Lexicon) -> None:
        self.lang = lang
        self.lexicon = lexicon
        self._stemmer = Stemmer.Stemmer(_SNOWBALL[lang])
        self._synonyms = lexicon.synonyms.get(lang, {})
        # The longest variant starting with each word: most words start none.
        self._longest: dict[str, int] = {}
        for key in self._synonyms:
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))
        self._stops = lexicon.stopwords

    def words(self, text: str) -> list[str]:
        """Folded words with the unaccented "where" resolved; no word is dropped yet."""
        out = words(text)
        nexts = self.lexicon.where_next
        last = len(out) - 1
        for i, word in enumerate(out):
            if word != "ou":
                continue
            # "ou ..." opening the question, "... c est ou", "... ou ?" at its end, "ou se ..."
            if i in (0, last) or out[i - 2 : i] == ["c", "est"] or out[i + 1] in nexts:
                out[i] = WHERE
        return out

    def canonical(self, seq: Sequence[str]) -> list[str]:
        """Replace synonyms, longest variant first, left to right."""
        out: list[str] = []
        i, n = 0, len(seq)
        while i < n:
            for size in range(min(self._longest.get(seq[i], 0), n - i), 0, -1):
                target = self._synonyms.get(tuple(seq[i : i + size]))
                if target is not None:
                    out.extend(target)
                    i += size
                    break
            else:
                out.append(seq[i])
                i += 1
        return out

    def stem(self, word: str) -> str:
        # PyStemmer keeps a cache of recent words, so repeated words cost a dict lookup.
        return str(self._stemmer.stemWord(word))

    def finish(self, seq: Sequence[str]) -> list[str]:
        """Synonyms, stopwords, stems: from words to the terms an index holds."""
        stops = self._stops
        return [self.stem(w) for w in self.canonical(seq) if w not in stops and len(w) > 1]

    def terms(self, text: str) -> list[str]:
        return self.finish(self.words(text))


def bigrams(terms: Sequence[str]) -> list[str]:
    """Adjacent pairs ("fonction publique", "accident travail"): a phrase outweighs its words."""
    return [f"{a}_{b}" for a, b in pairwise(terms)]
