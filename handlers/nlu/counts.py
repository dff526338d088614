"""How many desks or people, and which kind of resource, a message asks for.

Counts are only read next to a word that says what is counted ("2 bureaux", "pour 6
personnes", "moi et un collègue"), so that day numbers and prices never become counts.
An article ("un bureau") states the resource, not a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.nlu.lexicon import NUMBERS, alternation
from handlers.nlu.text import Text

_N = r"\d{1,3}|" + alternation(NUMBERS)
_COMPANIONS = (
    r"collegues?|collaborat\w*|associes?|associees?|amis?|amies?|stagiaires?|clients?"
    r"|partenaires?|coequipiers?|binome|colleagues?|coworkers?|co\sworkers?|partners?|friends?"
    r"|associates?|teammates?|interns?|clients?|guests?|invites?"
)
_OWNED = r"mon|ma|ton|ta|son|sa|notre|my|our|his|her|a|an"

_COMPANION_PATTERNS = [
    # "moi et un collègue", "me and 2 colleagues", "moi + mon associé"
    re.compile(
        rf"\b(?:moi|me|myself)\s(?:et|and|plus|\+)\s(?:(?P<own>{_OWNED}|mes|my)\s)?"
        rf"(?:(?P<n>{_N})\s)?(?:(?:autres?|other)\s)?(?P<who>[a-z]+)"
    ),
    # "un collègue et moi", "my colleague and I"
    re.compile(
        rf"\b(?:(?P<own>{_OWNED}|mes)\s)?(?:(?P<n>{_N})\s)?(?P<who>{_COMPANIONS})\s(?:et|and)\s"
        r"(?:moi|me|i|myself)\b"
    ),
    # "avec un collègue", "with two colleagues"
    re.compile(
        rf"\b(?:avec|with)\s(?:(?P<own>{_OWNED}|mes)\s)?(?:(?P<n>{_N})\s)?"
        rf"(?P<who>{_COMPANIONS})\b"
    ),
]
_PEOPLE = re.compile(
    rf"\b(?P<n>{_N})\s(?:personnes?|pers|people|persons|participants?|collegues?|colleagues?"
    r"|salaries|employes|adultes|invites|guests|coworkers|teletravailleurs|membres|members)\b"
)
_UNITS = re.compile(
    rf"\b(?P<n>{_N})\s(?:(?:autres?|other)\s)?(?P<unit>bureaux|bureau|postes?|places?|desks?"
    r"|seats?|spots?|workstations?|salles?|rooms?|tables?)\b"
)
_GROUP = re.compile(
    rf"\b(?:(?:nous|on)\s(?:serons|sera|sommes|est|serait|serions|seront)\s(?:a\s)?(?P<n>{_N})"
    rf"|we\s(?:are|re|will\sbe|ll\sbe|would\sbe|d\sbe)\s(?P<n2>{_N})"
    rf"|(?:equipe|groupe|team|group)\s(?:de|of)\s(?P<n3>{_N})"
    rf"|(?:the\s)?(?P<n4>{_N})\sof\sus)\b"
)
_PAIR = re.compile(r"\b(?:nous\sdeux|a\sdeux|both\sof\sus|the\stwo\sof\sus|us\stwo)\b")
_FOR_N = re.compile(
    rf"\b(?:pour|for)\s(?:nous\s)?(?P<n>{_N})\b(?!\s?(?:h\b|heures?|hours?|:|[/.]\d|jours?|days?"
    r"|semaines?|weeks?|mois|months?|min|minutes?|euros?|eur\b|ans|years?|km|%|fois|times?"
    r"|nuits?|nights?|am\b|pm\b|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre"
    r"|octobre|novembre|decembre|january|february|march|april|may|june|july|august"
    r"|september|october|november|december))"
)
_ARTICLES = frozenset({"un", "une", "a", "an", "one"})

MEETING_RE = re.compile(
    r"\bsalles?\b(?!\s(?:d\sattente|de\sbains?|de\spause|de\ssport))"
    r"|\b(?:meeting|conference|board|video|visio)\s?rooms?\b"
    r"|\b(?:a|an|the|one|two|\d{1,2})\srooms?\b"
    r"|\b(?:pour|for)\s(?:une|a|la|the|ma|my|notre|our)\s(?:reunion|meeting|visio\w*|video\scall)\b"
)
# Words that name a meeting rather than a room: a room only when the message books one
# (it opens the message or follows a booking verb) or counts people for it, and never when
# they say what the person will be doing ("en réunion", "in a meeting", "en visio"), nor
# "room" meaning space ("is there room", "no room left").
_MEETING_WORD = r"(?:reunions?|meetings?|visios?|visioconferences?|video\s?conf\w*|rooms?)"
_MEETING_NOUN = re.compile(rf"\b{_MEETING_WORD}\b")
_MEETING_BOOKED = re.compile(
    r"(?:^(?:(?:bonjour|bonsoir|salut|hello|hi|hey)\s)?"
    r"|\b(?:reserver|reserve|reservation|book|booking|organiser|organise|organize|host|hold"
    r"|tenir|prevoir|planifier|schedule|need|want|besoin\sd)\s(?:(?:une?|a|an|la|the|ma|my"
    rf"|notre|our|d)\s)?){_MEETING_WORD}\b"
)
_NOT_A_ROOM = re.compile(
    r"\b(?:en|in\sa|on\sa|during\sa|pendant\s(?:une?|ma|mon))\s(?:reunion|meeting|visio\w*)\b"
    r"|\b(?:is\sthere|there\sis|there\ss|no|any|enough|some|much|more|plenty\sof|still|make)"
    r"\sroom\b"
)
DESK_RE = re.compile(
    r"\b(?:bureaux?|postes?(?:\sde\stravail)?|desks?|workstations?|hot\s?desks?|coworking)\b"
    rf"|\b(?:{_N}|des|quelques|a|an)\s(?:places?|seats?|spots?)\b"
)


@dataclass(frozen=True, slots=True)
class Counts:
    count: int | None = None
    resource: str | None = None


def _value(word: str | None) -> int | None:
    if word is None:
        return None
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _companions(m: re.Match[str]) -> int | None:
    own, n, who = m.group("own"), _value(m.group("n")), m.group("who")
    if n is not None:
        return 1 + n
    if own in ("mes", "our") or (own is None and who.endswith(("s", "x"))):
        return None
    return 2


def extract_counts(text: Text) -> Counts:
    """Read and mask the count; note the resource (first one named wins)."""
    s = str(text)
    count: int | None = None
    people = False  # counted in people rather than in desks or rooms
    for pattern in _COMPANION_PATTERNS:
        m = pattern.search(s)
        if m is not None and (found := _companions(m)) is not None:
            count, people = found, True
            text.take(m.start(), m.end())
            break
    if count is None:
        for pattern in (_PEOPLE, _UNITS, _GROUP, _FOR_N):
            m = pattern.search(s)
            if m is None:
                continue
            word = next((g for g in m.groups() if g and _value(g) is not None), None)
            if pattern in (_UNITS, _FOR_N) and word in _ARTICLES:
                continue
            value = _value(word)
            if value is not None and 1 <= value <= 500:
                count, people = value, pattern is not _UNITS
                text.take(m.start(), m.end())
                break
    if count is None and _PAIR.search(s):
        count, people = 2, True
    return Counts(count, _resource(s, people))


def _resource(s: str, people: bool) -> str | None:
    room = MEETING_RE.search(s)
    desk = DESK_RE.search(s)
    if room and (desk is None or room.start() <= desk.start()):
        return "meeting_room"
    if desk:
        return "desk"
    if not _NOT_A_ROOM.search(s) and (
        _MEETING_BOOKED.search(s) or (people and _MEETING_NOUN.search(s))
    ):
        return "meeting_room"
    return None
