"""``parse``: one message, the moment it was written and the network -> an ``Intent``.

A pure function: no I/O, no global clock, no state between calls other than caches of
static things (the centre index of a network, the conversion of a date span). The order
of the steps matters because each one masks what it understood: centres first (a place
may contain any word), then clock times (so "14h" is not the 14th), counts, and dates.
"""

from __future__ import annotations

import re
from dataclasses import astuple
from datetime import date, datetime

from booking_core.network import Network
from handlers.nlu.centres import find_centre, index_for
from handlers.nlu.counts import extract_counts
from handlers.nlu.dates import extract_dates
from handlers.nlu.intents import CHANGE, Slots, classify, is_polite, person_sought, politeness
from handlers.nlu.lang import SUPPORTED, detect
from handlers.nlu.lexicon import GRAMMAR_WORDS, MONTHS, NUMBERS, WEEKDAYS
from handlers.nlu.model import Intent
from handlers.nlu.normalize import MAX_CHARS, fold, original_span
from handlers.nlu.spelling import correct
from handlers.nlu.text import MASK, Text
from handlers.nlu.times import day_periods, extract_period, extract_times


def local_today(now: datetime, network: Network) -> date:
    """The network's calendar day at ``now``; a naive ``now`` is already local."""
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(network.tz).date()


def bare_number(rest: str) -> int | None:
    """A message left with one whole number once everything understood is masked ("14",
    "deux stp"): a choice, a count or a day of the month, which only the question asked
    can tell, so it is given apart and never read as a date."""
    words = [w for w in rest.replace(MASK, " ").split() if not is_polite(w)]
    if len(words) != 1:
        return None
    word = words[0]
    if word.isdigit() and len(word) <= 3:
        return int(word)
    return NUMBERS.get(word)


# « à Paris », « in Toulouse »: a capitalised word where a place is expected.
_PLACED_NAME = re.compile(
    r"(?:^|\s)(?:à|a|au|in|at|near|vers|sur|près de|pres de)\s+"
    r"([A-ZÀÂÉÈÊÎÔÛÇ][a-zà-ÿ']{2,}(?:-(?:[a-z]+-)*[A-ZÀÂÉÈÊÎÔÛÇ][a-zà-ÿ']+)*)"
)


def unknown_place(text: str) -> str | None:
    """A place the message names that is no centre of the network ("un bureau à Paris"),
    so that the dialogue can say it is unknown instead of silently asking where."""
    for match in _PLACED_NAME.finditer(text):
        name = match.group(1)
        first = fold(name.split()[0].split("-")[0]).text.strip()
        if first in WEEKDAYS or first in MONTHS or first in NUMBERS or first in GRAMMAR_WORDS:
            continue
        return name
    return None


def parse(text: str, now: datetime, lang_hint: str | None, network: Network) -> Intent:
    """Understand one message; never raises on any string."""
    truncated = len(text) > MAX_CHARS
    kept = text[:MAX_CHARS] if truncated else text
    folded = fold(kept)
    if lang_hint in SUPPORTED:
        lang, sure = str(lang_hint), True
    else:
        detected = detect(folded.text, folded.accents, network.default_language, kept)
        lang, sure = detected.language, detected.sure
    index = index_for(network)
    s = correct(folded.text, index.words)

    body = Text(s)
    centre = find_centre(s, index)
    if centre is not None:
        body.take(centre.start, centre.end)
    intent_text = str(body)

    times = extract_times(body)
    timed = str(body)
    period = extract_period(timed)
    counts = extract_counts(body)
    move = CHANGE.search(s) is not None
    dates = extract_dates(body, local_today(now, network), lang, move=move)
    periods = day_periods(timed, dates.day_starts) if dates.days else ()
    if periods:
        period = periods[0] if len(set(periods)) == 1 else None

    slots = Slots(
        centre=centre is not None,
        date=dates.date is not None or dates.end_date is not None,
        time=times.start is not None or times.end is not None,
        recurrence=dates.recurrence is not None,
        count=counts.count is not None,
        resource=counts.resource is not None,
        period=period is not None,
    )
    intent = classify(intent_text, folded.question, folded.command, slots)
    when = slots.date or slots.time or slots.recurrence or slots.count or slots.resource
    if intent in ("unknown", "book") and not when and person_sought(kept, index.words):
        intent = "directory"  # "je cherche Bob Martin": the directory answers for people
    # A change is a booking that replaces another: "book" with ``change`` set, whatever
    # "ma réservation" made it look like.
    change = move and intent in ("book", "list") and folded.command is None
    if change:
        intent = "book"
    polite = None if any(astuple(slots)) or folded.command else politeness(intent_text)
    return Intent(
        intent=intent,
        language=lang,
        language_sure=sure,
        centre=centre.centre_id if centre else None,
        date=dates.date,
        end_date=dates.end_date,
        period=period,
        start=times.start,
        end=times.end,
        count=counts.count,
        resource=counts.resource,
        recurrence=dates.recurrence,
        weekday_mismatch=dates.weekday_mismatch,
        invalid_date=original_span(kept, dates.invalid_date) if dates.invalid_date else None,
        truncated=truncated,
        politeness=polite,
        bare_number=bare_number(str(body)),
        rolled_year=dates.rolled_year,
        change=change,
        from_date=dates.from_date,
        dates=dates.days,
        periods=periods,
        unknown_place=unknown_place(kept) if centre is None else None,
    )
