"""Rank the articles for a short question, and know when none of them answers it.

BM25F over three fields per article: its keywords (written for retrieval, weighted most),
its title, and its body (weighted least: long text where generic words abound). There are
fifteen documents per language, so the scorer is written out here rather than borrowed
from a library built for millions of documents (which would also bring numpy's start-up
time to every ``telecentre faq`` call).

Before scoring, a question loses the names of the network's places (they say which centre,
not which topic; the answer speaks of that centre; a question left with a centre's name
alone asks where it is), gets its typos corrected against the articles' vocabulary, and
its synonyms replaced. Articles are ranked by score and coverage together; two measures
then decide whether the best one answers:

- the score of the best article, and
- its coverage: the share of the question's informative words (weighted by IDF, an
  unknown word weighing like a rare one) that the article matches.

A question about the capital of Peru matches nothing; one about "le prix d'une baguette"
matches a word out of two and scores low: both get the honest "I don't know".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from booking_core.network import Network
from handlers.faq.kb import KnowledgeBase
from handlers.faq.text import LANGS, Analyzer, bigrams, words
from handlers.faq.typos import looks_like_a_slip
from handlers.nlu.lexicon import MONTHS_FULL, WEEKDAYS

K1 = 1.2
FIELDS = ("keywords", "title", "body")
WEIGHTS = {"keywords": 3.0, "title": 2.0, "body": 0.6}
B = {"keywords": 0.3, "title": 0.0, "body": 0.75}
# How much a match found only in an article's body counts towards coverage.
BODY_CREDIT = 0.4
# How much a word no article knows weighs against coverage: about a word found in two or
# three articles. The rarest known word would weigh ~3.5, making chatty questions fail.
UNKNOWN_IDF = 2.0
# How much the words naming the service weigh next to other words (``[domain]``).
DOMAIN_WEIGHT = 0.25
# The decision, tuned on the test phrasings (see articles/README.md): the best article must
# cover most of the question, or match at least two of its informative words (a score
# no single word reaches) and cover nearly half of it.
MIN_SCORE = 1.2
MIN_COVERAGE = 0.6
STRONG_SCORE = 2.2
STRONG_COVERAGE = 0.45
# Articles are ranked by score times coverage to this power: of two articles scoring about
# the same, the one that explains more of the question wins ("I work for the government,
# how many telework days?" is about civil servants, though "telework days" alone is not).
RANK_COVERAGE = 0.5
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_WORD = re.compile(r"[^\W\d_]+")
# What opens a sentence, whose first word is capitalised anyway.
_SENTENCE_START = re.compile(r"(?:^|[.?!:;\n\u2026])[^\w]*$")
# Weekdays and months are capitalised in English, and say when, not which topic.
_CALENDAR = frozenset(WEEKDAYS) | frozenset(MONTHS_FULL)
# Words after which a name is a place.
_PLACED = re.compile(
    r"(?:\b(?:a|à|au|aux|de|d|du|des|en|vers|sur|pour|pres\sde|près\sde|autour\sde|cote\sde"
    r"|côté\sde|proche\sde|in|at|near|around|from|to|of|close\sto)\s?|['\u2019])$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Hit:
    topic: str
    score: float
    coverage: float


def answers(hit: Hit) -> bool:
    """Whether an article answers the question on both measures."""
    if hit.score >= STRONG_SCORE and hit.coverage >= STRONG_COVERAGE:
        return True
    return hit.score >= MIN_SCORE and hit.coverage >= MIN_COVERAGE


@dataclass(frozen=True, slots=True)
class Ranking:
    """What retrieval found for one question in one language."""

    lang: str
    hits: tuple[Hit, ...]
    terms: tuple[str, ...]

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def confident(self) -> bool:
        return self.best is not None and answers(self.best)

    @property
    def confidence(self) -> float:
        """A single figure in [0, 1] for logs and callers; the decision uses both measures."""
        best = self.best
        if best is None:
            return 0.0
        return round(min(1.0, best.coverage * min(1.0, best.score / (2 * MIN_SCORE))), 3)


class Bm25fIndex:
    """One language's articles, as fields of term counts."""

    def __init__(self, docs: Sequence[tuple[str, dict[str, list[str]]]]) -> None:
        self.topics = [topic for topic, _ in docs]
        self.fields: list[dict[str, Counter[str]]] = [
            {f: Counter(fields.get(f, [])) for f in FIELDS} for _, fields in docs
        ]
        n = len(docs)
        self.avg = {
            f: max(1.0, sum(len(fields.get(f, [])) for _, fields in docs) / max(1, n))
            for f in FIELDS
        }
        self.lengths = [{f: len(fields.get(f, [])) for f in FIELDS} for _, fields in docs]
        head: Counter[str] = Counter()
        body: Counter[str] = Counter()
        for doc in self.fields:
            head.update(set(doc["keywords"]) | set(doc["title"]))
            body.update(set(doc["body"]))
        self.idf: dict[str, float] = {}
        for term in set(head) | set(body):
            # A word in many articles' keywords says little, even if few bodies use it.
            df = head[term] or body[term]
            self.idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        # Per document and term, the saturated field-weighted frequency (idf applied later).
        self._tf: list[dict[str, float]] = []
        for doc, lengths in zip(self.fields, self.lengths, strict=True):
            weighted: dict[str, float] = {}
            for f in FIELDS:
                norm = 1 - B[f] + B[f] * lengths[f] / self.avg[f]
                for term, count in doc[f].items():
                    weighted[term] = weighted.get(term, 0.0) + WEIGHTS[f] * count / norm
            self._tf.append({t: w / (K1 + w) for t, w in weighted.items()})
        self.heads = [set(doc["keywords"]) | set(doc["title"]) for doc in self.fields]

    def rank(
        self, unigrams: Sequence[str], pairs: Sequence[str], domain: frozenset[str] = frozenset()
    ) -> list[Hit]:
        terms = list(dict.fromkeys(unigrams))
        known_pairs = [p for p in dict.fromkeys(pairs) if p in self.idf]
        damp = DOMAIN_WEIGHT if any(t not in domain for t in terms) else 1.0
        weight = {
            t: self.idf.get(t, UNKNOWN_IDF) * (damp if t in domain else 1.0)
            for t in (*terms, *known_pairs)
        }
        total = sum(weight[t] for t in terms)
        hits: list[Hit] = []
        for i, topic in enumerate(self.topics):
            tf = self._tf[i]
            score = sum(weight[t] * tf[t] for t in (*terms, *known_pairs) if t in tf)
            if score <= 0:
                continue
            matched = sum(
                weight[t] * (1.0 if t in self.heads[i] else BODY_CREDIT) for t in terms if t in tf
            )
            hits.append(Hit(topic, round(score, 4), round(matched / total, 4) if total else 0.0))
        hits.sort(key=lambda h: (-h.score * h.coverage**RANK_COVERAGE, -h.coverage, h.topic))
        return hits


class Retriever:
    """The knowledge base indexed for one network (whose place names are set aside)."""

    def __init__(self, kb: KnowledgeBase, network: Network) -> None:
        self.kb = kb
        self.analyzers = {lang: Analyzer(lang, kb.lexicon) for lang in LANGS}
        stops = kb.lexicon.stopwords
        some = self.analyzers["fr"]
        head_words: set[str] = set()
        used: dict[str, set[str]] = {lang: set() for lang in LANGS}
        for article in kb.articles.values():
            for text in (*article.keywords, article.title):
                head_words.update(some.words(text))
            used[article.lang].update(
                some.words(" ".join((*article.keywords, article.title, article.body)))
            )
        for lang in LANGS:
            used[lang] = {w for w in used[lang] if w not in stops}
        # Names of places from the network file: whole phrases first ("maison de l emploi"),
        # then the single words that only places use ("figeac", "chrysalis").
        phrases: set[tuple[str, ...]] = set()
        regions: set[str] = set()
        for centre in network:
            spec = centre.spec
            names = [centre.id, centre.name, *centre.aliases, spec.commune]
            names.extend(n for n in (spec.structure,) if n)
            for name in names:
                seq = tuple(some.words(name.replace("-", " ")))
                if seq:
                    phrases.add(seq)
            regions.update(some.words(spec.department.replace("-", " ")))

        def specific(word: str) -> bool:
            return word not in stops and word not in head_words and len(word) > 2

        self.place_phrases = sorted(phrases, key=len, reverse=True)
        self._phrases_by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self.place_phrases:
            if len(phrase) > 1:
                self._phrases_by_first.setdefault(phrase[0], []).append(phrase)
        centre_words = {w for seq in phrases for w in seq if specific(w) and not w.isdigit()}
        # A department ("dans l'Aveyron") names no centre but asks where: it becomes the
        # lexicon's word for a region, which the article on locations lists.
        self.region_words = frozenset(
            w for w in regions if specific(w) and w.isalpha() and w not in centre_words
        )
        self.place_words = frozenset(centre_words) | self.region_words
        self.region = {lang: list(words(kb.lexicon.region.get(lang, ""))) for lang in LANGS}
        # What a typo may be corrected to: the words of the question's language, and places.
        self.vocabulary: dict[str, frozenset[str]] = {}
        self._choices: dict[tuple[str, str], list[str]] = {}
        for lang in LANGS:
            known = (used[lang] | kb.lexicon.synonym_words(lang)) - stops
            vocab = frozenset(w for w in known if len(w) > 2 and w.isalpha()) | self.place_words
            self.vocabulary[lang] = vocab
            for word in sorted(vocab - self.place_words):
                self._choices.setdefault((lang, word[0]), []).append(word)
        self._centre_places = sorted(self.place_words - self.region_words)
        self._regions = sorted(self.region_words)
        self.domain = {
            lang: frozenset(self.analyzers[lang].stem(w) for w in kb.lexicon.domain)
            for lang in LANGS
        }
        self.indexes = {lang: self._index(lang) for lang in LANGS}
        # Words only one language's articles use: a strong hint of the question's language.
        self.lang_only = {
            lang: used[lang].difference(*(used[o] for o in LANGS if o != lang)) for lang in LANGS
        }

    def _doc_words(self, analyzer: Analyzer, text: str) -> list[str]:
        return self.drop_places(analyzer.words(_PLACEHOLDER.sub(" ", text)), analyzer.lang)

    def _index(self, lang: str) -> Bm25fIndex:
        analyzer = self.analyzers[lang]
        domain = self.domain[lang]
        docs: list[tuple[str, dict[str, list[str]]]] = []
        for (topic, article_lang), article in sorted(self.kb.articles.items()):
            if article_lang != lang:
                continue
            # Keywords and title count once per term: a cue listed in three phrasings is
            # still one cue, and must not outweigh a rarer, sharper one. The service's own
            # name is a cue for the article that defines it only.
            drop = domain if topic != self.kb.lexicon.domain_topic else frozenset()
            keywords: dict[str, None] = {}
            for phrase in article.keywords:
                terms = [
                    t for t in analyzer.finish(self._doc_words(analyzer, phrase)) if t not in drop
                ]
                keywords.update(dict.fromkeys([*terms, *bigrams(terms)]))
            title = [
                t
                for t in analyzer.finish(self._doc_words(analyzer, article.title))
                if t not in drop
            ]
            body = analyzer.finish(self._doc_words(analyzer, article.body))
            head = {
                "keywords": list(keywords),
                "title": list(dict.fromkeys([*title, *bigrams(title)])),
            }
            docs.append((topic, {**head, "body": body}))
        return Bm25fIndex(docs)

    def drop_places(self, seq: Sequence[str], lang: str = "fr") -> list[str]:
        """Remove place names (longest phrase first); a department becomes the region word."""
        out: list[str] = []
        i, n = 0, len(seq)
        while i < n:
            word = seq[i]
            for phrase in self._phrases_by_first.get(word, ()):
                if tuple(seq[i : i + len(phrase)]) == phrase:
                    i += len(phrase)
                    break
            else:
                if word in self.region_words:
                    out.extend(self.region[lang])
                elif word not in self.place_words:
                    out.append(word)
                i += 1
        return out

    def correct(self, seq: Iterable[str], lang: str) -> list[str]:
        """Replace a word no article knows by the closest known one, within a typo or two.

        Wrongly "correcting" a real word is worse than leaving a typo, so: words under five
        letters are left alone ("said" is one edit from "paid"); five-letter words may only
        become a place name ("coupé" is not "coûte"); one edit is allowed below eight
        letters, two from eight on ("acheter" is not "accéder"); a correction keeps the
        first letter ("calories" is not "salaries"), except towards a place name, which
        people misspell from the start ("Orillac"); a department, whose name is short and
        common-looking, within one edit only ("capital" is not "Cantal"); and a replaced
        letter must be a slip, a neighbouring key or one that sounds the same ("hiking" is
        another word than "hiring", "publik" is "public": see ``typos``).
        """
        stops = self.kb.lexicon.stopwords
        vocabulary = self.vocabulary[lang]
        analyzer, known = self.analyzers[lang], self.indexes[lang].idf
        out: list[str] = []
        for word in seq:
            if (
                word in stops
                or word in vocabulary
                or len(word) < 5
                or not word.isalpha()
                or analyzer.stem(word) in known  # another form of a known word
            ):
                out.append(word)
                continue
            # A key pressed twice ("oubliiez", "horraires"): another form of a known word.
            undoubled = next(
                (
                    w
                    for i in range(1, len(word))
                    if word[i] == word[i - 1]
                    and ((w := word[:i] + word[i + 1 :]) in vocabulary or analyzer.stem(w) in known)
                ),
                None,
            )
            if undoubled is not None:
                out.append(undoubled)
                continue
            limit = 1 if len(word) < 8 else 2
            # Place names are long and distinctive: two slips are still that place.
            place_limit = 2 if len(word) >= 6 else 1
            best: tuple[str, float] | None = None
            same_initial = self._choices.get((lang, word[0]), []) if len(word) > 5 else []
            for choices, cutoff, slips_only in (
                (same_initial, limit, True),
                (self._centre_places, place_limit, False),
                (self._regions, 1, False),
            ):
                found = self._closest(word, choices, cutoff, slips_only)
                if found is not None and (best is None or found[1] < best[1]):
                    best = found
            out.append(best[0] if best is not None else word)
        return out

    @staticmethod
    def _closest(
        word: str, choices: Sequence[str], cutoff: int, slips_only: bool
    ) -> tuple[str, float] | None:
        """The nearest choice within ``cutoff``; with ``slips_only``, the nearest whose
        difference looks like a slip ("hiking" is no slip for "hiring")."""
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=cutoff, limit=8)
        for choice, distance, _ in sorted(found, key=lambda f: (f[1], f[0])):
            if not slips_only or looks_like_a_slip(word, str(choice)):
                return str(choice), distance
        return None

    def names(self, text: str, lang: str) -> tuple[frozenset[str], bool]:
        """Proper names the network file does not know ("près de Maurs", "quitter Lyon"):
        capitalised inside a sentence, known to no article and no typo of a known word.
        Returns their folded forms, and whether one follows a word that places it
        ("à", "près de", "near").
        """
        found: set[str] = set()
        placed = False
        known = self.indexes[lang].idf
        analyzer = self.analyzers[lang]
        for m in _WORD.finditer(text):
            token = m.group(0)
            if not (len(token) > 2 and token[0].isupper() and token[1:].islower()):
                continue
            if _SENTENCE_START.search(text[: m.start()]):
                continue
            folded = words(token)
            word = folded[0] if len(folded) == 1 else ""
            if (
                not word
                or word in self.vocabulary[lang]
                or word in self.kb.lexicon.stopwords
                or word in _CALENDAR
                or analyzer.stem(word) in known
                or self.correct([word], lang) != [word]
            ):
                continue
            found.add(word)
            placed = placed or _PLACED.search(text[: m.start()]) is not None
        return frozenset(found), placed

    def query_words(self, text: str, lang: str) -> list[str]:
        analyzer = self.analyzers[lang]
        seq = analyzer.words(text)
        # Place phrases before correction ("maison de l emploi"), place words after ("Orillac").
        return self.drop_places(self.correct(self.drop_places(seq, lang), lang), lang)

    def rank(self, text: str, lang: str) -> Ranking:
        analyzer = self.analyzers[lang]
        seq = self.query_words(text, lang)
        terms = analyzer.finish(seq)
        domain = self.domain[lang]
        names, placed = self.names(text, lang)
        named = {analyzer.stem(n) for n in names}
        others = [t for t in terms if t not in named]
        named_place = all(t in domain for t in others) and (
            len(seq) < len(analyzer.words(text)) or (placed and len(others) < len(terms))
        )
        if named_place:
            # Nothing but a place's name and words for the service ("vous avez un centre à
            # Aurillac ?", "le télécentre de Figeac ?", "un télécentre près de Maurs ?"): the
            # question is where it is, as when it names a department. Anywhere else an
            # unknown name weighs like any unknown word ("the train to Paris").
            terms = [*others, *analyzer.finish(self.region[lang])]
        index = self.indexes[lang]
        hits = index.rank(terms, bigrams(terms), domain)
        if placed and len(others) < len(terms) and not named_place:
            # "le plus proche de Saint-Céré": a place the network does not know, read as a
            # department is, when that makes the question one about where the centres are.
            where = [*others, *analyzer.finish(self.region[lang])]
            located = index.rank(where, bigrams(where), domain)
            if located and located[0].topic == self.kb.lexicon.region_topic and answers(located[0]):
                return Ranking(lang, tuple(located), tuple(where))
        return Ranking(lang, tuple(hits), tuple(terms))

    def language_votes(self, text: str) -> dict[str, int]:
        """Stopwords and words only one language's articles use, per language."""
        seq = words(text)
        votes = dict.fromkeys(LANGS, 0)
        stops = self.kb.lexicon.stopwords_by_lang
        for word in seq:
            for lang in LANGS:
                if word in stops.get(lang, ()):
                    votes[lang] += 1
                if word in self.lang_only[lang]:
                    votes[lang] += 1
        return votes
