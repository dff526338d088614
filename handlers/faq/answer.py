"""Answer a teleworking question: the topic, the centre it names, the text, the sources.

The centre is recognised by the language-understanding module (the same names, aliases
and typo tolerance as booking messages). The language is the user's choice when known,
else the question's; when a question reads as the other language's (a French speaker
asking in English), its topic is still found and the answer given in the chosen language.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from booking_core.network import Network
from handlers.faq.kb import KnowledgeBase, Source, default_kb
from handlers.faq.render import render_article, render_fallback
from handlers.faq.search import Ranking, Retriever, answers
from handlers.faq.text import LANGS
from handlers.nlu import parse
from handlers.nlu.normalize import strip_accents


@dataclass(frozen=True, slots=True)
class FaqAnswer:
    """One answer; ``topic`` is None when no article answers and a person is suggested."""

    topic: str | None
    centre: str | None
    language: str
    answer: str
    title: str | None = None
    sources: tuple[Source, ...] = ()
    checked: date | None = None
    confidence: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The ``telecentre faq --jsonl`` contract's keys plus a few extras."""
        return {
            "topic": self.topic,
            "centre": self.centre,
            "answer": self.answer,
            "sources": [{"title": s.title, "url": s.url} for s in self.sources],
            "language": self.language,
            "title": self.title,
            "checked": self.checked.isoformat() if self.checked else None,
            "confidence": self.confidence,
        }


class Faq:
    """The knowledge base bound to a network; build once, ask many times."""

    def __init__(self, network: Network, kb: KnowledgeBase | None = None) -> None:
        self.network = network
        self.kb = kb if kb is not None else default_kb()
        self.retriever = Retriever(self.kb, network)

    def language(self, text: str) -> tuple[str, bool]:
        """The question's language, and whether anything in it actually said so."""
        votes = self.retriever.language_votes(text)
        # Accented letters are French here (English has next to none): a strong sign.
        accents = sum(1 for ch in text if ch.isalpha() and strip_accents(ch) != ch)
        votes["fr"] += 2 * min(accents, 3)
        ranked = sorted(LANGS, key=lambda lang: -votes[lang])
        if votes[ranked[0]] > votes[ranked[1]]:
            return ranked[0], True
        default = self.network.default_language
        return (default if default in LANGS else "fr"), False

    def rank(self, text: str, lang: str | None = None) -> Ranking:
        """The ranking the answer is based on (for tests, benchmarks and tuning).

        The whole message is tried first, in its language and then in the other. People
        often write some context before the question ("I moved to Maurs last month. What
        is this network for?"), and every word of it counts against coverage; so when the
        whole message answers nothing, each sentence is tried on its own, the questions
        first, the last one first, and the first confident ranking wins, the whole message
        choosing among the articles that answer that sentence (see ``in_context``).
        """
        chosen = str(lang) if lang in LANGS else self.language(text)[0]
        other = next(x for x in LANGS if x != chosen)
        whole: dict[str, Ranking] = {}
        for language in (chosen, other):
            whole[language] = self.retriever.rank(text, language)
            if whole[language].confident:
                return whole[language]
        for part in sentences(text):
            for language in (chosen, other):
                ranking = self.retriever.rank(part, language)
                if ranking.confident:
                    return in_context(ranking, whole[language])
        return whole[chosen]

    def answer(self, text: str, lang: str | None = None, now: datetime | None = None) -> FaqAnswer:
        moment = now if now is not None else datetime.now(self.network.tz)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.network.tz)
        hinted = lang in LANGS
        language, sure = (str(lang), True) if hinted else self.language(text)
        centre_id = parse(text, moment, language, self.network).centre
        centre = self.network.centres.get(centre_id) if centre_id else None
        ranking = self.rank(text, language)
        if not sure and ranking.lang != language and ranking.confident:
            language = ranking.lang
        strings = self.kb.strings[language]
        best = ranking.best
        if best is None or not ranking.confident:
            return FaqAnswer(
                topic=None,
                centre=centre_id,
                language=language,
                answer=render_fallback(strings, self.network, centre),
                confidence=ranking.confidence,
            )
        article = self.kb.article(best.topic, language)
        sources = list(article.sources)
        if article.facts is not None:
            # The network file's figures are placeholders until confirmed: the centre is
            # the source to check them with.
            centres = [centre] if centre is not None else list(self.network)
            sources.extend(
                Source(title=c.name, url=f"mailto:{c.spec.contact.email}")
                for c in centres
                if c.spec.contact.email
            )
        return FaqAnswer(
            topic=best.topic,
            centre=centre_id,
            language=language,
            answer=render_article(article, strings, self.network, centre, moment),
            title=article.title,
            sources=tuple(sources),
            checked=article.checked,
            confidence=ranking.confidence,
        )


def in_context(part: Ranking, whole: Ranking) -> Ranking:
    """A sentence's ranking, with the rest of the message breaking its ties.

    "Mon époux est comptable. Vous pouvez l'accompagner dans sa recherche d'emploi ?": the
    question alone answers as job seekers' eligibility or as help for a partner; among the
    articles that answer the sentence on their own, the one the whole message ranks first
    is the one meant.
    """
    order = {hit.topic: i for i, hit in enumerate(whole.hits)}
    candidates = [hit for hit in part.hits if answers(hit)]
    best = min(candidates, key=lambda hit: order.get(hit.topic, len(order)))
    rest = tuple(hit for hit in part.hits if hit is not best)
    return Ranking(part.lang, (best, *rest), part.terms)


_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+|\s+[-\u2013\u2014]\s+")  # spaced hyphen or dashes


def sentences(text: str) -> list[str]:
    """The sentences of a message of several, questions first, the last first; else none."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    if len(parts) < 2:
        return []
    parts.reverse()
    return sorted(parts, key=lambda p: not p.endswith("?"))


_BOUND: weakref.WeakKeyDictionary[Network, Faq] = weakref.WeakKeyDictionary()


def faq_for(network: Network) -> Faq:
    """The shipped knowledge base bound to this network, built on first use."""
    faq = _BOUND.get(network)
    if faq is None:
        faq = _BOUND[network] = Faq(network)
    return faq


def answer(
    text: str, network: Network, lang: str | None = None, now: datetime | None = None
) -> FaqAnswer:
    return faq_for(network).answer(text, lang, now)
