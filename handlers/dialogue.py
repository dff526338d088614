"""The conversation: (state, understood message) -> (state, what to say, what to do).

Pure: no I/O and no clock of its own. :func:`step` reads one message and returns either
the replies at once or one :class:`Command` for the router to run on the core; the
router then calls :func:`after` with the command's outcome to finish the replies. The
state is plain JSON kept in the database per channel and person, so a restart or a
second instance picks a dialogue up where it stood.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from booking_core import errors
from booking_core.domain import (
    Alternative,
    Availability,
    Booking,
    CancelResult,
    Confirmation,
    DeskRequest,
    Profile,
    RoomRequest,
    WaitEntry,
)
from booking_core.network import Centre, Network, Period, ResourceKind
from booking_core.services import SeriesPlan, series_days
from handlers.calendar import attachment_for_all, attachment_for_booking, attachment_for_cancel
from handlers.digest import own_impact
from handlers.faq import FaqAnswer
from handlers.i18n import DayMonth, HolidayName, Lines, Msg, Weekday, decode, encode, t, tn
from handlers.messages import Attachment, IncomingMessage
from handlers.nlu import Intent
from handlers.nlu.normalize import strip_accents

State = dict[str, Any]
WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
DEFAULT_SERIES_WEEKS = 4
MAX_LISTED = 8


# ---------------------------------------------------------------- what comes out


@dataclass(frozen=True)
class Out:
    """One reply before translation: a text, its choices (label, token) and files."""

    text: Msg | str
    choices: tuple[tuple[Msg | str, str], ...] = ()
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Command:
    """Something for the router to run on the core; its outcome comes back to :func:`after`."""


@dataclass(frozen=True)
class CheckBooking(Command):
    request: DeskRequest | RoomRequest


@dataclass(frozen=True)
class PlanSeries(Command):
    template: DeskRequest
    days: tuple[date, ...]


@dataclass(frozen=True)
class CheckChange(Command):
    """The dry run of a change: the booking being moved counts as freed."""

    booking_ids: tuple[int, ...]  # desks booked together move together
    request: DeskRequest


@dataclass(frozen=True)
class Book(Command):
    request: DeskRequest | RoomRequest


@dataclass(frozen=True)
class BookSeries(Command):
    template: DeskRequest
    days: tuple[date, ...]


@dataclass(frozen=True)
class Upcoming(Command):
    purpose: str  # list, cancel, change, calendar
    day: date | None = None
    everything: bool = False  # « annuler toutes mes réservations »


@dataclass(frozen=True)
class Agenda:
    """What ``Upcoming`` finds: the bookings to come, and the waitlist entries."""

    bookings: list[Booking]
    waits: list[WaitEntry] = field(default_factory=list)


@dataclass(frozen=True)
class LeaveWaitlist(Command):
    entry_id: int
    what: dict[str, Any]  # the entry, to name it in the answer


@dataclass(frozen=True)
class Cancel(Command):
    booking_ids: tuple[int, ...]
    key: str | None


@dataclass(frozen=True)
class Change(Command):
    booking_ids: tuple[int, ...]
    request: DeskRequest


@dataclass(frozen=True)
class CheckAvailability(Command):
    centre_id: str
    day: date


@dataclass(frozen=True)
class JoinWaitlist(Command):
    request: DeskRequest


@dataclass(frozen=True)
class AskFaq(Command):
    """Ask the knowledge base; ``question`` None means the message itself."""

    question: Msg | None = None


@dataclass(frozen=True)
class CheckIn(Command):
    pass


@dataclass(frozen=True)
class ConfirmAttendance(Command):
    """« Je viens », answered to a reminder: the managers see who confirmed."""

    booking_ids: tuple[int, ...]


@dataclass(frozen=True)
class Occupancy(Command):
    """A manager's question: who comes, how full, at their centre(s) on a day."""

    centre_id: str | None
    day: date


@dataclass(frozen=True)
class OwnImpact(Command):
    pass


@dataclass(frozen=True)
class DirectorySearch(Command):
    query: str  # empty: the message itself
    page: int = 0


@dataclass(frozen=True)
class DirectoryJoin(Command):
    display_name: str
    skills: str


@dataclass(frozen=True)
class DirectoryLeave(Command):
    pass


@dataclass(frozen=True)
class DirectoryField(Command):
    """Set one field of one's directory profile, or publish / hide it (its own consent)."""

    action: str  # set, publish, hide, show
    field: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class PartnerNote(Command):
    """A partner looking for work in the territory: a note only managers see, or None."""

    note: str | None


@dataclass(frozen=True)
class Presence(Command):
    day: date


@dataclass(frozen=True)
class PresenceConsent(Command):
    granted: bool
    display_name: str | None = None  # for someone not yet in the directory: the name shown


@dataclass(frozen=True)
class ContactStart(Command):
    """Before asking for the message: may this person write (are they in the directory)?"""

    profile_id: int


@dataclass(frozen=True)
class DirectoryContact(Command):
    profile_id: int
    message: str


@dataclass(frozen=True)
class ExportData(Command):
    pass


@dataclass(frozen=True)
class Forget(Command):
    key: str | None


@dataclass
class Step:
    state: State
    out: list[Out] = field(default_factory=list)
    command: Command | None = None
    profile: Profile | None = None  # set when the profile changed and must be saved
    erased: bool = False  # the person is forgotten: keep no state for them either


@dataclass(frozen=True)
class Ctx:
    """What the dialogue may know besides the message: the territory, today, the person."""

    network: Network
    now: datetime
    user: str
    profile: Profile | None
    key: str | None
    channel: str | None = None
    lang: str | None = None  # known once the router has chosen the reply's language

    @property
    def today(self) -> date:
        return self.now.date()


# ---------------------------------------------------------------- small words

_YES = {
    "oui", "ok", "okay", "d'accord", "dac", "d'acc", "yes", "yep", "yup", "yeah", "y", "o",
    "c'est bon", "parfait", "go", "valider", "je confirme", "confirmer", "confirm",
    "confirmed", "confirme", "sure", "ouais", "bien sur", "volontiers", "oui merci",
    "yes please", "ca marche", "ok merci", "c'est parfait", "oui svp", "oui stp", "top",
    "exact", "exactement", "c'est ca", "ca me va", "vas y", "allez y", "super", "nickel",
    "ben oui", "bah oui", "mais oui", "tout a fait", "perfect", "great", "sounds good",
    "correct", "fine", "please do", "that is right", "that's right", "right", "go ahead",
    "absolutely", "of course", "bien", "tres bien", "entendu", "impeccable", "banco",
}  # fmt: skip
_NO = {
    "non", "no", "nope", "n", "pas ca", "laisse tomber", "non merci", "no thanks", "stop",
    "abandonner", "abandon", "annuler", "cancel", "nan", "surtout pas", "never mind",
    "forget it", "pas du tout", "certainly not", "not really", "ca ne va pas", "ce n'est pas ca",
}  # fmt: skip
_SKIP = {"passer", "skip", "je passe", "aucun", "aucune", "rien", "none", "-", "plus tard"}
# A yes or a no may come with more words: « oui c'est bon », « yes please book it ».
_YES_FIRST = {
    "oui", "ok", "okay", "yes", "yep", "yeah", "ouais", "daccord", "d'accord", "parfait",
    "sure", "go", "volontiers", "exact", "top", "confirmer", "confirm", "valider", "ouep",
}  # fmt: skip
_NO_FIRST = {"non", "no", "nope", "nan"}
_YES_EMOJI = ("\U0001f44d", "\u2705", "\U0001f44c", "\U0001f197", "\u2714")
_NO_EMOJI = ("\U0001f44e", "\u274c", "\U0001f6ab")
_ALL = re.compile(r"\b(?:toutes|tous|tout|all|everything)\b")
_LANGUAGE_WORDS = {
    "fr": "fr", "francais": "fr", "french": "fr", "en francais": "fr",
    "en": "en", "english": "en", "anglais": "en", "in english": "en", "en anglais": "en",
}  # fmt: skip
_CHOICE = re.compile(r"^(?:le |la |choix |option |numero |n |no |#)?(\d{1,2})(?:er|e|eme)?$")
_CHANGE = re.compile(
    r"\b(?:modifier|changer|deplacer|decaler|reporter|avancer|move|change|reschedule)\b"
)
# /annuaire <word> <value>: the profile field it sets (each is published separately).
_DIRECTORY_FIELDS = {
    "nom": "display_name", "name": "display_name", "competences": "skills",
    "skills": "skills", "metier": "profession", "job": "profession",
    "commune": "commune", "centre": "usual_centre", "contact": "contact_handle",
    "ouvert": "open_to", "open": "open_to",
}  # fmt: skip
_WHO_COMES = re.compile(r"\b(?:qui vient|qui sera la|qui est la|who(?:'s| is) coming|who comes)\b")
_ARRIVED = re.compile(
    r"\b(?:je suis (?:bien )?arrivee?|suis arrivee?|je suis (?:la|sur place)|i'?m here|"
    r"i (?:have )?arrived|check ?in)\b"
)
_SLOT_QUESTIONS = ("centre", "date", "period", "times", "people")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")
_COMMANDS = {
    "start": "start", "aide": "help", "help": "help", "reserver": "book", "book": "book",
    "mesreservations": "list", "mybookings": "list", "annuler": "cancel", "cancel": "cancel",
    "langue": "language", "language": "language", "profil": "profile", "profile": "profile",
    "modifier": "change", "change": "change", "mesdonnees": "mydata", "mydata": "mydata",
    "oublier": "forget", "forget": "forget", "arrivee": "checkin", "checkin": "checkin",
    "calendrier": "calendar", "calendar": "calendar", "occupation": "occupancy",
    "occupancy": "occupancy", "impact": "impact", "annuaire": "directory",
    "directory": "directory", "quiestla": "presence_list", "presents": "presence_list",
    "whoishere": "presence_list",
    "presence": "presence",
    "confidentialite": "privacy", "privacy": "privacy",
}  # fmt: skip


def simplify(text: str) -> str:
    """Lower case, no accents, no emoji or punctuation around: to compare short answers."""
    text = strip_accents(text.lower().replace("\u2019", "'"))
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def _squeeze(words: str) -> str:
    """One spelling for an answer: no apostrophes or spaces, no letters doubled (« ouii »,
    « c est bon », « okk »)."""
    return re.sub(r"(.)\1+", r"\1", words.replace("'", "").replace(" ", ""))


_YES_KEYS = frozenset(_squeeze(w) for w in _YES)
_NO_KEYS = frozenset(_squeeze(w) for w in _NO)
_YES_FIRST_KEYS = frozenset(_squeeze(w) for w in _YES_FIRST)
_NO_FIRST_KEYS = frozenset(_squeeze(w) for w in _NO_FIRST)


def yes_no(text: str, simple: str) -> str | None:
    """ "yes", "no" or None: a short answer, its first word, or a thumbs up or down."""
    squeezed = _squeeze(simple)
    if squeezed in _YES_KEYS:
        return "yes"
    if squeezed in _NO_KEYS:
        return "no"
    if not simple:
        if any(mark in text for mark in _YES_EMOJI):
            return "yes"
        if any(mark in text for mark in _NO_EMOJI):
            return "no"
        return None
    first = _squeeze(simple.split(" ", 1)[0])
    if first in _YES_FIRST_KEYS:
        return "yes"
    if first in _NO_FIRST_KEYS:
        return "no"
    return None


def command_of(text: str) -> str | None:
    match = re.match(r"^\s*/([A-Za-z_]{1,30})(?:@\w+)?\b", text)
    if match is None:
        return None
    return _COMMANDS.get(simplify(match.group(1)).replace(" ", ""), "unknown_command")


# ---------------------------------------------------------------- describing things

PERIOD_NAMES = {
    Period.MORNING: t("matin"),
    Period.AFTERNOON: t("après-midi"),
    Period.DAY: t("toute la journée"),
}


def centre_name(network: Network, centre_id: str) -> str:
    try:
        return network.centre(centre_id).spec.commune
    except errors.UnknownCentre:
        return centre_id


def describe_slots(network: Network, slots: dict[str, Any]) -> Msg:
    day = date.fromisoformat(slots["date"])
    where = centre_name(network, slots["centre"])
    if slots.get("resource") == ResourceKind.MEETING_ROOM.value:
        return tn(
            "{day}, de {start} à {end}, salle de réunion à {centre} pour {n} personne",
            "{day}, de {start} à {end}, salle de réunion à {centre} pour {n} personnes",
            int(slots.get("count") or 1),
            day=day,
            start=time.fromisoformat(slots["start"]),
            end=time.fromisoformat(slots["end"]),
            centre=where,
        )
    count = slots.get("count") or 1
    return tn(
        "{day}, {period}, à {centre}",
        "{day}, {period}, à {centre} ({n} bureaux)",
        count,
        day=day,
        period=PERIOD_NAMES[Period(slots["period"])],
        centre=where,
    )


def describe_booking(network: Network, booking: Booking) -> Msg:
    where = centre_name(network, booking.centre_id)
    if booking.kind is ResourceKind.MEETING_ROOM:
        try:
            room = network.resource(booking.resource_id).name
        except errors.BookingError:
            room = booking.resource_id
        return t(
            "{day}, de {start} à {end}, {room} à {centre}",
            day=booking.day,
            start=booking.start,
            end=booking.end,
            room=room,
            centre=where,
        )
    assert booking.period is not None
    return t(
        "{day}, {period}, à {centre}",
        day=booking.day,
        period=PERIOD_NAMES[booking.period],
        centre=where,
    )


def describe_alternative(network: Network, alt: Alternative) -> Msg:
    where = centre_name(network, alt.centre_id)
    if alt.distance_km is not None:
        return t(
            "{day}, {period}, à {centre} ({km} km)",
            day=alt.day,
            period=PERIOD_NAMES[alt.period],
            centre=where,
            km=round(alt.distance_km),
        )
    return t(
        "{day}, {period}, à {centre}", day=alt.day, period=PERIOD_NAMES[alt.period], centre=where
    )


def help_text() -> Msg:
    return t(
        "Je réserve des bureaux et des salles dans les télécentres du réseau. Écrivez par "
        "exemple :\n• réserver un bureau à Figeac jeudi matin\n• une salle de réunion à "
        "Aurillac mardi de 14h à 16h pour 6 personnes\n• mes réservations\n• annuler ma "
        "réservation de vendredi\n• des bureaux libres à Decazeville demain ?\n• le "
        "télétravail, c'est un droit ?\nCommandes : /reserver /mesreservations /annuler "
        "/modifier /langue /profil /aide\nAussi : /calendrier (vos réservations dans votre "
        "agenda), /arrivee, /annuaire, /presence, /impact, /mesdonnees, /oublier"
    )


def privacy_line() -> Msg:
    return t(
        "Je ne garde que vos réservations, votre langue et le profil que vous choisissez de "
        "donner : /mesdonnees pour les voir, /oublier pour les effacer."
    )


def explain(exc: errors.BookingError, network: Network) -> Msg:
    """One sentence per refusal reason, in the user's words, naming the day and the place."""
    d = exc.details
    where = centre_name(network, str(d.get("centre", "")))
    day = date.fromisoformat(str(d["day"])) if d.get("day") else None
    if isinstance(exc, errors.PublicHoliday) and day is not None:
        return t(
            "Le {day} est férié ({holiday}) : les télécentres sont fermés.",
            day=day,
            holiday=HolidayName(
                day,
                network.spec.network.holidays_country,
                network.spec.network.holidays_subdivision,
            ),
        )
    if isinstance(exc, errors.Closed):
        if d.get("reason") == "lunch":
            return t(
                "Le {day}, le télécentre de {centre} ferme de {start} à {end} pour le déjeuner.",
                day=day,
                centre=where,
                start=time.fromisoformat(str(d["closed_from"])),
                end=time.fromisoformat(str(d["closed_until"])),
            )
        if d.get("reason") == "closure":
            return t(
                "Le télécentre de {centre} est fermé du {first} au {last}.",
                centre=where,
                first=date.fromisoformat(str(d["first"])),
                last=date.fromisoformat(str(d["last"])),
            )
        if d.get("reason") == "hours":
            opened = [PERIOD_NAMES[Period(p)] for p in d.get("open", [])]  # type: ignore[attr-defined]
            return t(
                "Le {day}, le télécentre de {centre} n'est ouvert que le {halves}.",
                day=day,
                centre=where,
                halves=opened,
            )
        return t("Le télécentre de {centre} est fermé le {day}.", centre=where, day=day)
    if isinstance(exc, errors.InThePast):
        if d.get("started"):
            return t("Ce créneau a déjà commencé : choisissez une heure de début à venir.")
        return t("Ce créneau est déjà passé.")
    if isinstance(exc, errors.NotFull):
        return t("Il reste de la place à ce moment-là : inutile d'attendre, je peux réserver.")
    if isinstance(exc, errors.KeyReused):
        return t("Ce message a déjà servi à une autre demande : écrivez-la à nouveau.")
    if isinstance(exc, errors.BeyondWindow):
        return t(
            "On peut réserver jusqu'à {n} jours à l'avance, soit jusqu'au {last}.",
            n=d.get("window_days"),
            last=date.fromisoformat(str(d["last_day"])),
        )
    if isinstance(exc, errors.QuotaExceeded):
        monday = date.fromisoformat(str(d["week_of"]))
        return t(
            "C'est {quota} jours par semaine au plus, et la semaine du {monday} en compterait "
            "davantage.",
            quota=d.get("quota"),
            monday=DayMonth(monday),
        )
    if isinstance(exc, errors.AlreadyBooked):
        return t(
            "Vous avez déjà une réservation le {day} à ce moment-là, à {centre}.",
            day=day,
            centre=where,
        )
    if isinstance(exc, errors.Full):
        if d.get("period"):
            return t(
                "Il n'y a plus de bureau libre à {centre} le {day}, {period}.",
                centre=where,
                day=day,
                period=PERIOD_NAMES[Period(str(d["period"]))],
            )
        return t(
            "Toutes les salles de {centre} sont prises le {day} à ces heures-là.",
            centre=where,
            day=day,
        )
    if isinstance(exc, errors.InvalidCount):
        return t("Je peux réserver de 1 à {maximum} bureaux à la fois.", maximum=d.get("maximum"))
    if isinstance(exc, errors.UnknownCentre):
        return t("Je ne connais pas ce télécentre dans le réseau.")
    if isinstance(exc, errors.UnknownResource):
        return t("Ce télécentre n'a pas de salle de réunion.")
    if isinstance(exc, errors.InvalidTimeRange):
        return t("Les salles se réservent par demi-heures, avec une fin après le début.")
    if isinstance(exc, errors.NotCancellable):
        return t("Cette réservation est déjà passée.")
    if isinstance(exc, errors.NotOwner | errors.UnknownBooking):
        return t("Je ne trouve pas cette réservation parmi les vôtres.")
    if isinstance(exc, errors.Busy):
        return t("Beaucoup de demandes arrivent en même temps : réessayez dans un instant.")
    return _DIRECTORY_REFUSALS.get(exc.code) or t("Je ne peux pas faire cela pour le moment.")


# The directory's refusals, by code (the core names them; the words are the dialogue's).
_DIRECTORY_REFUSALS = {
    "no_directory_profile": t("Vous n'êtes pas dans l'annuaire : /annuaire rejoindre."),
    "directory_profile_exists": t("Vous êtes déjà dans l'annuaire : /annuaire profil."),
    "unknown_directory_entry": t("Cette personne n'est plus dans l'annuaire."),
    "invalid_directory_value": t("Cette valeur ne convient pas à ce champ."),
    "no_contact_handle": t(
        "Pour écrire à quelqu'un, rejoignez d'abord l'annuaire (/annuaire rejoindre) : "
        "la personne pourra ainsi vous répondre."
    ),
    "contact_limit": t(
        "Vous avez déjà écrit à beaucoup de monde aujourd'hui, ou à cette personne cette "
        "semaine : réessayez plus tard."
    ),
}


# ---------------------------------------------------------------- the step


GREETING = t("Bonjour ! Que puis-je faire pour vous ?")


def new_state() -> State:
    return {"v": 1, "welcomed": False, "flow": None, "slots": {}, "awaiting": None, "choices": {}}


# Buttons of the last reminder sent beside a dialogue (see handlers.notify).
REMINDER_CHOICES = "reminder_choices"
# What a dialogue in progress keeps; everything else in the state outlives it.
_DIALOGUE_KEYS = (
    "flow", "slots", "awaiting", "choices", "labels", "target", "target_booking", "question",
    "suspended",
    "pending_ids", "bookable", "dir_name", "dir_skills", "contact", "series_of",
)  # fmt: skip


def _reset(state: State) -> State:
    kept = {k: v for k, v in state.items() if k not in _DIALOGUE_KEYS}
    return {**kept, "flow": None, "slots": {}, "awaiting": None, "choices": {}}


def _ask(
    state: State, awaiting: str, text: Msg, choices: Sequence[tuple[Msg | str, dict[str, Any]]]
) -> Step:
    tokens = {str(n): payload for n, (_, payload) in enumerate(choices, 1)}
    # The labels are kept too, so that a wrong answer can be met with the same list.
    labels = {str(n): encode(label) for n, (label, _) in enumerate(choices, 1)}
    state = {
        **state,
        "awaiting": awaiting,
        "choices": tokens,
        "labels": labels,
        "question": encode(text),
    }
    return Step(
        state, [Out(text, tuple((label, str(n)) for n, (label, _) in enumerate(choices, 1)))]
    )


def step(state: State | None, msg: IncomingMessage, understood: Intent, ctx: Ctx) -> Step:
    """Read one message in the light of the dialogue so far."""
    first = state is None or not state.get("welcomed")
    state = dict(state) if state is not None else new_state()
    state["welcomed"] = True
    result = _dispatch(state, msg, understood, ctx)
    if first:
        hello = Out(
            t(
                "Bonjour, je suis l'assistant de réservation du {network}.",
                network=ctx.network.name,
            )
        )
        if understood.intent == "greeting":
            result.out = [out for out in result.out if out.text != GREETING]
        result.out[:0] = [hello, Out(privacy_line())]
        quiet = result.command is None and not any(out.choices for out in result.out)
        if quiet and not result.state.get("flow"):
            # Offered, never imposed: a first message that asks for something is served.
            offer = _language_choice(result.state, intro=None)
            result = Step(offer.state, result.out + offer.out, None, result.profile)
    if understood.truncated:
        result.out.insert(0, Out(t("Votre message était très long : je n'en ai lu que le début.")))
    return result


def _dispatch(state: State, msg: IncomingMessage, understood: Intent, ctx: Ctx) -> Step:
    text = msg.text.strip()
    simple = simplify(text)
    token = msg.choice or _choice_token(simple, state)
    if token is not None and token in state.get("choices", {}):
        return _on_choice(state, state["choices"][token], ctx)
    reminder = state.get(REMINDER_CHOICES) or {}
    if msg.choice is not None and msg.choice in reminder:
        # A reminder's button, pressed after the dialogue asked something else.
        return _on_choice(_reset(state), reminder[msg.choice], ctx)
    if token is not None and state.get("choices"):
        return _ask(
            state, state["awaiting"], t("Choisissez un numéro de la liste."), _relist(state)
        )
    command = command_of(text)
    if command is not None:
        return _on_slash(state, command, simple, text, understood, ctx)
    if not simple and not text:
        return Step(
            state,
            [
                Out(
                    t(
                        "Je n'ai rien reçu. Écrivez par exemple "
                        "« réserver un bureau à Figeac jeudi »."
                    )
                )
            ],
        )
    if _WHO_COMES.search(simple):
        return Step(
            _reset(state), command=Occupancy(understood.centre, understood.date or ctx.today)
        )
    awaiting = state.get("awaiting")
    flow = state.get("flow")
    answer = yes_no(text, simple)
    booking = flow in ("book", "change")
    pending = awaiting in ("confirm", "alternative", "date_check", "series")
    if booking and pending and _is_correction(understood):
        # « non, mardi », « plutôt l'après-midi »: the pending request, corrected.
        return _correct(state, understood, ctx, answer)
    if awaiting in _YES_NO_QUESTIONS and answer is not None:
        return _on_choice(state, {"do": answer}, ctx)
    vague = understood.intent in ("unknown", "greeting") and not _has_slots(understood)
    if awaiting in ("confirm", "series", "date_check", "dir_publish") and vague:
        # Neither a yes, a no, nor a new request: the question stands.
        asked = _ask(
            state, str(awaiting), t("Répondez oui ou non, s'il vous plaît."), _relist(state)
        )
        return asked
    if booking and awaiting and understood.intent in ("list", "faq"):
        # A question in the middle of a booking is answered, then the booking resumes.
        aside = _on_intent(_reset(state), understood, ctx)
        kept = {k: state[k] for k in _DIALOGUE_KEYS if k in state and k != "suspended"}
        aside.state = {**aside.state, "suspended": kept}
        return aside
    if awaiting in ("commune", "commute", "centre_km"):
        if answer == "no":
            return Step(
                _reset(state), [Out(t("D'accord, j'abandonne. Que puis-je faire pour vous ?"))]
            )
        booking_words = (understood.date, understood.period, understood.resource, understood.start)
        other = understood.intent not in ("unknown", "greeting", "book")
        if other or (understood.intent == "book" and any(booking_words)):
            # « mes réservations » typed at « Dans quelle commune ? »: a request, not a
            # commune (a commune that is a centre's, « Figeac », is still an answer).
            return _on_intent(_reset(state), understood, ctx)
        return _profile_answer(state, text, simple, ctx)
    if awaiting == "usual_centre" and understood.centre:
        return _profile_save_centre(state, understood.centre, ctx)
    if awaiting == "language" and simple in _LANGUAGE_WORDS:
        return _on_choice(state, {"do": "lang", "value": _LANGUAGE_WORDS[simple]}, ctx)
    if awaiting in ("dir_skills", "dir_name", "dir_message") and answer != "no":
        return _directory_answer(state, text)
    if awaiting == "presence_name" and answer != "no":
        return Step(_reset(state), command=PresenceConsent(True, text.strip()[:80]))
    if awaiting in ("choice", "alternative") and flow in ("cancel", "change"):
        picked = _pick_listed(state, understood)
        if picked is not None:
            return _on_choice(state, picked, ctx)
    filling = flow in ("book", "change", "availability") and awaiting in _SLOT_QUESTIONS
    number = understood.bare_number
    if filling and number is not None:
        # A bare number answers the question asked: a day of the month, or how many.
        if awaiting == "date" and understood.date is None:
            day = _day_of_month(number, ctx.today)
            if day is not None:
                understood = replace(understood, date=day)
        elif awaiting == "people" and understood.count is None:
            understood = replace(understood, count=number)
    if booking and awaiting in ("alternative", "choice") and answer == "yes":
        return _ask(state, str(awaiting), t("Choisissez un numéro de la liste."), _relist(state))
    if filling and answer == "yes" and not _has_slots(understood):
        return _reask(state, ctx)
    answers = filling and _has_slots(understood) and not understood.change
    if answers and understood.intent in _ANSWER_INTENTS:
        if flow in ("book", "availability") and _is_new_request(understood):
            return _on_intent(_reset(state), understood, ctx)
        return _fill(state, understood, ctx)
    if answer == "no" and (
        flow or (_squeeze(simple) in _NO_KEYS and understood.intent != "cancel")
    ):
        return Step(_reset(state), [Out(t("D'accord, j'abandonne. Que puis-je faire pour vous ?"))])
    if filling and understood.intent in ("unknown", "greeting") and not _has_slots(understood):
        return _reask(state, ctx)
    if filling and understood.politeness is not None:
        return _reask(state, ctx)
    if understood.politeness == "thanks":
        return Step(_reset(state), [Out(t("Avec plaisir ! À bientôt au télécentre."))])
    if answer == "yes" and not flow and vague:
        return Step(
            state, [Out(t("Je n'ai pas de question en cours. Que puis-je faire pour vous ?"))]
        )
    if understood.politeness == "bye":
        return Step(_reset(state), [Out(t("Au revoir, à bientôt au télécentre !"))])
    if _ARRIVED.search(simple):
        return Step(_reset(state), command=CheckIn())
    changing = _CHANGE.search(simple) and understood.intent in ("book", "cancel", "list", "unknown")
    if understood.change or changing:
        return _start_change(_reset(state), understood, ctx)
    if understood.intent == "cancel" and understood.date is None and _ALL.search(simple):
        every = Upcoming("cancel", everything=True)
        return Step({**_reset(state), "flow": "cancel"}, command=every)
    return _on_intent(_reset(state), understood, ctx)


# A question answered by yes or no; and what a slot-filling answer may be classified as.
_YES_NO_QUESTIONS = ("confirm", "series", "date_check", "forget", "dir_publish")
_ANSWER_INTENTS = ("book", "unknown", "greeting", "help")


def _on_slash(
    state: State, command: str, simple: str, text: str, understood: Intent, ctx: Ctx
) -> Step:
    rest = simple.split(" ", 1)[1] if " " in simple else ""
    if command == "directory":
        return _directory_command(_reset(state), simple, text)
    if command == "presence_list":
        return Step(_reset(state), command=Presence(ctx.today))
    if command == "presence":
        if rest in ("oui", "yes", "on", "non", "no", "off"):
            return Step(_reset(state), command=PresenceConsent(rest in ("oui", "yes", "on")))
        explain_ = t(
            "« Qui est là » montre votre nom aux autres personnes présentes le même jour au "
            "même télécentre et à son responsable, et le leur à vous, si elles l'ont activé "
            "aussi. "
            "/presence oui pour l'activer, /presence non pour l'arrêter, /quiestla pour voir."
        )
        return Step(_reset(state), [Out(explain_)])
    if command == "occupancy":
        return Step(
            _reset(state), command=Occupancy(understood.centre, understood.date or ctx.today)
        )
    if command == "language" and rest in _LANGUAGE_WORDS:
        return _on_choice(_reset(state), {"do": "lang", "value": _LANGUAGE_WORDS[rest]}, ctx)
    if command == "language" and rest:
        asked = _language_choice(_reset(state), intro=t("Je parle français et anglais."))
        return asked
    if command in ("book", "cancel", "change") and rest:
        # « /reserver Figeac jeudi » is the same as the sentence without the slash.
        if command == "change":
            return _start_change(_reset(state), understood, ctx)
        intent = replace(understood, intent=command)
        return _on_intent(_reset(state), intent, ctx)
    return _on_command(_reset(state), command, ctx)


def _occupancy(u: Intent, ctx: Ctx) -> Occupancy:
    return Occupancy(u.centre, u.date or ctx.today)


def _is_new_request(u: Intent) -> bool:
    """A message that says where and when by itself starts afresh instead of amending."""
    where = u.centre is not None or u.unknown_place is not None
    return u.intent == "book" and where and u.date is not None


def _is_correction(u: Intent) -> bool:
    return u.intent in _ANSWER_INTENTS and _has_slots(u)


def _correct(state: State, u: Intent, ctx: Ctx, answer: str | None) -> Step:
    if _is_new_request(u) and state.get("flow") == "book":
        return _on_intent(_reset(state), u, ctx)
    pending = state.get("slots", {})
    given = _slots_of(u, ctx)
    if answer is not None and all(pending.get(k) == v for k, v in given.items()):
        # « oui, jeudi matin » repeats what was asked: it is the answer, not a change.
        return _on_choice(state, {"do": answer}, ctx)
    return _fill({**state, "awaiting": None, "choices": {}}, u, ctx)


def _day_of_month(number: int, today: date) -> date | None:
    """« 14 » for a day: the next 14th, today included, as « le 14 » is read."""
    if not 1 <= number <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(3):
        try:
            found = date(year, month, number)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _pick_listed(state: State, u: Intent) -> dict[str, Any] | None:
    """« lundi après-midi », « celle de Figeac » answering « Laquelle ? »: the one listed
    booking it names."""
    if u.date is None and u.centre is None and u.period is None:
        return None
    found = [
        payload
        for payload in state.get("choices", {}).values()
        if payload.get("do") == "cancel"
        and payload.get("booking")
        and (u.date is None or payload["booking"]["day"] == u.date.isoformat())
        and (u.period is None or payload["booking"].get("period") == u.period)
        and (u.centre is None or payload["booking"].get("centre") == u.centre)
    ]
    return found[0] if len(found) == 1 else None


def _choice_token(simple: str, state: State) -> str | None:
    if not state.get("choices"):
        return None
    match = _CHOICE.match(simple)
    return match.group(1) if match else None


def _relist(state: State) -> list[tuple[Msg | str, dict[str, Any]]]:
    labels = state.get("labels") or {}
    return [(decode(labels[k]) if k in labels else k, v) for k, v in state["choices"].items()]


def _has_slots(u: Intent) -> bool:
    return any(
        v is not None
        for v in (u.centre, u.date, u.period, u.start, u.count, u.resource, u.invalid_date)
    )


def _on_command(state: State, command: str, ctx: Ctx) -> Step:
    if command in ("start", "help"):
        out = [Out(help_text())]
        if command == "start":
            return _language_choice(state, intro=help_text())
        return Step(state, out)
    if command == "book":
        return _fill({**state, "flow": "book"}, None, ctx)
    if command == "list":
        return Step(state, command=Upcoming("list"))
    if command == "cancel":
        return Step({**state, "flow": "cancel"}, command=Upcoming("cancel"))
    if command == "change":
        return Step({**state, "flow": "change"}, command=Upcoming("change"))
    if command == "language":
        return _language_choice(state, intro=None)
    if command == "profile":
        return _start_profile(state, ctx)
    if command == "checkin":
        return Step(state, command=CheckIn())
    if command == "calendar":
        return Step(state, command=Upcoming("calendar"))
    if command == "impact":
        return Step(state, command=OwnImpact())
    if command == "mydata":
        return Step(state, command=ExportData())
    if command == "forget":
        return _ask(
            {**state, "flow": "forget"},
            "forget",
            t(
                "Effacer toutes vos données ? Vos réservations à venir seront annulées et cela "
                "ne peut pas être défait."
            ),
            [(t("Oui, tout effacer"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    if command == "privacy":
        return Step(state, command=AskFaq(t("Quelles données gardez-vous sur moi ?")))
    return Step(state, [Out(t("Je ne connais pas cette commande.")), Out(help_text())])


def _on_intent(state: State, u: Intent, ctx: Ctx) -> Step:
    if u.intent == "book":
        return _fill({**state, "flow": "book"}, u, ctx)
    if u.intent == "cancel":
        return Step({**state, "flow": "cancel"}, command=Upcoming("cancel", u.date))
    if u.intent == "list":
        return Step(state, command=Upcoming("list"))
    if u.intent == "availability":
        centre = u.centre or (ctx.profile.usual_centre if ctx.profile else None)
        if centre is None:
            return _fill({**state, "flow": "availability", "slots": {}}, u, ctx)
        return Step(state, command=CheckAvailability(centre, u.date or ctx.today))
    if u.intent == "faq":
        return Step(state, command=AskFaq())
    if u.intent == "directory":
        return Step(state, command=DirectorySearch(""))  # the router searches the message
    if u.intent == "help":
        return Step(state, [Out(help_text())])
    if u.intent == "greeting":
        return Step(state, [Out(GREETING), Out(help_text())])
    if _has_slots(u) and (u.centre or u.date):
        return _fill({**state, "flow": "book"}, u, ctx)
    return Step(
        state,
        [
            Out(
                t(
                    "Je n'ai pas compris. Pour réserver, écrivez par exemple "
                    "« un bureau à Figeac jeudi matin » ; /aide pour tout voir."
                )
            )
        ],
    )


# ---------------------------------------------------------------- booking: slot filling


def _slots_of(u: Intent | None, ctx: Ctx) -> dict[str, Any]:
    if u is None:
        return {}
    slots: dict[str, Any] = {}
    if u.centre:
        slots["centre"] = u.centre
    if u.date:
        slots["date"] = u.date.isoformat()
    if u.period:
        slots["period"] = u.period
    if u.start:
        slots["start"] = u.start.isoformat(timespec="minutes")
    if u.end:
        slots["end"] = u.end.isoformat(timespec="minutes")
    if u.count:
        slots["count"] = u.count
    if u.resource:
        slots["resource"] = u.resource
    if u.recurrence:
        slots["weekdays"] = list(u.recurrence.weekdays)
        slots["until"] = u.recurrence.until.isoformat() if u.recurrence.until else None
    elif len(u.dates) > 1 and len(set(u.periods)) <= 1:
        # « jeudi et le 14 matin »: those days, as a series of their own.
        slots["days"] = [d.isoformat() for d in u.dates]
    elif len(u.dates) > 1:
        # Different parts of different days: one at a time, the first one first.
        slots["period"] = u.periods[0] or slots.pop("period", None)
        slots["one_at_a_time"] = True
    elif u.date and u.end_date and u.end_date > u.date:
        # « du 14 au 18 »: every open day of the range, booked as a series.
        slots["range"] = True
        slots["until"] = u.end_date.isoformat()
    if u.weekday_mismatch:
        slots["mismatch"] = True
    if u.rolled_year:
        slots["rolled"] = True
    if u.invalid_date:
        slots["invalid_date"] = u.invalid_date
    return slots


def _fill(state: State, u: Intent | None, ctx: Ctx) -> Step:
    """Merge what the message says into the request being built, then ask what is missing."""
    done = _fill_slots(state, u, ctx)
    if done.state.get("slots", {}).pop("one_at_a_time", False):
        # « jeudi matin et vendredi après-midi »: said, not silently cut.
        first = t(
            "Des moments différents selon les jours : je fais le premier, redemandez-moi "
            "ensuite pour les suivants."
        )
        done.out.insert(0, Out(first))
    return done


def _fill_slots(state: State, u: Intent | None, ctx: Ctx) -> Step:
    slots = {**state.get("slots", {}), **_slots_of(u, ctx)}
    if u is not None and u.start and not u.period:
        slots.pop("period", None)
    if u is not None and u.date and not (u.end_date or u.recurrence or u.dates):
        # A new single day replaces a range or a series said before.
        for key in ("until", "weekdays", "range", "days"):
            slots.pop(key, None)
    state = {**state, "slots": slots, "choices": {}}
    invalid = slots.pop("invalid_date", None)
    if invalid:
        slots.pop("date", None)
        state["slots"] = slots
        return _ask_date(
            state, t("Le {written} n'existe pas. Quel jour voulez-vous ?", written=invalid)
        )
    if "centre" not in slots:
        asked = _ask_centre(state, ctx)
        if u is not None and u.unknown_place:
            unknown = t("Je ne connais pas de télécentre à {place}.", place=u.unknown_place)
            asked.out.insert(0, Out(unknown))
        return asked
    if state.get("flow") == "availability":
        day = date.fromisoformat(slots["date"]) if "date" in slots else ctx.today
        return Step(_reset(state), command=CheckAvailability(slots["centre"], day))
    if "date" not in slots:
        return _ask_date(state, None)
    day = date.fromisoformat(slots["date"])
    if slots.pop("rolled", False):
        # « le 2 décembre » said on the 3rd was read as next year's: it is past.
        day = _a_year_before(day)
    if day < ctx.today:
        slots.pop("date")
        return _ask_date(state, t("Le {day} est déjà passé. Quel jour voulez-vous ?", day=day))
    if slots.pop("mismatch", False):
        return _ask(
            state,
            "date_check",
            t(
                "Le {date} tombe un {weekday} : c'est bien ce jour-là ?",
                date=DayMonth(day),
                weekday=Weekday(day),
            ),
            [(t("Oui"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    centre = ctx.network.centre(slots["centre"])
    if slots.get("resource") == ResourceKind.MEETING_ROOM.value:
        if "start" not in slots or "end" not in slots:
            return _ask_times(state, None)
        if not slots.get("count"):
            return _ask_people(state, t("Pour combien de personnes ?"))
        return Step(
            {**state, "awaiting": "checking"}, command=_check(state, _room_request(slots, ctx))
        )
    if "period" not in slots and "start" in slots:
        slots["period"] = _period_from_times(centre, slots).value
    if "period" not in slots:
        possible = _possible_periods(centre, day, ctx)
        series = slots.get("weekdays") or slots.get("range") or slots.get("days")
        if not possible and not series and centre.open_halves(day):
            # Open today, but every part of the day is over.
            slots.pop("date")
            over = t(
                "Pour aujourd'hui, c'est terminé à {centre}. Pour quel autre jour ?",
                centre=centre.spec.commune,
            )
            return _ask_date(state, over)
        if not possible and not series:
            # Closed that day: the core says why, with the alternatives.
            slots["period"] = Period.DAY.value
        elif len(possible) == 1 and not series:
            slots["period"] = possible[0].value
        else:
            return _ask(
                state,
                "period",
                t("Le matin, l'après-midi ou toute la journée ?"),
                [
                    (PERIOD_NAMES[p], {"do": "set", "slot": "period", "value": p.value})
                    for p in possible or tuple(Period)
                ],
            )
    if slots.get("weekdays") or slots.get("range") or slots.get("days"):
        return _plan_series(state, ctx)
    return Step({**state, "awaiting": "checking"}, command=_check(state, _desk_request(slots, ctx)))


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _check(state: State, request: DeskRequest | RoomRequest) -> Command:
    """The dry run before the confirmation: a change is checked as a change."""
    if state.get("flow") == "change" and state.get("target") and isinstance(request, DeskRequest):
        return CheckChange(_targets(state), request)
    return CheckBooking(request)


def _possible_periods(centre: Centre, day: date, ctx: Ctx) -> tuple[Period, ...]:
    """The parts of that day still open to booking: none of a half-day that is over."""
    halves = centre.open_halves(day)
    if not halves:
        return ()
    now = ctx.now

    def still_open(half: Period) -> bool:
        return ctx.network.at(day, centre.half_bounds(half)[1]) > now

    open_now = tuple(h for h in halves if still_open(h))
    options = list(open_now)
    if len(open_now) == 2:
        options.append(Period.DAY)
    return tuple(options)


def _ask_times(state: State, why: Msg | None) -> Step:
    asked = t("De quelle heure à quelle heure ? Par exemple « de 14h à 16h ».")
    out = [Out(why)] if why is not None else []
    slots = {k: v for k, v in state.get("slots", {}).items() if k not in ("start", "end")}
    waiting = {**state, "slots": slots, "awaiting": "times", "choices": {}}
    return Step({**waiting, "question": encode(asked)}, [*out, Out(asked)])


def _ask_people(state: State, asked: Msg, why: Sequence[Out] = ()) -> Step:
    slots = {k: v for k, v in state.get("slots", {}).items() if k != "count"}
    waiting = {**state, "slots": slots, "awaiting": "people", "choices": {}}
    return Step({**waiting, "question": encode(asked)}, [*why, Out(asked)])


def _period_from_times(centre: Centre, slots: dict[str, Any]) -> Period:
    start = time.fromisoformat(slots["start"])
    end = time.fromisoformat(slots["end"]) if slots.get("end") else None
    if start >= centre.morning[1]:
        return Period.AFTERNOON
    if end is not None and end <= centre.afternoon[0]:
        return Period.MORNING
    return Period.DAY


def _reask(state: State, ctx: Ctx) -> Step:
    """An answer that fills nothing: say so and ask the same question again, keeping the rest."""
    awaiting = state.get("awaiting")
    if awaiting == "centre":
        asked = _ask_centre(state, ctx)
        asked.out.insert(0, Out(t("Je ne connais pas ce télécentre dans le réseau.")))
        return asked
    if awaiting == "date":
        return _ask_date(state, t("Je n'ai pas reconnu de date. Pour quel jour ?"))
    if awaiting == "times":
        return Step(
            state, [Out(t("De quelle heure à quelle heure ? Par exemple « de 14h à 16h »."))]
        )
    return _ask(state, str(awaiting), t("Choisissez un numéro de la liste."), _relist(state))


def _ask_centre(state: State, ctx: Ctx) -> Step:
    usual = ctx.profile.usual_centre if ctx.profile else None
    centres = sorted(ctx.network, key=lambda c: c.id != usual)
    return _ask(
        {**state, "flow": state.get("flow") or "book"},
        "centre",
        t("Dans quel télécentre ?"),
        [(c.spec.commune, {"do": "set", "slot": "centre", "value": c.id}) for c in centres],
    )


def _ask_date(state: State, why: Msg | None) -> Step:
    text = why or t("Pour quel jour ? Par exemple « jeudi », « demain » ou « le 14 ».")
    return Step({**state, "awaiting": "date", "choices": {}, "question": encode(text)}, [Out(text)])


def _desk_request(slots: dict[str, Any], ctx: Ctx, day: date | None = None) -> DeskRequest:
    return DeskRequest(
        user_id=ctx.user,
        centre_id=slots["centre"],
        day=day or date.fromisoformat(slots["date"]),
        period=Period(slots["period"]),
        count=int(slots.get("count") or 1),
        key=ctx.key,
        channel=ctx.channel,
    )


def _room_request(slots: dict[str, Any], ctx: Ctx) -> RoomRequest:
    return RoomRequest(
        user_id=ctx.user,
        centre_id=slots["centre"],
        day=date.fromisoformat(slots["date"]),
        start=time.fromisoformat(slots["start"]),
        end=time.fromisoformat(slots["end"]),
        people=int(slots.get("count") or 1),
        key=ctx.key,
        channel=ctx.channel,
    )


def _series_days(slots: dict[str, Any], ctx: Ctx) -> tuple[date, ...]:
    if slots.get("days"):
        return tuple(date.fromisoformat(d) for d in slots["days"])
    first = date.fromisoformat(slots["date"])
    if slots.get("range"):
        centre = ctx.network.centre(slots["centre"])
        last = date.fromisoformat(slots["until"])
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        # The days the centre never opens are left out, not listed as refused.
        return tuple(d for d in days if centre.weekly_halves(d)) or (first,)
    weekdays = [WEEKDAY_INDEX[w] for w in slots["weekdays"]]
    if slots.get("until"):
        until = date.fromisoformat(slots["until"])
        return tuple(series_days(first, weekdays, until=until))
    return tuple(series_days(first, weekdays, weeks=DEFAULT_SERIES_WEEKS))


def _plan_series(state: State, ctx: Ctx) -> Step:
    slots = state["slots"]
    try:
        days = _series_days(slots, ctx)
    except errors.BookingError as exc:
        return Step(_reset(state), [Out(explain(exc, ctx.network))])
    return Step(
        {**state, "awaiting": "checking"},
        command=PlanSeries(_desk_request(slots, ctx), days),
    )


# ---------------------------------------------------------------- choices and yes/no


def _on_choice(state: State, payload: dict[str, Any], ctx: Ctx) -> Step:
    do = payload.get("do")
    flow = state.get("flow")
    if do == "set":
        slots = {**state.get("slots", {}), payload["slot"]: payload["value"]}
        return _fill({**state, "slots": slots}, None, ctx)
    if do == "lang":
        profile = replace(ctx.profile or Profile(ctx.user), language=payload["value"])
        done = Step(
            _reset({**state, "lang": payload["value"]}),
            [Out(t("C'est noté : je vous répondrai en français."))],
        )
        done.profile = profile
        return done
    if do == "profile":
        return _start_profile(state, ctx)
    if do == "alt":
        slots = {
            **state.get("slots", {}),
            "centre": payload["centre"],
            "date": payload["date"],
            "period": payload["period"],
        }
        for key in ("weekdays", "until", "range", "days", "resource", "start", "end"):
            slots.pop(key, None)
        state = {**state, "slots": slots, "awaiting": "booking", "choices": {}}
        if flow == "change" and state.get("target"):
            # Choosing another slot while moving a booking moves it there.
            return Step(state, command=Change(_targets(state), _desk_request(slots, ctx)))
        return Step(state, command=Book(_desk_request(slots, ctx)))
    if do == "waitlist":
        return Step(
            {**state, "awaiting": None, "choices": {}},
            command=JoinWaitlist(_desk_request(state["slots"], ctx)),
        )
    if do == "contact":
        return Step(state, command=ContactStart(int(payload["profile"])))
    if do == "contact_ok":
        asked = t(
            "Quel message dois-je transmettre ? Votre contact publié l'accompagne si vous en "
            "avez un ; sinon, la personne vous répondra par mon intermédiaire."
        )
        contact = {"flow": "directory", "awaiting": "dir_message", "contact": payload["profile"]}
        return Step({**state, **contact, "choices": {}}, [Out(asked)])
    if do == "leave_wait":
        return Step(_reset(state), command=LeaveWaitlist(int(payload["id"]), payload["what"]))
    if do == "dir_page":
        return Step(_reset(state), command=DirectorySearch(payload["query"], payload["page"]))
    if do == "keep":
        ids = tuple(int(i) for i in payload.get("ids", ()))
        if not ids:
            return Step(_reset(state), [Out(t("Parfait, à bientôt au télécentre !"))])
        return Step(_reset(state), command=ConfirmAttendance(ids))
    if do == "checkin":
        return Step(_reset(state), command=CheckIn())
    if do == "usual":
        return _profile_save_centre(state, payload.get("value"), ctx)
    if do == "cancel":
        ids = tuple(int(i) for i in payload["ids"])
        if flow == "change":
            return _change_pick(state, ids, payload, ctx)
        booking = payload.get("booking")
        what = _describe_payload(ctx.network, booking) if booking else t("toutes ces réservations")
        return _ask(
            {**state, "flow": "cancel", "pending_ids": list(ids)},
            "confirm",
            t("J'annule {what} ?", what=what),
            [(t("Oui, annuler"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    if do == "no":
        if state.get("awaiting") == "date_check":
            slots = {k: v for k, v in state["slots"].items() if k != "date"}
            return _ask_date({**state, "slots": slots}, None)
        if state.get("awaiting") == "series":
            return Step(_reset(state), [Out(t("D'accord, je ne réserve rien."))])
        return Step(_reset(state), [Out(t("D'accord, je n'ai rien fait."))])
    if do == "yes":
        awaiting = state.get("awaiting")
        if awaiting == "date_check":
            return _fill(state, None, ctx)
        if flow == "forget":
            return Step(state, command=Forget(ctx.key))
        if flow == "directory" and awaiting == "dir_publish":
            join = DirectoryJoin(state["dir_name"], state["dir_skills"])
            return Step(_reset(state), command=join)
        if flow == "cancel" and state.get("pending_ids"):
            ids = tuple(int(i) for i in state["pending_ids"])
            return Step({**state, "awaiting": "cancelling"}, command=Cancel(ids, ctx.key))
        if flow == "change" and state.get("target") and awaiting == "confirm":
            return Step(
                {**state, "awaiting": "changing"},
                command=Change(_targets(state), _desk_request(state["slots"], ctx)),
            )
        if flow == "book" and awaiting == "series":
            days = tuple(date.fromisoformat(d) for d in state.get("bookable", []))
            return Step(
                {**state, "awaiting": "booking"},
                command=BookSeries(_desk_request(state["slots"], ctx), days),
            )
        if flow == "book" and awaiting == "confirm":
            slots = state["slots"]
            if slots.get("resource") == ResourceKind.MEETING_ROOM.value:
                return Step(
                    {**state, "awaiting": "booking"}, command=Book(_room_request(slots, ctx))
                )
            return Step({**state, "awaiting": "booking"}, command=Book(_desk_request(slots, ctx)))
        return Step(
            state, [Out(t("Je n'ai pas de question en cours. Que puis-je faire pour vous ?"))]
        )
    return Step(_reset(state), [Out(help_text())])


def _language_choice(state: State, intro: Msg | None) -> Step:
    out_state = {
        **state,
        "awaiting": "language",
        "choices": {
            "1": {"do": "lang", "value": "fr"},
            "2": {"do": "lang", "value": "en"},
            "3": {"do": "profile"},
        },
    }
    out = [Out(intro)] if intro is not None else []
    out.append(
        Out(
            t("En quelle langue voulez-vous que je vous réponde ?"),
            (("Français", "1"), ("English", "2"), (t("Compléter mon profil"), "3")),
        )
    )
    return Step(out_state, out)


# ---------------------------------------------------------------- change


def _start_change(state: State, u: Intent, ctx: Ctx) -> Step:
    """« déplacer ma réservation de jeudi à vendredi »: the parser gives the old day as
    ``from_date`` and the new one as ``date``."""
    slots: dict[str, Any] = {}
    if u.date:
        slots["date"] = u.date.isoformat()
    if u.period:
        slots["period"] = u.period
    if u.centre:
        slots["centre"] = u.centre
    from_day = u.from_date
    return Step({**state, "flow": "change", "slots": slots}, command=Upcoming("change", from_day))


def _targets(state: State) -> tuple[int, ...]:
    target = state["target"]
    return tuple(int(i) for i in (target if isinstance(target, list) else [target]))


def _change_pick(
    state: State, booking_ids: Sequence[int], payload: dict[str, Any], ctx: Ctx
) -> Step:
    old = payload.get("booking", {})
    given = dict(state.get("slots", {}))
    if given.get("date") == old.get("day") and given.get("period") in (None, old.get("period")):
        # « /modifier jeudi » names the booking to move, not where to: ask the new day.
        given.pop("date")
    if "date" not in given and given.get("period") not in (None, old.get("period")):
        given["date"] = old.get("day")  # « décaler à l'après-midi »: the same day
    # The new slot keeps what the person did not say from the booking being moved, and
    # moves every desk booked together.
    slots = {"centre": old.get("centre"), "period": old.get("period"), **given}
    slots = {k: v for k, v in slots.items() if v is not None}
    if len(booking_ids) > 1:
        slots["count"] = len(booking_ids)
    state = {
        **state,
        "flow": "change",
        "target": [int(i) for i in booking_ids],
        "target_booking": old,
        "slots": slots,
        "choices": {},
    }
    if "date" not in slots:
        now = _describe_payload(ctx.network, old) if old else ""
        return _ask_date(state, t("Pour quel nouveau jour ? (actuellement : {what})", what=now))
    return _fill(state, None, ctx)


# ---------------------------------------------------------------- directory


def _directory_command(state: State, simple: str, text: str) -> Step:
    rest = simple.split(" ", 1)[1] if " " in simple else ""
    if rest in ("rejoindre", "join", "inscrire", "m inscrire"):
        return Step(
            {**state, "flow": "directory", "awaiting": "dir_skills"},
            [
                Out(
                    t(
                        "L'annuaire est facultatif et vous en sortez quand vous voulez "
                        "(/annuaire quitter). Quelles compétences proposez-vous ? Par exemple "
                        "« graphisme, traduction anglais »."
                    )
                )
            ],
        )
    if rest in ("quitter", "leave", "sortir"):
        return Step(state, command=DirectoryLeave())
    words = rest.split(" ", 1)
    field = _DIRECTORY_FIELDS.get(words[0])
    if words[0] in ("profil", "profile", "moi", "me"):
        return Step(state, command=DirectoryField("show"))
    if field and len(words) == 2:
        written = re.split(r"(?i)^\s*/\S+\s+\S+\s*", text, maxsplit=1)
        value = (written[-1] if len(written) > 1 else words[1]).strip()[:200]
        return Step(state, command=DirectoryField("set", field, value))
    if words[0] in ("publier", "publish", "masquer", "hide") and len(words) == 2:
        target = _DIRECTORY_FIELDS.get(words[1].split(" ")[0])
        if target:
            action = "publish" if words[0] in ("publier", "publish") else "hide"
            return Step(state, command=DirectoryField(action, target))
    if rest.startswith(("conjoint", "partner")):
        written = re.split(r"(?i)\b(?:conjoint|partner)\b", text, maxsplit=1)
        note = written[1].strip(" :,") if len(written) > 1 else ""
        if not note:
            ask = t(
                "Votre conjoint cherche un emploi ici ? Écrivez « /annuaire conjoint » suivi "
                "du métier et de la zone, par exemple « /annuaire conjoint infirmière, Figeac » "
                "; seuls les responsables du réseau le verront. « /annuaire conjoint non » "
                "pour le retirer."
            )
            return Step(state, [Out(ask)])
        withdraw = simplify(note) in ("non", "no")
        return Step(state, command=PartnerNote(None if withdraw else note[:300]))
    if rest:
        return Step(state, command=DirectorySearch(rest))
    return Step(
        state,
        [
            Out(
                t(
                    "Cherchez une compétence, par exemple « qui fait du graphisme ? » ou "
                    "/annuaire traduction. Pour apparaître dans l'annuaire : /annuaire "
                    "rejoindre ; pour en sortir : /annuaire quitter."
                )
            )
        ],
    )


# The longest answer kept for each directory question: longer is refused, never cut.
_DIRECTORY_LIMITS = {"dir_skills": 500, "dir_name": 80, "dir_message": 1000}


def _directory_answer(state: State, text: str) -> Step:
    awaiting = state["awaiting"]
    text = text.strip()
    limit = _DIRECTORY_LIMITS[awaiting]
    if len(text) > limit:
        too_long = t(
            "C'est trop long ({n} caractères, {limit} au plus) : raccourcissez, s'il vous plaît.",
            n=len(text),
            limit=limit,
        )
        return Step(state, [Out(too_long)])
    if awaiting == "dir_skills":
        return Step(
            {**state, "awaiting": "dir_name", "dir_skills": text},
            [Out(t("Sous quel nom voulez-vous apparaître ?"))],
        )
    if awaiting == "dir_name":
        name = text
        return _ask(
            {**state, "dir_name": name},
            "dir_publish",
            t(
                "Je publie dans l'annuaire : {name}, {skills}. Votre identifiant de messagerie "
                "n'est jamais montré : les contacts passent par moi. D'accord ?",
                name=name,
                skills=state.get("dir_skills", ""),
            ),
            [(t("Oui, publier"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    return Step(_reset(state), command=DirectoryContact(int(state["contact"]), text))


# ---------------------------------------------------------------- profile


def _start_profile(state: State, ctx: Ctx) -> Step:
    p = ctx.profile or Profile(ctx.user)
    intro = t(
        "Votre profil (facultatif) sert à vous proposer votre télécentre habituel et à "
        "mesurer les trajets évités. Dans quelle commune habitez-vous ? (« passer » pour ne "
        "pas répondre)"
    )
    current = []
    if p.home_commune or p.commute_km or p.usual_centre or p.centre_km is not None:
        current.append(
            Out(
                t(
                    "Aujourd'hui : commune {commune}, trajet habituel {km} km, jusqu'au "
                    "télécentre {near} km, télécentre {centre}.",
                    commune=p.home_commune or "—",
                    km=p.commute_km if p.commute_km is not None else "—",
                    near=p.centre_km if p.centre_km is not None else "—",
                    centre=centre_name(ctx.network, p.usual_centre) if p.usual_centre else "—",
                )
            )
        )
    return Step({**_reset(state), "flow": "profile", "awaiting": "commune"}, [*current, Out(intro)])


def _profile_answer(state: State, text: str, simple: str, ctx: Ctx) -> Step:
    """Home commune, then the usual commute, then the distance to the telecentre."""
    profile = ctx.profile or Profile(ctx.user)
    awaiting = state["awaiting"]
    if awaiting == "commune":
        if simple not in _SKIP:
            profile = replace(profile, home_commune=text.strip()[:100])
        asked = t(
            "Combien de kilomètres faites-vous d'habitude pour aller travailler (aller simple) ?"
        )
        done = Step({**state, "awaiting": "commute"}, [Out(asked)])
        done.profile = profile
        return done
    if simple not in _SKIP:
        match = _NUMBER.search(text.replace(",", "."))  # « 6,5 km »: the comma is decimal
        km = float(match.group(1).replace(",", ".")) if match else None
        if km is None or not 0 <= km <= 1000:
            return Step(
                state, [Out(t("Un nombre de kilomètres, par exemple « 35 » (ou « passer »)."))]
            )
        if awaiting == "commute":
            profile = replace(profile, commute_km=km)
        else:
            profile = replace(profile, centre_km=km)
    if awaiting == "commute":
        # What the telecentre saves is the commute less the trip to the telecentre.
        asked = t(
            "Et de chez vous jusqu'au télécentre où vous venez, combien de kilomètres (aller) ? "
            "Répondez 0 s'il est dans votre commune."
        )
        done = Step({**state, "awaiting": "centre_km"}, [Out(asked)])
        done.profile = profile
        return done
    choices: list[tuple[Msg | str, dict[str, Any]]] = [
        (c.spec.commune, {"do": "usual", "value": c.id}) for c in ctx.network
    ]
    choices.append((t("Aucun"), {"do": "usual", "value": None}))
    asked_centre = _ask(state, "usual_centre", t("Quel est votre télécentre habituel ?"), choices)
    asked_centre.profile = profile
    return asked_centre


def _profile_save_centre(state: State, centre_id: str | None, ctx: Ctx) -> Step:
    profile = replace(ctx.profile or Profile(ctx.user), usual_centre=centre_id)
    done = Step(_reset(state), [Out(t("Profil enregistré. Merci !"))])
    done.profile = profile
    return done


# ---------------------------------------------------------------- outcomes


def after(state: State, command: Command, outcome: Any, ctx: Ctx) -> Step:
    """Finish the replies once the router has run ``command``; ``outcome`` may be an error."""
    done = _after(state, command, outcome, ctx)
    suspended = state.get("suspended")
    if suspended and done.command is None and not done.state.get("flow"):
        # A question asked in the middle of a booking: answered, then the booking resumes.
        resumed = {**done.state, **suspended}
        again = _resume(resumed)
        if again is not None:
            return Step(resumed, [*done.out, again], None, done.profile, done.erased)
    return done


def _resume(state: State) -> Out | None:
    """The pending question again, with its choices."""
    if not state.get("question"):
        return None
    tokens = state.get("choices", {})
    choices = tuple(
        (label, token) for token, (label, _) in zip(tokens, _relist(state), strict=True)
    )
    return Out(decode(state["question"]), choices)


def _after(state: State, command: Command, outcome: Any, ctx: Ctx) -> Step:
    net = ctx.network
    if isinstance(outcome, errors.BookingError):
        return _refused(state, command, outcome, ctx)
    if isinstance(command, CheckBooking):
        return _ask(
            state,
            "confirm",
            t("Je réserve : {what}. C'est bon ?", what=describe_slots(net, state["slots"])),
            [(t("Oui, réserver"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    if isinstance(command, CheckChange):
        old = state.get("target_booking") or {}
        asked = t(
            "Je déplace votre réservation du {old} au {new}. C'est bon ?",
            old=_describe_payload(net, old) if old else "",
            new=describe_slots(net, state["slots"]),
        )
        return _ask(
            state,
            "confirm",
            asked,
            [(t("Oui, déplacer"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    if isinstance(command, PlanSeries):
        assert isinstance(outcome, SeriesPlan)
        return _series_plan(state, outcome, ctx)
    if isinstance(command, Book | BookSeries | Change):
        assert isinstance(outcome, Confirmation)
        return _booked(state, outcome, ctx)
    if isinstance(command, JoinWaitlist):
        assert isinstance(outcome, WaitEntry)
        entry = {
            "centre": outcome.centre_id,
            "day": outcome.day.isoformat(),
            "period": outcome.period.value,
        }
        joined = t(
            "Vous êtes sur la liste d'attente pour {what}. Si une place se libère, elle est "
            "pour vous et je vous préviens.",
            what=_describe_payload(net, entry),
        )
        return Step(_reset(state), [Out(joined)])
    if isinstance(command, Upcoming):
        return _upcoming(state, command, outcome, ctx)
    if isinstance(command, Cancel):
        assert isinstance(outcome, CancelResult)
        lines = [_describe_group(net, g) for g in _grouped(outcome.cancelled)]
        if not lines:
            return Step(_reset(state), [Out(t("Il n'y avait plus rien à annuler."))])
        text = tn(
            "C'est annulé : {what}.",
            "C'est annulé ({n} réservations) : {what}.",
            len(lines),
            what=lines,
        )
        ics = attachment_for_cancel(outcome.cancelled, net, now=ctx.now, locale=ctx.lang)
        out = [Out(text, files=(ics,))]
        if outcome.promoted:
            out.append(
                Out(t("La place libérée revient à la première personne en liste d'attente."))
            )
        return Step(_reset(state), out)
    if isinstance(command, CheckAvailability):
        assert isinstance(outcome, Availability)
        return _availability(state, outcome, ctx)
    if isinstance(command, Occupancy):
        if outcome is None:
            refused = t(
                "C'est réservé aux responsables des télécentres. Pour voir qui d'autre est là : "
                "/quiestla."
            )
            return Step(_reset(state), [Out(refused)])
        return Step(_reset(state), [Out(str(outcome))])
    if isinstance(command, OwnImpact):
        return Step(_reset(state), [Out(own_impact(outcome))])
    if isinstance(command, DirectorySearch):
        return _directory_results(state, command, outcome, ctx.network)
    if isinstance(command, DirectoryField):
        return Step(_reset(state), [Out(_own_directory_text(outcome, ctx))])
    if isinstance(command, PartnerNote):
        done = (
            t("C'est noté : les responsables du réseau le verront dans leur point du jour.")
            if command.note
            else t("C'est retiré.")
        )
        return Step(_reset(state), [Out(done)])
    if isinstance(command, PresenceConsent):
        if not command.granted:
            return Step(_reset(state), [Out(t("C'est noté : votre nom n'est plus montré."))])
        if "display_name" not in {f.value for f in outcome.published}:
            unnamed = t(
                "C'est noté, mais votre nom n'est pas publié : personne ne le verra. "
                "/annuaire nom Prénom puis /annuaire publier nom pour le montrer."
            )
            return Step(_reset(state), [Out(unnamed)])
        done = t(
            "C'est noté : les autres personnes présentes et le responsable du télécentre "
            "peuvent voir votre nom, {name}.",
            name=outcome.display_name,
        )
        return Step(_reset(state), [Out(done)])
    if isinstance(command, Presence):
        if outcome is None:
            off = t(
                "Activez d'abord « qui est là » avec /presence oui : vous serez visible vous aussi."
            )
            return Step(_reset(state), [Out(off)])
        if not outcome:
            return Step(_reset(state), [Out(t("Vous n'avez pas de réservation aujourd'hui."))])
        present = Lines(
            tuple(
                t(
                    "{centre} : {names}",
                    centre=centre_name(ctx.network, c),
                    names=", ".join(names) if names else t("personne d'autre de visible"),
                )
                for c, names in outcome
            )
        )
        return Step(_reset(state), [Out(t("Aujourd'hui avec vous :{lines}", lines=present))])
    if isinstance(command, DirectoryJoin):
        return Step(_reset(state), [Out(t("Vous êtes dans l'annuaire. Merci !"))])
    if isinstance(command, DirectoryLeave):
        return Step(_reset(state), [Out(t("Vous n'êtes plus dans l'annuaire."))])
    if isinstance(command, DirectoryContact):
        return Step(
            _reset(state),
            [Out(t("Message transmis. La personne vous répondra si elle le souhaite."))],
        )
    if isinstance(command, ContactStart):
        if not outcome:
            return Step(_reset(state), [Out(_DIRECTORY_REFUSALS["no_contact_handle"])])
        return _on_choice(state, {"do": "contact_ok", "profile": command.profile_id}, ctx)
    if isinstance(command, LeaveWaitlist):
        left = t(
            "Vous n'êtes plus sur la liste d'attente pour {what}.",
            what=_describe_payload(net, command.what),
        )
        return Step(_reset(state), [Out(left)])
    if isinstance(command, ConfirmAttendance):
        return Step(_reset(state), [Out(t("Parfait, à bientôt au télécentre !"))])
    if isinstance(command, CheckIn):
        arrived: list[Booking] = list(outcome)
        if not arrived:
            return Step(
                _reset(state),
                [Out(t("Je ne trouve pas de réservation en cours pour vous aujourd'hui."))],
            )
        what = Lines(tuple(describe_booking(ctx.network, b) for b in arrived))
        return Step(_reset(state), [Out(t("Bienvenue ! Arrivée enregistrée :{what}", what=what))])
    if isinstance(command, ExportData):
        exported = json.dumps(outcome, ensure_ascii=False, indent=1, default=str).encode()
        name = "my-data.json" if ctx.lang == "en" else "mes-donnees.json"
        data = Attachment(name, "application/json", exported)
        return Step(_reset(state), [Out(t("Voici tout ce que je garde sur vous :"), files=(data,))])
    if isinstance(command, Forget):
        return Step(
            new_state(),
            [
                Out(
                    tn(
                        "C'est fait : vos données sont effacées et {n} réservation à venir "
                        "est annulée. Au revoir !",
                        "C'est fait : vos données sont effacées et {n} réservations à venir "
                        "sont annulées. Au revoir !",
                        int(outcome),
                    )
                )
            ],
            erased=True,
        )
    if isinstance(command, AskFaq):
        assert isinstance(outcome, FaqAnswer)
        return Step(_reset(state), [Out(_faq_text(outcome))])
    return Step(_reset(state), [Out(help_text())])


def _faq_text(found: FaqAnswer) -> str:
    """The article as the knowledge base wrote it: its language, sources and check date."""
    return found.answer.strip()


def _refused(state: State, command: Command, exc: errors.BookingError, ctx: Ctx) -> Step:
    if isinstance(command, PresenceConsent) and exc.code == "no_directory_profile":
        which_name = t(
            "Sous quel nom les autres personnes présentes vous verront-elles ? (« non » pour "
            "ne rien montrer)"
        )
        waiting = {**_reset(state), "flow": "presence", "awaiting": "presence_name"}
        return Step(waiting, [Out(which_name)])
    out = [Out(explain(exc, ctx.network))]
    if isinstance(exc, errors.SeriesPartlyUnavailable):
        return _series_plan(state, SeriesPlan(exc.bookable, exc.refused), ctx)
    room = isinstance(command, CheckBooking | Book) and isinstance(command.request, RoomRequest)
    if room:
        return _room_refused(state, exc, out, ctx)
    alternatives = getattr(exc, "alternatives", [])
    moving = state.get("target_booking") or {}
    choices: list[tuple[Msg | str, dict[str, Any]]] = []
    choices += [
        (
            describe_alternative(ctx.network, a),
            {
                "do": "alt",
                "centre": a.centre_id,
                "date": a.day.isoformat(),
                "period": a.period.value,
            },
        )
        for a in alternatives
        # The slot of the booking being moved is no alternative to itself.
        if (a.centre_id, a.day.isoformat(), a.period.value)
        != (moving.get("centre"), moving.get("day"), moving.get("period"))
    ][:6]
    desk = isinstance(command, CheckBooking | Book | CheckChange | Change) and isinstance(
        command.request, DeskRequest
    )
    if isinstance(exc, errors.Full) and desk and not isinstance(command, CheckChange | Change):
        choices.append((t("Me mettre en liste d'attente"), {"do": "waitlist"}))
    if choices:
        asked = _ask(state, "alternative", t("Je peux vous proposer :"), choices)
        asked.out[:0] = out
        return asked
    flow = state.get("flow")
    if isinstance(exc, errors.NotFull) and flow == "book":
        # A desk came free meanwhile: offer it rather than the waitlist.
        retried = _fill(state, None, ctx)
        retried.out[:0] = out
        return retried
    if isinstance(exc, errors.InvalidCount) and flow in ("book", "change"):
        return _ask_people(state, t("Combien de bureaux ?"), out)
    if isinstance(exc, errors.InThePast) and flow in ("book", "change"):
        slots = state.get("slots", {})
        if slots.get("date") == ctx.today.isoformat() and slots.get("period"):
            # The morning is over: the afternoon may still be free today.
            kept = {k: v for k, v in slots.items() if k != "period"}
            retried = _fill({**state, "slots": kept}, None, ctx)
            retried.out[:0] = out
            return retried
    retry_day = (
        errors.InThePast,
        errors.BeyondWindow,
        errors.Closed,
        errors.AlreadyBooked,
        errors.QuotaExceeded,
    )
    if isinstance(exc, retry_day) and flow in ("book", "change"):
        slots = {k: v for k, v in state.get("slots", {}).items() if k != "date"}
        asked = _ask_date({**state, "slots": slots}, None)
        asked.out[:0] = out
        return asked
    return Step(_reset(state), out)


def _room_refused(state: State, exc: errors.BookingError, out: list[Out], ctx: Ctx) -> Step:
    """A meeting room refused: ask again for what was wrong, keep the rest."""
    slots = state.get("slots", {})
    centre = ctx.network.centre(slots["centre"])
    day = date.fromisoformat(slots["date"])
    if isinstance(exc, errors.InvalidTimeRange):
        return _ask_times(state, out[0].text)  # type: ignore[arg-type]
    if isinstance(exc, errors.Closed) and exc.details.get("reason") == "lunch":
        return _ask_times(state, out[0].text)  # type: ignore[arg-type]
    ranges = centre.open_ranges(day)
    if isinstance(exc, errors.Closed) and exc.details.get("reason") == "hours" and ranges:
        hours = t(
            "Le {day}, le télécentre de {centre} est ouvert {hours}.",
            day=day,
            centre=centre.spec.commune,
            hours=[t("de {start} à {end}", start=a, end=b) for a, b in ranges],
        )
        return _ask_times(state, hours)
    if isinstance(exc, errors.InvalidCount):
        people = int(slots.get("count") or 1)
        bigger = [
            c
            for c in ctx.network
            if c.id != centre.id and c.rooms and max(r.capacity for r in c.rooms) >= people
        ]
        said = t(
            "Les salles de {centre} accueillent au plus {maximum} personnes.",
            centre=centre.spec.commune,
            maximum=exc.details.get("maximum"),
        )
        choices: list[tuple[Msg | str, dict[str, Any]]] = [
            (c.spec.commune, {"do": "set", "slot": "centre", "value": c.id})
            for c in sorted(bigger, key=lambda c: ctx.network.distance_km(centre, c))
        ]
        if not choices:
            return _ask_people(state, t("Pour combien de personnes ?"), [Out(said)])
        asked = _ask(state, "centre", t("Ailleurs, une salle assez grande :"), choices)
        asked.out.insert(0, Out(said))
        return asked
    if isinstance(exc, errors.UnknownResource):
        with_rooms = [c for c in ctx.network if c.rooms]
        room_centres: list[tuple[Msg | str, dict[str, Any]]] = [
            (c.spec.commune, {"do": "set", "slot": "centre", "value": c.id})
            for c in sorted(with_rooms, key=lambda c: ctx.network.distance_km(centre, c))
        ]
        asked = _ask(state, "centre", t("Ces télécentres ont une salle :"), room_centres)
        asked.out.insert(0, out[0])
        return asked
    if isinstance(exc, errors.Full):
        return _ask_times(state, out[0].text)  # type: ignore[arg-type]
    if isinstance(exc, errors.InThePast) and exc.details.get("started"):
        return _ask_times(state, out[0].text)  # type: ignore[arg-type]
    if isinstance(exc, errors.InThePast | errors.BeyondWindow | errors.Closed):
        kept = {k: v for k, v in slots.items() if k != "date"}
        asked = _ask_date({**state, "slots": kept}, None)
        asked.out[:0] = out
        return asked
    return Step(_reset(state), out)


def _series_plan(state: State, plan: SeriesPlan, ctx: Ctx) -> Step:
    slots = state["slots"]
    refused = Lines(
        tuple(
            t("{day} : {why}", day=r.day, why=explain(r.error, ctx.network))
            for r in plan.refused[:MAX_LISTED]
        )
        + (
            (tn("… et {n} autre", "… et {n} autres", len(plan.refused) - MAX_LISTED),)
            if len(plan.refused) > MAX_LISTED
            else ()
        )
    )
    if not plan.bookable:
        return Step(
            _reset(state), [Out(t("Aucune de ces dates n'est possible :{lines}", lines=refused))]
        )
    state = {**state, "bookable": [d.isoformat() for d in plan.bookable]}
    what = t(
        "{period}, à {centre}",
        period=PERIOD_NAMES[Period(slots["period"])],
        centre=centre_name(ctx.network, slots["centre"]),
    )
    if not plan.refused:
        return _ask(
            state,
            "series",
            tn(
                "Je réserve {n} date ({what}) : {days}. C'est bon ?",
                "Je réserve {n} dates ({what}) : {days}. C'est bon ?",
                len(plan.bookable),
                days=list(plan.bookable),
                what=what,
            ),
            [(t("Oui, réserver"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    cannot = tn(
        "{n} date n'est pas possible :{refused}",
        "{n} dates ne sont pas possibles :{refused}",
        len(plan.refused),
        refused=refused,
    )
    rest = tn(
        "Je réserve l'autre ({what}) : {days} ?",
        "Je réserve les {n} autres ({what}) : {days} ?",
        len(plan.bookable),
        what=what,
        days=list(plan.bookable),
    )
    return _ask(
        state,
        "series",
        t("{cannot}\n{rest}", cannot=cannot, rest=rest),
        [(t("Oui, réserver les autres"), {"do": "yes"}), (t("Non, rien"), {"do": "no"})],
    )


FIELD_NAMES = {
    "display_name": t("nom"),
    "skills": t("compétences"),
    "profession": t("métier"),
    "commune": t("commune"),
    "usual_centre": t("télécentre habituel"),
    "contact_handle": t("contact"),
    "open_to": t("ouvert à"),
}


def _own_directory_text(profile: Any, ctx: Ctx) -> Msg:
    """One's own directory entry, each field with whether it is shown."""
    if profile is None:
        return t("Vous n'êtes pas dans l'annuaire : /annuaire rejoindre.")
    values = {
        "display_name": profile.display_name,
        "skills": ", ".join(profile.skills) or None,
        "profession": profile.profession,
        "commune": profile.commune,
        "usual_centre": centre_name(ctx.network, profile.usual_centre)
        if profile.usual_centre
        else None,
        "contact_handle": profile.contact_handle,
        "open_to": ", ".join(sorted(o.value for o in profile.open_to)) or None,
    }
    lines = Lines(
        tuple(
            t(
                "{field} : {value} ({shown})",
                field=label,
                value=values[name] or "—",
                shown=t("publié") if name in {f.value for f in profile.published} else t("masqué"),
            )
            for name, label in FIELD_NAMES.items()
        )
    )
    return t(
        "Votre fiche dans l'annuaire :{lines}\n/annuaire publier métier, /annuaire masquer "
        "commune, /annuaire métier graphiste… ; /annuaire quitter pour tout effacer.",
        lines=lines,
    )


def _directory_results(
    state: State, command: DirectorySearch, found: Any, network: Network
) -> Step:
    if not found.entries:
        nobody = t(
            "Personne ne propose encore cette compétence dans l'annuaire. "
            "Je le note pour le réseau."
        )
        return Step(_reset(state), [Out(nobody)])
    lines = []
    choices: list[tuple[Msg | str, dict[str, Any]]] = []
    for entry in found.entries:
        name = entry.display_name or t("Quelqu'un")
        details = [", ".join(entry.skills or ())]
        details += [v for v in (entry.profession, entry.commune) if v]
        if entry.usual_centre:
            details.append(centre_name(network, entry.usual_centre))
        lines.append(t("{name} : {skills}", name=name, skills=" — ".join(details)))
        choices.append(
            (t("Contacter {name}", name=name), {"do": "contact", "profile": entry.profile_id})
        )
    if found.has_next:
        choices.append(
            (t("Suivants"), {"do": "dir_page", "query": command.query, "page": found.page + 1})
        )
    head = tn("{n} personne trouvée :", "{n} personnes trouvées :", found.total)
    return _ask(state, "choice", t("{head}{items}", head=head, items=Lines(tuple(lines))), choices)


def _booked(state: State, done: Confirmation, ctx: Ctx) -> Step:
    net = ctx.network
    if not done.bookings:
        return Step(_reset(state), [Out(t("Rien n'a été réservé."))])
    first = done.bookings[0]
    if done.series_id:
        text = tn(
            "C'est réservé : {n} date, {days}.",
            "C'est réservé : {n} dates, {days}.",
            len(done.bookings),
            days=[b.day for b in done.bookings],
        )
    elif len(done.bookings) > 1:
        text = t(
            "C'est réservé : {what}, {n} bureaux.",
            what=describe_booking(net, first),
            n=len(done.bookings),
        )
    else:
        text = t("C'est réservé : {what}.", what=describe_booking(net, first))
    if done.replaced:
        text = t(
            "C'est fait : votre réservation du {old} est déplacée au {new}.",
            old=describe_booking(net, done.replaced[0]),
            new=describe_booking(net, first),
        )
    follow = t("Pour annuler : /annuler. Vos réservations : /mesreservations.")
    files = [attachment_for_booking(done.bookings, net, now=ctx.now, locale=ctx.lang)]
    if done.replaced:
        # The old event is withdrawn from the calendar as the new one is added.
        files.insert(0, attachment_for_cancel(done.replaced, net, now=ctx.now, locale=ctx.lang))
    return Step(_reset(state), [Out(text), Out(follow, files=tuple(files))])


def _grouped(bookings: Sequence[Booking]) -> list[list[Booking]]:
    """Desks booked together (same request, same slot) are one line: « 2 bureaux »."""
    groups: dict[tuple[Any, ...], list[Booking]] = {}
    for b in bookings:
        together = b.request_id if b.request_id is not None else ("alone", b.id)
        groups.setdefault((b.day, b.start, b.centre_id, b.kind, together), []).append(b)
    return list(groups.values())


def _describe_group(net: Network, group: Sequence[Booking]) -> Msg:
    if len(group) == 1:
        return describe_booking(net, group[0])
    return t("{what} ({n} bureaux)", what=describe_booking(net, group[0]), n=len(group))


def _listed(net: Network, groups: Sequence[Sequence[Booking]]) -> Lines:
    lines: list[Any] = [_describe_group(net, g) for g in groups[:MAX_LISTED]]
    if len(groups) > MAX_LISTED:
        lines.append(tn("… et {n} autre", "… et {n} autres", len(groups) - MAX_LISTED))
    return Lines(tuple(lines))


def _upcoming(state: State, command: Upcoming, outcome: Any, ctx: Ctx) -> Step:
    agenda = outcome if isinstance(outcome, Agenda) else Agenda(list(outcome))
    net = ctx.network
    bookings = list(agenda.bookings)
    if command.day is not None:
        bookings = [b for b in bookings if b.day == command.day]
    if command.purpose == "change":
        bookings = [b for b in bookings if b.kind is ResourceKind.DESK]
    waits = agenda.waits if command.day is None and command.purpose in ("list", "cancel") else []
    if not bookings and not waits:
        if command.day is not None:
            return Step(
                _reset(state),
                [Out(t("Vous n'avez pas de réservation le {day}.", day=command.day))],
            )
        if command.purpose == "change" and agenda.bookings:
            # Only meeting rooms: a change moves desks; a room is cancelled and booked again.
            rooms_only = t(
                "Je ne sais déplacer que les bureaux : pour une salle, annulez la réservation "
                "(/annuler) puis réservez le nouveau créneau."
            )
            return Step(_reset(state), [Out(rooms_only)])
        return Step(_reset(state), [Out(t("Vous n'avez aucune réservation à venir."))])
    waiting = [
        {"centre": w.centre_id, "day": w.day.isoformat(), "period": w.period.value} for w in waits
    ]
    groups = _grouped(bookings)
    if command.purpose == "calendar":
        ics = attachment_for_all(bookings, net, now=ctx.now, locale=ctx.lang)
        files = (ics,) if ics is not None else ()
        return Step(
            _reset(state),
            [Out(t("Vos réservations à venir, à ajouter à votre agenda :"), files=files)],
        )
    if command.purpose == "list":
        out = []
        if groups:
            head = tn("Votre réservation à venir :", "Vos {n} réservations à venir :", len(groups))
            out.append(Out(t("{head}{items}", head=head, items=_listed(net, groups))))
        if waiting:
            listed = Lines(tuple(_describe_payload(net, w) for w in waiting))
            out.append(Out(t("Sur liste d'attente :{items}", items=listed)))
        return Step(_reset(state), out)
    single = command.everything or len(groups) == 1
    if command.purpose == "cancel" and groups and not waits and single:
        what = (
            _describe_group(net, groups[0])
            if len(groups) == 1
            else tn("votre réservation à venir", "vos {n} réservations à venir", len(groups))
        )
        return _ask(
            {**state, "flow": "cancel", "pending_ids": [b.id for b in bookings]},
            "confirm",
            t("J'annule {what} ?", what=what),
            [(t("Oui, annuler"), {"do": "yes"}), (t("Non"), {"do": "no"})],
        )
    choices: list[tuple[Msg | str, dict[str, Any]]] = [
        (
            _describe_group(net, g),
            {"do": "cancel", "ids": [b.id for b in g], "booking": _booking_payload(g[0])},
        )
        for g in groups[:MAX_LISTED]
    ]
    if command.purpose == "cancel":
        series = {b.series_id for b in bookings if b.series_id}
        for series_id in sorted(series):
            days = [b for b in bookings if b.series_id == series_id]
            label = tn(
                "La série à partir du {day} ({n} date)",
                "La série à partir du {day} ({n} dates)",
                len(days),
                day=days[0].day,
            )
            choices.append((label, {"do": "cancel", "ids": [b.id for b in days]}))
        if len(groups) > 1:
            choices.append((t("Toutes"), {"do": "cancel", "ids": [b.id for b in bookings]}))
        choices += [
            (
                t("Ne plus attendre : {what}", what=_describe_payload(net, w)),
                {"do": "leave_wait", "id": entry.id, "what": w},
            )
            for entry, w in zip(waits, waiting, strict=True)
        ]
        return _ask(state, "choice", t("Laquelle annuler ?"), choices)
    if len(groups) == 1:
        return _change_pick(state, [b.id for b in groups[0]], choices[0][1], ctx)
    return _ask(state, "choice", t("Laquelle changer ?"), choices)


def _booking_payload(b: Booking) -> dict[str, Any]:
    return {
        "day": b.day.isoformat(),
        "period": b.period.value if b.period else None,
        "centre": b.centre_id,
        "start": b.start.isoformat(timespec="minutes"),
        "end": b.end.isoformat(timespec="minutes"),
    }


def _describe_payload(net: Network, b: dict[str, Any]) -> Msg:
    where = centre_name(net, b["centre"])
    day = date.fromisoformat(b["day"])
    if b.get("period"):
        return t(
            "{day}, {period}, à {centre}",
            day=day,
            period=PERIOD_NAMES[Period(b["period"])],
            centre=where,
        )
    return t(
        "{day}, de {start} à {end}, salle de réunion à {centre}",
        day=day,
        start=time.fromisoformat(b["start"]),
        end=time.fromisoformat(b["end"]),
        centre=where,
    )


def _availability(state: State, a: Availability, ctx: Ctx) -> Step:
    where = centre_name(ctx.network, a.centre_id)
    if a.closed_reason:
        return Step(
            _reset(state),
            [Out(t("Le télécentre de {centre} est fermé le {day}.", centre=where, day=a.day))],
        )
    parts = [
        tn(
            "{period} : {n} libre sur {total}",
            "{period} : {n} libres sur {total}",
            a.free.get(p, 0),
            period=PERIOD_NAMES[p],
            total=a.total_desks,
        )
        for p in a.open_halves
    ]
    offer = [*a.open_halves, *((Period.DAY,) if len(a.open_halves) == 2 else ())]
    choices: list[tuple[Msg | str, dict[str, Any]]] = [
        (
            t("Réserver : {period}", period=PERIOD_NAMES[p]),
            {"do": "alt", "centre": a.centre_id, "date": a.day.isoformat(), "period": p.value},
        )
        for p in offer
        if a.free.get(p, 0) > 0
    ]
    head = t("À {centre}, le {day} : {parts}.", centre=where, day=a.day, parts=parts)
    if not choices:
        return Step(_reset(state), [Out(head)])
    return _ask({**_reset(state), "flow": "book"}, "alternative", head, choices)
