"""Teleworking questions answered from a sourced knowledge base, in French or English.

``answer(text, network, lang, now)`` returns a :class:`FaqAnswer` whose ``as_json()`` is
the batch contract of ``telecentre faq --jsonl``; ``topic`` is None when no article
answers, and the text then points to a person of the network instead of guessing.
"""

from handlers.faq.answer import Faq, FaqAnswer, answer, faq_for
from handlers.faq.kb import TOPICS, KnowledgeBase, KnowledgeBaseError, load_kb

__all__ = [
    "TOPICS",
    "Faq",
    "FaqAnswer",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "answer",
    "faq_for",
    "load_kb",
]
