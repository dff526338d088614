"""Days meant by a chat message, following the bot's documented date rules.

Mentions are found in a fixed order, each masked once read: explicit dates, day numbers,
relative days, weekdays, weeks, months. They are then composed: a repeated booking
(weekdays plus an end or a month), a range of days (two mentions joined by "au", "to",
"-"), or the first mention alone. Only explicit calendar dates go through dateparser;
everything else is plain date arithmetic on the message's own "today".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.nlu import explicit
from handlers.nlu.lexicon import (
    MONTH_LANG,
    MONTHS,
    MONTHS_FULL,
    NUMBERS,
    WEEKDAY_CODES,
    WEEKDAYS,
    WEEKDAYS_EN_SHORT_ONLY_EN,
    alternation,
    words,
)
from handlers.nlu.text import MASK, Text

_WD = alternation(WEEKDAYS)
_MONTH = alternation(MONTHS)
_MONTH_FULL = alternation(MONTHS_FULL)
_NUM = r"\d{1,3}|" + alternation(NUMBERS)
_DAYNUM = r"(?P<d>premier|[12]\d|3[01]|0?[1-9])(?:er|re|eme|e|st|nd|rd|th)?"
_DAYNUM_PLAIN = r"(?:premier|[12]\d|3[01]|0?[1-9])(?:er|re|eme|e|st|nd|rd|th)?"
# What may not follow a day number: it would be a time, a count or a duration.
_NOT_AFTER = (
    r"(?!\s?(?:h\b|heures?\b|[:/.]\d|am\b|pm\b|personnes|pers\b|people|persons|participants"
    r"|bureaux|bureau|postes?\b|places?\b|desks?\b|seats?\b|jours?\b|days?\b|semaines?\b"
    r"|weeks?\b|mois\b|months?\b|ans\b|years?\b|euros?\b|eur\b|km\b|min\b|minutes?\b|%"
    r"|collegues?\b|colleagues?\b|salles?\b|rooms?\b|fois\b|times?\b|of\sus\b))"
)

_EXPLICIT = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(
        r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/.:])"
        r"(?!\s(?:journee|heure|h\b|day))"
    ),
    re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{2})(?:\.(?P<y>\d{4}|\d{2}))?(?![\d/.:])"),
    re.compile(r"\b(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4}|\d{2})\b"),
    re.compile(rf"\b{_DAYNUM}\s(?:of\s|de\s)?(?P<mo>{_MONTH})\b(?:\s(?P<y>\d{{4}})\b)?"),
    re.compile(rf"\b(?P<mo>{_MONTH})\s(?:the\s)?{_DAYNUM}\b{_NOT_AFTER}(?:\s(?P<y>\d{{4}})\b)?"),
]
# "14-18 décembre", "du 14 au 18 décembre": the first number borrows the month.
_BEFORE_RANGE = re.compile(
    rf"\b{_DAYNUM}(?=\s?(?:-|au|a|to|et|and)\s?(?:le\s|the\s)?{_DAYNUM_PLAIN}\s(?:of\s)?"
    rf"(?:{_MONTH})\b)"
)
_DAY_WITH_WEEKDAY = re.compile(rf"\b(?P<wd>{_WD})\s(?:le\s|the\s)?{_DAYNUM}\b{_NOT_AFTER}")
# "December 14-18", "15 décembre au 18": the end of a range right after a full date.
_RANGE_TAIL = re.compile(
    rf"^\s?(?:-|to|au|through|thru|until|jusqu\sau)\s?(?:the\s|le\s)?{_DAYNUM}\b{_NOT_AFTER}"
)
_DAY_ALONE = re.compile(
    rf"\b(?:le|the|du|au|on\sthe|until\sthe|from\sthe|jusqu\sau)\s{_DAYNUM}\b{_NOT_AFTER}"
)
_DAY_ORDINAL = re.compile(r"\b(?P<d>[12]?\d|3[01])(?:st|nd|rd|th|er)\b" + _NOT_AFTER)
_WEEKDAY_BEFORE = re.compile(rf"(?:^|[^a-z])(?P<wd>{_WD})\s(?:le\s|the\s)?$")
_NEXT_MONTH_AFTER = re.compile(r"^\s(?:du\smois\sprochain|of\snext\smonth)\b")

_RELATIVE = [
    (re.compile(r"\b(?:apres\sdemain|day\safter\stomorrow|overmorrow)\b"), 2),
    (re.compile(r"\b(?:avant\shier|day\sbefore\syesterday)\b"), -2),
    (re.compile(r"\b(?:demain|tomorrow|tmrw|tmr|2morrow)\b"), 1),
    (
        re.compile(
            r"\b(?:a?u?jourd\s?hui|auj|ajd|today|tonight|ce\ssoir|ce\smatin|cet\sapres\s?midi"
            r"|cet\saprem|ce\smidi|this\s(?:morning|afternoon|evening))\b"
            # "ce midi": "midi" was already taken as a clock time.
            r"|\bce\s(?=\x00{4}(?!\x00))"
        ),
        0,
    ),
    (re.compile(r"\b(?:hier|yesterday)\b"), -1),
]
_IN_N = re.compile(
    rf"\b(?:dans|d\sici|in)\s(?P<n>{_NUM}|a|an)\s(?P<u>jours?|days?|semaines?|weeks?|mois"
    r"|months?)\b(?:\s(?:time|plus\stard))?"
)
_FORTNIGHT = re.compile(r"\b(?:dans|in)\s(?:une\s|a\s)?(?:quinzaine|fortnight)\b")
_EN_HUIT_AFTER = re.compile(r"^\sen\s(?P<w>huit|quinze)\b")

_WEEKDAY = re.compile(rf"\b(?P<wd>{_WD})(?P<pl>s)?\b")
_WD_PREFIXES = [
    (re.compile(r"(?:tous\sles|toutes\sles|chaque|every|each)\s$"), "every"),
    (re.compile(r"(?:^|\s)(?:les|on)\s$"), "les"),
    (re.compile(r"(?:^|\s)(?:ce|cette|this)\s$"), "this"),
    (re.compile(r"(?:^|\s)(?:next|prochain)\s$"), "next"),
    (re.compile(r"(?:^|\s)(?:last|dernier)\s$"), "last"),
    (
        re.compile(r"(?:(?:la|the)\s)?(?:semaine\s(?:prochaine|pro)|next\sweek)\s(?:le\s|on\s)?$"),
        "nextweek",
    ),
]
_WD_SUFFIXES = [
    (
        re.compile(
            r"^\s(?:de\s(?:la\s)?)?semaine\s(?:prochaine|pro)\b|^\s(?:of\s)?next\sweek\b"
            r"|^\sen\shuit\b"
        ),
        "nextweek",
    ),
    (
        re.compile(
            r"^\sen\squinze\b|^\sde\sla\ssemaine\sd\sapres\b|^\s(?:of\s)?the\sweek\safter\b"
        ),
        "weekafter",
    ),
    (re.compile(r"^\s(?:prochaine?|qui\svient)\b"), "next"),
    (re.compile(r"^\s(?:de\s)?cette\ssemaine\b|^\sthis\sweek\b"), "this"),
    (re.compile(r"^\s(?:dernier|derniere|passe)\b"), "last"),
    (
        re.compile(r"^\s(?:de\schaque\ssemaine|of\s(?:every|each)\sweek|toutes\sles\ssemaines)\b"),
        "every",
    ),
]
_CHAIN_GAP = re.compile(r"^\s(?:(?:et|and|ou|or|&)\s)?(?:(?:le|les|on)\s)?$")

_WEEKS = [
    (re.compile(r"\b(?:(?:la|the)\s)?(?:semaine\sd\sapres|week\safter\snext)\b"), "weekafter"),
    (
        re.compile(r"\b(?:(?:la|the)\s)?(?:semaine\s(?:prochaine|pro)|next\sweek)\b"),
        "nextweek",
    ),
    (re.compile(r"\b(?:cette\ssemaine|this\sweek)\b"), "thisweek"),
    (re.compile(r"\b(?:ce\sweek\s?end|this\sweek\s?end)\b"), "weekend"),
    (re.compile(r"\b(?:le\s)?(?:mois\sprochain|next\smonth)\b"), "nextmonth"),
    (re.compile(r"\b(?:ce\smois\s?ci|ce\smois|this\smonth)\b"), "thismonth"),
]
_MONTH_ALONE = re.compile(
    r"\b(?:(?P<edge>fin|end|debut|beginning|start|mi|mid)\s(?:of\s(?:the\s)?)?(?:du\s)?"
    r"(?:mois\s)?(?:de\s|d\s)?)?(?:(?:le\s)?(?:mois|month)\s(?:de\s|d\s|of\s)?)?"
    rf"(?P<mo>{_MONTH_FULL})\b(?:\s(?P<y>\d{{4}})\b)?"
)
_END_OF = re.compile(
    r"\b(?:la\s)?fin\s(?:du\smois|de\sl\s?annee|de\sl\s?an|de\sla\ssemaine)\b"
    r"|\b(?:the\s)?end\sof\s(?:the\s)?(?:month|year|week)\b"
)

_UNTIL_BEFORE = re.compile(
    r"(?:jusqu\s(?:a|au|aux|en)|until|till|til|through|thru|up\sto|to)\s(?:la\s|le\s|the\s)?$"
)
_SCOPE_BEFORE = re.compile(
    r"(?:^|\s)(?:en|in|au|pendant|durant|during|for|tout|all|sur|over|courant|throughout|de"
    r"|d|of|pour)\s(?:le\s|the\s)?$"
)
_WEEK_OF_BEFORE = re.compile(r"(?:semaine\sdu|week\sof)\s(?:le\s|the\s)?$")
_RANGE_GAP = re.compile(
    r"^\s?(?:-|a|au|jusqu\s(?:a|au)|to|till|until|through|thru|et|and)\s?(?:le\s|the\s)?$"
)
# In a move: the second day named is the old one ("vendredi au lieu de jeudi"), and a
# lone day is the old one after "de"/"from" or before "booking" ("my Tuesday booking").
_MOVE_SWAP = re.compile(
    r"(?:au\slieu\sd[eu]?|instead\sof|plutot\sque|rather\sthan|a\sla\splace\sd[eu]?)"
    r"\s(?:le\s|la\s|the\s)?$"
)
_MOVE_FROM_BEFORE = re.compile(r"(?:^|\s)(?:de|du|d|from)\s(?:le\s|la\s|the\s|ce\s|this\s)?$")
_MOVE_FROM_AFTER = re.compile(r"^\s(?:s\s)?(?:booking|reservation|resa|desk)\b")
# "lundi, mercredi et vendredi", "le 14 et le 16": days listed, each its own. Between two
# of them only a joining word, an article, the part of the day or a masked part (a time,
# a count) may come, and the last two are joined by a word ("et", "and"): a comma is gone
# once folded, and "demain jeudi" is one day said twice, not a list.
_LIST_JOIN = words("et and puis then plus ainsi que aussi also as well")
_LIST_FILLER = words(
    """le les la l on the en in toute tout all full whole entire matin matinee apres midi
    aprem journee morning afternoon day"""
)
_BETWEEN_BEFORE = re.compile(r"(?:entre|between)\s(?:le\s|the\s)?$")
_WEEKLY = re.compile(
    r"\b(?:toutes\sles\ssemaines|chaque\ssemaine|every\sweek|each\sweek|weekly|hebdo\w*"
    r"|une\sfois\spar\ssemaine|once\sa\sweek|par\ssemaine|per\sweek)\b"
)
_WORKDAYS = re.compile(
    r"\b(?:(?:tous\sles|chaque)\sjours?\s(?:ouvres?|ouvrables?"
    r"|de\sla\ssemaine(?!\s(?:prochaine|pro|d\sapres)))"
    r"|every\s(?:week|working|business)\s?day|on\sweekdays)\b"
)
_DAILY = re.compile(
    r"\b(?:tous\sles\sjours|chaque\sjour|every\s(?:single\s)?day|each\sday|daily"
    r"|tous\sles\s(?:matins|apres\smidis)|chaque\s(?:matin|apres\smidi)"
    r"|every\s(?:morning|afternoon))\b"
)
_FOR_SPAN = re.compile(
    rf"\b(?:pendant|durant|pour|for|sur)\s(?P<n>{_NUM}|a|an)\s(?P<u>jours?|days?|semaines?"
    r"|weeks?|mois|months?)\b"
)


@dataclass(slots=True)
class Mention:
    """One piece of a message that names a day, before it is put together with others."""

    start: int
    end: int
    kind: str  # date | day | rel | wd | week | month | endof
    day: int = 0
    month: int = 0
    year: int | None = None
    weekday: int | None = None
    offset: int = 0
    unit: str = "d"
    mode: str = "next"
    recurrent: bool = False
    edge: str | None = None
    before: str = ""
    consumed: bool = False


@dataclass(frozen=True, slots=True)
class Recurrence:
    weekdays: tuple[str, ...]
    until: dt.date | None

    def as_json(self) -> dict[str, object]:
        return {
            "weekdays": list(self.weekdays),
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(slots=True)
class Dates:
    date: dt.date | None = None
    end_date: dt.date | None = None
    recurrence: Recurrence | None = None
    weekday_mismatch: bool = False
    invalid_date: str | None = None  # "30 février": a date that does not exist
    # "le 2 décembre" said on 3 December is next year's, by the rule; the dialogue may ask
    # whether the person meant the one just past.
    rolled_year: bool = False
    from_date: dt.date | None = None  # in a move ("de jeudi à lundi"), the day moved from
    # Several separate days listed ("lundi et jeudi"), in the order said, with where each
    # one's words start in the message (for the part of the day said with each).
    days: tuple[dt.date, ...] = ()
    day_starts: tuple[int, ...] = ()


# --- calendar arithmetic -----------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_day_month(today: date, day: int, month: int) -> date | None:
    """The next ``day``/``month`` from today on (today included); Feb 29 waits a leap year."""
    for year in range(today.year, today.year + 9):
        found = _safe_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


# How recent a past date must be for its next year's reading to deserve a question.
ROLLED_WITHIN = timedelta(days=30)


def rolled_year(m: Mention, found: date | None, today: date) -> bool:
    """Whether a date said without its year was read a year on from one just past."""
    if m.kind != "date" or m.year is not None or found is None:
        return False
    previous = _safe_date(found.year - 1, found.month, found.day)
    return previous is not None and today - ROLLED_WITHIN <= previous < today


def next_day_number(start: date, day: int) -> date | None:
    """The next date with this day of the month, ``start`` included."""
    year, month = start.year, start.month
    for _ in range(13):
        found = _safe_date(year, month, day)
        if found is not None and found >= start:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def next_weekday(after: date, weekday: int, *, include: bool = False) -> date:
    """The first ``weekday`` strictly after ``after`` (or on it, with ``include``)."""
    ahead = (weekday - after.weekday()) % 7
    if ahead == 0 and not include:
        ahead = 7
    return after + timedelta(days=ahead)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_year(today: date, month: int) -> int:
    return today.year if month >= today.month else today.year + 1


# --- finding mentions ----------------------------------------------------------------


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in ("a", "an"):
        return 1
    return NUMBERS.get(word)


def _day_of(word: str) -> int:
    return 1 if word == "premier" else int(word)


def _attach_weekday(text: Text, mention: Mention) -> None:
    before = text.before(mention.start, 20)
    m = _WEEKDAY_BEFORE.search(before)
    if m is not None:
        mention.weekday = WEEKDAYS[m.group("wd")]
        mention.start -= len(before) - m.start("wd")


def _find_explicit(text: Text, lang: str, out: list[Mention], invalid: list[str]) -> None:
    for index, pattern in enumerate(_EXPLICIT):
        for m in pattern.finditer(str(text)):
            groups = m.groupdict()
            year_text = groups.get("y")
            word = groups.get("mo")
            span_lang = MONTH_LANG.get(word, lang) if word else lang
            converted = explicit.convert(m.group(0), span_lang)
            if converted is None:
                converted = _own_explicit(groups, lang)
            if converted is None:
                if groups.get("d") and (groups.get("mo") or groups.get("m")):
                    # Shaped like a date but none exists: masked, so "30" is not reread alone.
                    invalid.append(m.group(0).strip())
                    text.take(m.start(), m.end())
                continue
            day, month, year = converted
            mention = Mention(m.start(), m.end(), "date", day=day, month=month)
            if year_text:
                mention.year = year if len(year_text) == 4 else 2000 + int(year_text) % 100
            if index >= 1:
                _attach_weekday(text, mention)
            mention.before = text.before(mention.start)
            text.take(mention.start, m.end())
            out.append(mention)


def _own_explicit(groups: dict[str, str | None], lang: str) -> tuple[int, int, int] | None:
    """Fallback for the few forms dateparser leaves out ("premier mars", US "12/14")."""
    d, mo, m = groups.get("d"), groups.get("mo"), groups.get("m")
    if d is None:
        return None
    month = MONTHS.get(mo or "") or (int(m) if m and m.isdigit() else 0)
    day = _day_of(d)
    if lang == "en" and mo is None and month > 12 and day <= 12:
        day, month = month, day
    if not 1 <= month <= 12 or _safe_date(2000, month, day) is None:
        return None
    return day, month, 2000


def _find_day_numbers(text: Text, out: list[Mention]) -> None:
    for mention in [m for m in out if m.kind == "date"]:
        tail = _RANGE_TAIL.match(text.after(mention.end))
        if tail is not None:
            start = mention.end + tail.start("d")
            day = Mention(start, mention.end + tail.end(), "day", day=_day_of(tail.group("d")))
            day.before = text.before(start)
            text.take(mention.end, day.end)
            out.append(day)
    for m in _DAY_WITH_WEEKDAY.finditer(str(text)):
        mention = _add_day(text, m, out)
        mention.weekday = WEEKDAYS[m.group("wd")]
        mention.start = m.start()
        mention.before = text.before(m.start())
    for pattern in (_DAY_ALONE, _DAY_ORDINAL):
        for m in pattern.finditer(str(text)):
            _add_day(text, m, out)


def _add_day(text: Text, m: re.Match[str], out: list[Mention]) -> Mention:
    start = m.start("d")
    mention = Mention(start, m.end(), "day", day=_day_of(m.group("d")), before=text.before(start))
    following = _NEXT_MONTH_AFTER.match(text.after(m.end()))
    if following:
        mention.offset = 1
        mention.end += following.end()
    text.take(m.start(), mention.end)
    out.append(mention)
    return mention


def _find_relative(text: Text, out: list[Mention]) -> None:
    for pattern, offset in _RELATIVE:
        for m in pattern.finditer(str(text)):
            mention = Mention(m.start(), m.end(), "rel", offset=offset)
            huit = _EN_HUIT_AFTER.match(text.after(m.end()))
            if huit:
                mention.offset += 7 if huit.group("w") == "huit" else 14
                mention.end += huit.end()
            mention.before = text.before(m.start())
            text.take(mention.start, mention.end)
            out.append(mention)
    for m in _FORTNIGHT.finditer(str(text)):
        out.append(Mention(m.start(), m.end(), "rel", offset=14, before=text.before(m.start())))
        text.take(m.start(), m.end())
    for m in _IN_N.finditer(str(text)):
        n = _number(m.group("n"))
        if n is None or n > 400:
            continue
        unit = m.group("u")
        mention = Mention(m.start(), m.end(), "rel", before=text.before(m.start()))
        if unit.startswith(("mois", "month")):
            mention.offset, mention.unit = n, "m"
        elif unit.startswith(("semaine", "week")):
            mention.offset = 7 * n
        else:
            # "huit jours" is a week and "quinze jours" two, in French as people say it.
            mention.offset = {8: 7, 15: 14}.get(n, n) if unit.startswith("jour") else n
        text.take(m.start(), m.end())
        out.append(mention)


def _find_weekdays(text: Text, lang: str, out: list[Mention]) -> None:
    previous: Mention | None = None
    for m in _WEEKDAY.finditer(str(text)):
        word = m.group("wd")
        if word in WEEKDAYS_EN_SHORT_ONLY_EN and lang != "en":
            continue
        mention = Mention(m.start(), m.end(), "wd", weekday=WEEKDAYS[word])
        before = text.before(m.start(), 30)
        plural = m.group("pl") is not None
        for pattern, mode in _WD_PREFIXES:
            p = pattern.search(before)
            if p is None:
                continue
            if mode == "every" or (mode == "les" and plural):
                mention.recurrent = True
            elif mode != "les":
                mention.mode = mode
                mention.start -= len(p.group(0).lstrip())
            break
        after = text.after(m.end())
        for pattern, mode in _WD_SUFFIXES:
            s = pattern.match(after)
            if s is None:
                continue
            if mode == "every":
                mention.recurrent = True
            else:
                mention.mode = mode
            mention.end += s.end()
            break
        if plural:
            mention.recurrent = True
        if previous is not None and previous.recurrent:
            gap = str(text)[previous.end : m.start()]
            if _CHAIN_GAP.match(gap):
                mention.recurrent = True
        mention.before = text.before(mention.start)
        out.append(mention)
        previous = mention
    for mention in out:
        if mention.kind == "wd":
            text.take(mention.start, mention.end)


def _find_weeks(text: Text, out: list[Mention]) -> None:
    for pattern, mode in _WEEKS:
        for m in pattern.finditer(str(text)):
            out.append(
                Mention(m.start(), m.end(), "week", mode=mode, before=text.before(m.start()))
            )
            text.take(m.start(), m.end())
    for m in _END_OF.finditer(str(text)):
        word = m.group(0)
        mode = "year" if ("annee" in word or "an" in word.split() or "year" in word) else "month"
        if "semaine" in word or "week" in word:
            mode = "week"
        out.append(Mention(m.start(), m.end(), "endof", mode=mode, before=text.before(m.start())))
        text.take(m.start(), m.end())
    for m in _MONTH_ALONE.finditer(str(text)):
        mention = Mention(m.start(), m.end(), "month", month=MONTHS_FULL[m.group("mo")])
        if m.group("y"):
            mention.year = int(m.group("y"))
        edge = m.group("edge")
        if edge:
            mention.edge = {"end": "fin", "beginning": "debut", "start": "debut", "mid": "mi"}.get(
                edge, edge
            )
        mention.before = text.before(m.start())
        out.append(mention)
        text.take(m.start(), m.end())


def find_mentions(text: Text, lang: str, invalid: list[str] | None = None) -> list[Mention]:
    out: list[Mention] = []
    for m in _BEFORE_RANGE.finditer(str(text)):
        _add_day(text, m, out)
    _find_explicit(text, lang, out, invalid if invalid is not None else [])
    _find_day_numbers(text, out)
    _find_relative(text, out)
    _find_weekdays(text, lang, out)
    _find_weeks(text, out)
    out.sort(key=lambda m: m.start)
    return out


# --- resolving ------------------------------------------------------------------------


def _resolve(m: Mention, today: date) -> date | None:
    """The single day a mention names (the first day for weeks and months)."""
    if m.kind == "date":
        if m.year is not None:
            return _safe_date(m.year, m.month, m.day)
        return next_day_month(today, m.day, m.month)
    if m.kind == "day":
        if m.offset:
            return _safe_date(*_ym(_add_months(today.replace(day=1), m.offset)), m.day)
        return next_day_number(today, m.day)
    if m.kind == "rel":
        if m.unit == "m":
            return _add_months(today, m.offset)
        return today + timedelta(days=m.offset)
    if m.kind == "wd":
        assert m.weekday is not None
        if m.mode == "this":
            this = _monday(today) + timedelta(days=m.weekday)
            return this if this >= today else next_weekday(today, m.weekday)
        if m.mode == "nextweek":
            return _monday(today) + timedelta(days=7 + m.weekday)
        if m.mode == "weekafter":
            return _monday(today) + timedelta(days=14 + m.weekday)
        if m.mode == "last":
            return next_weekday(today, m.weekday) - timedelta(days=7)
        return next_weekday(today, m.weekday)
    span = _span(m, today)
    return span[0] if span else None


def _ym(day: date) -> tuple[int, int]:
    return day.year, day.month


def _span(m: Mention, today: date) -> tuple[date, date] | None:
    """First and last day of a week or month mention."""
    if m.kind == "week":
        monday = _monday(today)
        if m.mode == "nextweek":
            return monday + timedelta(days=7), monday + timedelta(days=13)
        if m.mode == "weekafter":
            return monday + timedelta(days=14), monday + timedelta(days=20)
        if m.mode == "thisweek":
            return today, monday + timedelta(days=6)
        if m.mode == "weekend":
            saturday = monday + timedelta(days=5)
            return max(saturday, today), monday + timedelta(days=6)
        first = today.replace(day=1)
        if m.mode == "nextmonth":
            first = _add_months(first, 1)
            return first, _last_day(first.year, first.month)
        return today, _last_day(today.year, today.month)
    if m.kind == "month":
        year = m.year if m.year is not None else _month_year(today, m.month)
        return date(year, m.month, 1), _last_day(year, m.month)
    if m.kind == "endof":
        if m.mode == "year":
            return today, date(today.year, 12, 31)
        if m.mode == "week":
            return today, _monday(today) + timedelta(days=6)
        return today, _last_day(today.year, today.month)
    single = _resolve(m, today)
    return (single, single) if single else None


def _until_of(m: Mention, today: date) -> date | None:
    """The last day meant by an "until" mention: a month or "fin du mois" means its end."""
    if m.kind in ("month", "endof", "week"):
        span = _span(m, today)
        return span[1] if span else None
    return _resolve(m, today)


def _range_end(a: Mention, start: date, b: Mention, today: date) -> date | None:
    """Resolve the second half of a range after its start ("du 14 au 18")."""
    if b.kind == "day":
        return next_day_number(start, b.day)
    if b.kind == "wd":
        assert b.weekday is not None
        if b.mode in ("nextweek", "weekafter", "this"):
            return _resolve(b, today)
        # "du lundi au lundi" spans a week; "de demain à vendredi" may be one day.
        return next_weekday(start, b.weekday, include=a.kind != "wd")
    if b.kind in ("month", "week", "endof"):
        return _until_of(b, today)
    end = _resolve(b, today)
    if end is not None and b.kind == "date" and b.year is None and end < start:
        end = _safe_date(end.year + 1, end.month, end.day)
    return end


def _range_start(a: Mention, b: Mention, today: date) -> date | None:
    """The first half of a range; a bare day number borrows the month of the second."""
    if a.kind == "day" and b.kind == "date":
        end = _resolve(b, today)
        if end is None:
            return None
        if a.day <= end.day:
            return _safe_date(end.year, end.month, a.day)
        previous = _add_months(end.replace(day=1), -1)
        return _safe_date(previous.year, previous.month, a.day)
    return _resolve(a, today)


def _is_range(a: Mention, b: Mention, s: str, today: date) -> bool:
    gap = s[a.end : b.start]
    m = _RANGE_GAP.match(gap)
    if m is None:
        return False
    if gap.strip().startswith(("et", "and")):
        if _BETWEEN_BEFORE.search(a.before):
            return True
        # "lundi et mardi", "demain et après-demain": two days in a row are one stay.
        first, second = _resolve_listed([a, b], today)
        return first is not None and second is not None and second == first + timedelta(days=1)
    return True


def _listed(usable: list[Mention], i: int, full: str) -> list[Mention]:
    """The days listed from ``usable[i]`` on ("lundi, mardi et jeudi"); just it if none."""
    chain = [usable[i]]
    joined_at = 0
    for nxt in usable[i + 1 :]:
        if nxt.kind not in ("date", "day", "rel", "wd"):
            break
        gap = full[chain[-1].end : nxt.start].replace(MASK, " ").split()
        if any(w not in _LIST_JOIN and w not in _LIST_FILLER for w in gap):
            break
        chain.append(nxt)
        if any(w in _LIST_JOIN for w in gap):
            joined_at = len(chain)
    return chain[:joined_at] if joined_at else chain[:1]


def _resolve_listed(chain: list[Mention], today: date) -> list[date | None]:
    """The days of a list, each read after the one before as the end of a range is
    (people list days in calendar order): said on a Thursday, "jeudi et vendredi" is next
    week's Thursday and the Friday after, not tomorrow. A bare day number borrows the
    month of a date said after it ("le 5 et le 7 janvier")."""
    found: list[date | None] = []
    previous: tuple[Mention, date] | None = None
    for k, m in enumerate(chain):
        day: date | None
        later = next((x for x in chain[k + 1 :] if x.kind == "date"), None)
        if m.kind == "day" and not m.offset and later is not None:
            day = _range_start(m, later, today)
        elif m.kind == "day" and not m.offset and previous is not None:
            day = next_day_number(previous[1], m.day)
        elif m.kind == "wd" and m.mode == "next" and previous is not None:
            assert m.weekday is not None
            day = next_weekday(previous[1], m.weekday, include=previous[0].kind != "wd")
        else:
            day = _resolve(m, today)
        found.append(day)
        if day is not None:
            previous = (m, day)
    return found


# --- composing ------------------------------------------------------------------------


def extract_dates(text: Text, today: date, lang: str, move: bool = False) -> Dates:
    """Find, mask and compose every day the message names.

    In a ``move`` (a message asking to change a booking) two days are where from and
    where to, never a range: "déplacer de jeudi à lundi" is from next Thursday to next
    Monday, each day read on its own by the usual rules.
    """
    full = str(text)
    invalid: list[str] = []
    mentions = find_mentions(text, lang, invalid)
    result = Dates(invalid_date=invalid[0] if invalid else None)
    if not mentions and not _DAILY.search(full) and not _WORKDAYS.search(full):
        return result
    _apply_week_context(mentions)
    weekly = _WEEKLY.search(full) is not None
    weekdays = _recurrent_weekdays(mentions, full, weekly)
    if weekdays:
        _compose_recurrence(result, mentions, weekdays, today, full)
    elif not (move and _compose_move(result, mentions, today, full)):
        _compose_days(result, mentions, today, full)
        if result.end_date is not None and result.end_date == result.date:
            result.end_date = None  # "de demain à vendredi" said on a Thursday: one day
    return result


def _apply_week_context(mentions: list[Mention]) -> None:
    """A week named apart ("la semaine prochaine, jeudi") moves the bare weekdays into it."""
    weeks = [m for m in mentions if m.kind == "week" and m.mode in ("nextweek", "weekafter")]
    this_weeks = [m for m in mentions if m.kind == "week" and m.mode == "thisweek"]
    bare = [m for m in mentions if m.kind == "wd" and m.mode == "next" and not m.recurrent]
    if not bare:
        return
    if weeks:
        for m in bare:
            m.mode = weeks[0].mode
        for w in weeks:
            w.consumed = True
    elif this_weeks:
        for m in bare:
            m.mode = "this"
        for w in this_weeks:
            w.consumed = True


def _recurrent_weekdays(mentions: list[Mention], full: str, weekly: bool) -> list[int]:
    days: list[int] = []
    wds = [m for m in mentions if m.kind == "wd"]
    if weekly:
        for m in wds:
            m.recurrent = True
    if _WORKDAYS.search(full):
        days.extend(range(5))
        for m in wds:
            m.consumed = True
    elif _DAILY.search(full):
        days.extend(range(7))
    for i, m in enumerate(wds):
        if not m.recurrent or m.weekday is None:
            continue
        m.consumed = True
        days.append(m.weekday)
        nxt = wds[i + 1] if i + 1 < len(wds) else None
        if nxt is not None and nxt.weekday is not None and (weekly or nxt.recurrent):
            gap = full[m.end : nxt.start].strip()
            if gap in ("au", "a", "to", "-", "through", "thru", "jusqu au", "jusqu a"):
                span = (nxt.weekday - m.weekday) % 7
                days.extend((m.weekday + k) % 7 for k in range(span + 1))
    return sorted(set(days))


def _compose_recurrence(
    result: Dates, mentions: list[Mention], weekdays: list[int], today: date, full: str
) -> None:
    lower = today + timedelta(days=1)
    until: date | None = None
    scope_end: date | None = None
    others = [m for m in mentions if not m.consumed and not (m.kind == "wd" and m.recurrent)]
    for i, m in enumerate(others):
        if m.consumed:
            continue
        if _UNTIL_BEFORE.search(m.before):
            until = until or _until_of(m, today)
            result.rolled_year |= rolled_year(m, until, today)
            m.consumed = True
            continue
        nxt = others[i + 1] if i + 1 < len(others) else None
        if (
            nxt is not None
            and m.kind in ("date", "day", "rel", "wd")
            and _is_range(m, nxt, full, today)
        ):
            start = _range_start(m, nxt, today)
            if start is not None:
                lower = start
                until = until or _range_end(m, start, nxt, today)
            m.consumed = nxt.consumed = True
            continue
        if m.kind in ("month", "week") and m.edge is None:
            span = _span(m, today)
            if span is not None:
                lower = max(lower, span[0])
                scope_end = span[1]
            m.consumed = True
            continue
        if m.kind == "month" and m.edge == "fin":
            until = until or _until_of(m, today)
            m.consumed = True
            continue
        if m.kind in ("date", "day", "rel", "wd"):
            found = _resolve(m, today)
            if found is not None:
                lower = found
            m.consumed = True
    first = min(next_weekday(lower, wd, include=True) for wd in weekdays)
    if until is None and scope_end is None:
        lasting = _FOR_SPAN.search(full)
        n = _number(lasting.group("n")) if lasting else None
        if lasting and n:
            unit = lasting.group("u")
            if unit.startswith(("semaine", "week")):
                until = first + timedelta(days=7 * n - 1)
            elif unit.startswith(("mois", "month")):
                until = _add_months(first, n) - timedelta(days=1)
    result.date = first
    result.recurrence = Recurrence(tuple(WEEKDAY_CODES[d] for d in weekdays), until or scope_end)


def _compose_days(result: Dates, mentions: list[Mention], today: date, full: str) -> None:
    usable = [m for m in mentions if not m.consumed]
    if not usable:
        return
    chosen: Mention | None = None
    for i, m in enumerate(usable):
        if m.kind not in ("date", "day", "rel", "wd"):
            continue
        if _UNTIL_BEFORE.search(m.before) and result.date is None:
            result.end_date = _until_of(m, today)
            result.rolled_year |= rolled_year(m, result.end_date, today)
            continue
        nxt = usable[i + 1] if i + 1 < len(usable) else None
        chain = _listed(usable, i, full)
        listed = len(chain) > 2 or (len(chain) == 2 and not _is_range(m, chain[1], full, today))
        if listed and _compose_list(result, chain, today):
            return
        if nxt is not None and _is_range(m, nxt, full, today):
            start = _range_start(m, nxt, today)
            if start is not None:
                result.date = start
                result.end_date = _range_end(m, start, nxt, today)
                chosen = m
                _check_weekday(result, m, start)
                if result.end_date is not None:
                    _check_weekday(result, nxt, result.end_date)
                result.rolled_year |= rolled_year(m, start, today)
                result.rolled_year |= rolled_year(nxt, result.end_date, today)
                break
        found = _resolve(m, today)
        if found is not None:
            result.date = found
            chosen = m
            _check_weekday(result, m, found)
            result.rolled_year |= rolled_year(m, found, today)
            if _WEEK_OF_BEFORE.search(m.before):
                result.date = _monday(found)
                result.end_date = result.date + timedelta(days=6)
            break
    if result.date is not None and result.end_date is None and chosen is not None:
        _until_after(result, usable, chosen, today, full)
        return
    if result.date is None:
        for m in usable:
            if m.kind == "month" and not _SCOPE_BEFORE.search(m.before):
                continue
            if m.kind in ("week", "month", "endof") and m.edge is None:
                span = _span(m, today)
                if span is not None:
                    result.date = max(span[0], today)
                    result.end_date = span[1]
                    if result.end_date < result.date:
                        result.date = None
                        result.end_date = None
                        continue
                    break


def _compose_list(result: Dates, chain: list[Mention], today: date) -> bool:
    """Several separate days: ``days`` in the order said, ``date`` the first of them.
    False when they come to one day ("demain et vendredi" said on a Thursday)."""
    days: list[date] = []
    starts: list[int] = []
    read = Dates()
    for m, found in zip(chain, _resolve_listed(chain, today), strict=True):
        if found is None:
            continue
        _check_weekday(read, m, found)
        read.rolled_year |= rolled_year(m, found, today)
        if found not in days:
            days.append(found)
            starts.append(m.start)
    if len(days) < 2:
        return False
    result.weekday_mismatch |= read.weekday_mismatch
    result.rolled_year |= read.rolled_year
    result.date = days[0]
    result.days = tuple(days)
    result.day_starts = tuple(starts)
    return True


def _compose_move(result: Dates, mentions: list[Mention], today: date, full: str) -> bool:
    """The day moved from and the new day of a change; False when it names no day."""
    days = [m for m in mentions if not m.consumed and m.kind in ("date", "day", "rel", "wd")]
    if not days:
        return False
    old: Mention | None
    new: Mention | None
    if len(days) >= 2:
        old, new = days[0], days[1]
        if _MOVE_SWAP.search(new.before):  # "vendredi au lieu de jeudi"
            old, new = new, old
    else:
        only = days[0]
        named_from = _MOVE_FROM_BEFORE.search(only.before) or _MOVE_FROM_AFTER.match(
            full[only.end :]
        )
        old, new = (only, None) if named_from else (None, only)
    for m, is_new in ((old, False), (new, True)):
        if m is None:
            continue
        found = _resolve(m, today)
        if found is None:
            continue
        _check_weekday(result, m, found)
        result.rolled_year |= rolled_year(m, found, today)
        if is_new:
            result.date = found
        else:
            result.from_date = found
    return True


def _until_after(
    result: Dates, usable: list[Mention], chosen: Mention, today: date, full: str
) -> None:
    """The end of a range stated apart: "de lundi jusqu'au 18", "pendant 3 jours"."""
    assert result.date is not None
    for m in usable:
        if m is chosen or m.start < chosen.start:
            continue
        if _UNTIL_BEFORE.search(m.before):
            end = _until_of(m, today)
            if m.kind == "day":
                end = next_day_number(result.date, m.day)
            if end is not None and end >= result.date:
                result.end_date = end
            return
    span = _FOR_SPAN.search(full)
    n = _number(span.group("n")) if span else None
    if span and n and n <= 366:
        unit = span.group("u")
        if unit.startswith(("jour", "day")) and n > 1:
            result.end_date = result.date + timedelta(days=n - 1)
        elif unit.startswith(("semaine", "week")):
            result.end_date = result.date + timedelta(days=7 * n - 1)


def _check_weekday(result: Dates, m: Mention, found: date) -> None:
    if m.kind in ("date", "day") and m.weekday is not None and found.weekday() != m.weekday:
        result.weekday_mismatch = True
