"""Clock times, time ranges, durations and parts of the day.

General date parsers read "mardi 14h" as the 14th; here a number followed by ``h``,
``heures``, ``:MM``, ``am``/``pm`` is a clock time and is masked before dates are read.
Hours from 1 to 6 without am/pm are taken as afternoon hours ("de 1h à 3h" is 13:00 to
15:00): nobody rents a desk at three in the morning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from handlers.nlu.lexicon import MONTHS, alternation, words
from handlers.nlu.text import Text


def _clock(p: str) -> str:
    """One clock time; ``p`` prefixes the group names so two clocks fit in one pattern."""
    return (
        rf"(?:(?P<{p}h>[01]?\d|2[0-3])\s?(?:h|heures?)(?:\s?(?P<{p}m>[0-5]\d))?(?![a-z0-9])"
        rf"(?:\s(?P<{p}frac>et\sdemie?|et\squart|moins\sle\squart))?"
        rf"|(?P<{p}hc>[01]?\d|2[0-3]):(?P<{p}mc>[0-5]\d)(?:\s?(?P<{p}apc>[ap]\s?m)(?![a-z]))?"
        rf"|(?P<{p}ha>1[0-2]|0?[1-9])(?::(?P<{p}ma>[0-5]\d))?\s?(?P<{p}ap>[ap]\s?m|o\sclock)(?![a-z])"
        rf"|(?<![a-z])(?<!apres\s)(?P<{p}noon>midi|noon|minuit|midnight)"
        rf"(?:\s(?P<{p}nfrac>et\sdemie?|et\squart|trente|30|15))?(?![a-z0-9])"
        r")"
    )


_SUFFIX = (
    r"(?:\s(?P<{p}when>du\smatin|in\sthe\smorning|de\sl\s?apres\smidi|de\sl\s?aprem"
    r"|in\sthe\safternoon|du\ssoir|in\sthe\sevening|le\ssoir))?"
)
_BARE = r"(?P<{p}bare>[01]?\d|2[0-3])(?![\d/.:h])"
_CONNECT = r"\s?(?P<conn>-|a|au|to|till|til|until|jusqu\s(?:a|au)|et|and|/)\s?"

CLOCK_RE = re.compile(r"\b" + _clock("a") + _SUFFIX.format(p="a"))
RANGE_RE = re.compile(
    r"(?:\b(?P<pre>de|des|from|entre|between)\s)?\b(?:"
    + _clock("a")
    + _SUFFIX.format(p="a")
    + "|"
    + _BARE.format(p="a")
    + ")"
    + _CONNECT
    + r"\b"
    + _clock("b")
    + _SUFFIX.format(p="b")
)
# "de 9 à 12", "from 9 to 5", "10-12": hours without a unit, read only as a pair.
BARE_RANGE_RE = re.compile(
    r"\b(?:(?P<pre>de|from)\s)?(?P<x>[01]?\d|2[0-3])\s?(?P<conn>a|to|-)\s?"
    r"(?P<y>[01]?\d|2[0-3])(?![\d/.:a-z])(?:\s(?P<next>[a-z]+))?"
)
_DAY_BEFORE = re.compile(
    r"(?:^|\s)(?:du|le|les|the|au|entre|between|dans|in|pour|for|" + alternation(MONTHS) + r")\s$"
)
DURATION_RE = re.compile(
    r"\b(?P<pre>pendant|durant|for|pour|sur)\s"
    r"(?:(?P<n>\d{1,2}|une|un|one|an|a|deux|two|trois|three|quatre|four|cinq|five)\s?"
    r"(?:h|heures?|hours?|hrs?)(?:\s?(?P<m>[0-5]\d)|\s(?P<half>et\sdemie?))?(?![a-z0-9])"
    r"|(?P<halfhour>une\sdemi\sheure|half\san\shour))"
)
# "dans 2 heures" is a moment from now, not 14:00; it is masked and left to the dialogue.
FROM_NOW_RE = re.compile(
    r"\b(?:dans|in|d\sici)\s(?:\d{1,2}|une|un|an|a|deux|two|trois|three)\s?"
    r"(?:h|heures?|hours?|minutes?|mins?)(?![a-z0-9])"
)
_DURATION_WORDS = {
    "une": 1,
    "un": 1,
    "one": 1,
    "an": 1,
    "a": 1,
    "deux": 2,
    "two": 2,
    "trois": 3,
    "three": 3,
    "quatre": 4,
    "four": 4,
    "cinq": 5,
    "five": 5,
}
_START_BEFORE = re.compile(
    r"(?:a\spartir\sd|a\spartir\sde|a\scompter\sde|des|from|after|apres|starting(?:\sat)?"
    r"|vers|around|about|at|a|pour|for|arrivee|arriver|arrive)\s$"
)
_END_BEFORE = re.compile(
    r"(?:jusqu\sa|jusqu\sau|until|till|til|to|avant|before|by|au\splus\stard\sa|fin\sa"
    r"|finir\sa|partir\sa|depart\sa|leave\sat)\s$"
)
_UNITS_AFTER_BARE = words(
    "personnes pers people persons participants jours jour days day semaines weeks mois "
    "months ans years euros eur km minutes min bureaux postes places desks"
)

MORNING_RE = re.compile(r"\b(?<!good\s)(?<!bon\s)(?<!bonne\s)(?:matin(?:ee)?s?|mornings?)\b")
AFTERNOON_RE = re.compile(
    r"\b(?<!good\s)(?<!bon\s)(?<!bonne\s)(?:apres\s?midis?|aprems?|afternoons?)\b"
)
DAY_RE = re.compile(
    r"\b(?<!demi\s)(?<!bonne\s)(?<!belle\s)(?<!demie\s)journee"
    r"|\b(?:all|full|whole|entire)\s(?:the\s)?day\b|\bjour\s(?:entier|complet)\b"
)


@dataclass(frozen=True, slots=True)
class Times:
    start: time | None = None
    end: time | None = None


def _hour_of(m: re.Match[str], p: str) -> tuple[int, int, bool] | None:
    """(hour, minute, explicit) of clock ``p``; explicit: am/pm, noon or a leading zero."""
    g = m.groupdict()
    if g.get(p + "h") is not None:
        hour, minute = int(g[p + "h"]), int(g[p + "m"] or 0)
        frac = g.get(p + "frac")
        if frac:
            minute = 30 if "demi" in frac else 15
            if frac.startswith("moins"):
                hour, minute = (hour - 1) % 24, 45
        return hour, minute, g[p + "h"].startswith("0") or hour == 0
    if g.get(p + "hc") is not None:
        hour, minute = int(g[p + "hc"]), int(g[p + "mc"])
        ap = g.get(p + "apc")
        if ap:
            return _apply_ampm(hour, ap), minute, True
        return hour, minute, g[p + "hc"].startswith("0") or hour == 0
    if g.get(p + "ha") is not None:
        hour, minute = int(g[p + "ha"]), int(g[p + "ma"] or 0)
        ap = g[p + "ap"]
        if ap == "o clock":
            return hour, minute, False
        return _apply_ampm(hour, ap), minute, True
    if g.get(p + "noon") is not None:
        word = g[p + "noon"]
        hour = 0 if word in ("minuit", "midnight") else 12
        frac = g.get(p + "nfrac") or ""
        minute = 30 if ("demi" in frac or frac in ("trente", "30")) else 15 if frac else 0
        return hour, minute, True
    if g.get(p + "bare") is not None:
        return int(g[p + "bare"]), 0, g[p + "bare"].startswith("0")
    return None


def _has_ampm(m: re.Match[str], p: str) -> bool:
    ap = m.group(p + "ap") or m.group(p + "apc")
    return ap is not None and ap != "o clock"


def _apply_ampm(hour: int, ap: str) -> int:
    if ap.startswith("p"):
        return hour if hour == 12 else hour + 12
    return 0 if hour == 12 else hour


def _daytime(hour: int, minute: int, explicit: bool, when: str | None) -> time:
    if when:
        later = any(w in when for w in ("apres", "aprem", "afternoon", "soir", "evening"))
        if later and hour < 12:
            hour += 12
    elif not explicit and 1 <= hour <= 6:
        hour += 12
    return time(hour % 24, minute)


def extract_times(text: Text) -> Times:
    """Read and mask clock times; return the start and end they state."""
    duration = _take_duration(text)
    start: time | None = None
    end: time | None = None
    s = str(text)
    m = RANGE_RE.search(s)
    while m is not None:
        first = _hour_of(m, "a")
        second = _hour_of(m, "b")
        conn, pre = m.group("conn"), m.group("pre")
        bare_ok = pre is not None or conn == "-"
        pair_ok = conn not in ("et", "and") or pre in ("entre", "between")
        if m.group("abare") is not None and not bare_ok:
            pair_ok = False
        if first and second and pair_ok:
            b = _daytime(*second, m.group("bwhen"))
            a_hour, a_min, a_explicit = first
            if not a_explicit and _has_ampm(m, "b") and a_hour < 12 and a_hour + 12 < b.hour:
                a_hour, a_explicit = a_hour + 12, True
            a = _daytime(a_hour, a_min, a_explicit, m.group("awhen") or None)
            if a < b:
                text.take(m.start(), m.end())
                return Times(a, b)
        m = RANGE_RE.search(s, m.start() + 1)
    for bm in BARE_RANGE_RE.finditer(s):
        nxt = bm.group("next")
        if nxt and (nxt in _UNITS_AFTER_BARE or nxt in MONTHS):
            continue
        if bm.group("pre") is None and (
            bm.group("conn") == "a" or _DAY_BEFORE.search(s[max(0, bm.start() - 16) : bm.start()])
        ):
            continue
        a = _daytime(int(bm.group("x")), 0, bm.group("x").startswith("0"), None)
        b = _daytime(int(bm.group("y")), 0, bm.group("y").startswith("0"), None)
        if a < b:
            text.take(bm.start(), bm.end("y"))
            return Times(a, b)
    neutral: list[time] = []
    for cm in CLOCK_RE.finditer(s):
        found = _hour_of(cm, "a")
        if found is None:
            continue
        value = _daytime(*found, cm.group("awhen"))
        before = s[max(0, cm.start() - 24) : cm.start()]
        text.take(cm.start(), cm.end())
        if _END_BEFORE.search(before):
            end = end or value
        elif _START_BEFORE.search(before):
            start = start or value
        else:
            neutral.append(value)
    for value in neutral:
        if start is None:
            start = value
        elif end is None and value > start:
            end = value
    if start is not None and end is None and duration:
        total = start.hour * 60 + start.minute + duration
        if total < 24 * 60:
            end = time(total // 60, total % 60)
    return Times(start, end)


def _take_duration(text: Text) -> int | None:
    """Minutes of a stated duration ("pendant 2h"), masked so it is not read as 02:00."""
    for m in FROM_NOW_RE.finditer(str(text)):
        text.take(m.start(), m.end())
    for m in DURATION_RE.finditer(str(text)):
        if m.group("halfhour"):
            text.take(m.start(), m.end())
            return 30
        word = m.group("n")
        hours = int(word) if word.isdigit() else _DURATION_WORDS[word]
        limit = 5 if m.group("pre") == "pour" else 12
        if hours == 0 or hours > limit:
            continue
        minutes = int(m.group("m") or 0) + (30 if m.group("half") else 0)
        text.take(m.start(), m.end())
        return hours * 60 + minutes
    return None


def extract_period(s: str) -> str | None:
    """morning / afternoon / day, only when the message names a part of the day."""
    morning = MORNING_RE.search(s) is not None
    afternoon = AFTERNOON_RE.search(s) is not None
    if DAY_RE.search(s) or (morning and afternoon):
        return "day"
    if morning:
        return "morning"
    if afternoon:
        return "afternoon"
    return None


def day_periods(s: str, starts: Sequence[int]) -> tuple[str | None, ...]:
    """The part of the day said for each of several days listed, whose words start at
    ``starts``: each day's words run to the next day ("jeudi matin et vendredi
    après-midi"). One part of the day said only after the last day ("jeudi et vendredi
    matin") or before the first ("le matin, lundi et jeudi") is for them all."""
    bounds = [*starts[1:], len(s)]
    periods = [extract_period(s[a:b]) for a, b in zip(starts, bounds, strict=True)]
    said = [p for p in periods if p is not None]
    if not said:
        shared = extract_period(s[: starts[0]]) if starts else None
        return tuple(shared for _ in periods)
    if len(said) == 1 and periods[-1] is not None:
        return tuple(periods[-1] for _ in periods)
    return tuple(periods)
