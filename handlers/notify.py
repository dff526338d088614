"""Notifications as the conversation's own questions: a reminder's buttons are answered
like any other choice, because the reminder leaves its question in the dialogue state.

The question is left only once the message went out (:func:`leave_question`, called by
the scheduler after the send), and never at the expense of a dialogue in progress: when
the person is in the middle of something (a booking being filled, a confirmation asked),
the reminder's buttons get their own tokens (``r1``, ``r2``…) added beside that
dialogue's choices, which stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from booking_core.domain import Notification
from booking_core.network import Network
from handlers.dialogue import REMINDER_CHOICES, Out, State, _describe_payload, new_state
from handlers.i18n import Lines, Msg, t

REMINDER_KINDS = frozenset({"reminder_evening", "reminder_morning"})
DEDICATED = "r"  # prefix of a reminder's tokens beside a dialogue in progress
# The dedicated tokens of the last reminder sent beside a dialogue are also kept under
# REMINDER_CHOICES: the dialogue's next question replaces ``choices``, and the dialogue
# looks a pressed token up there too, so the reminder's buttons keep working until the
# next reminder.


@dataclass(frozen=True)
class Prepared:
    """The messages of a notification, and the answers its buttons stand for (by token)."""

    outs: list[Out]
    choices: dict[str, dict[str, Any]] | None = None


def _as_payload(booking: dict[str, Any]) -> dict[str, Any]:
    """A booking's JSON (as stored with the notification) in the dialogue's short form."""
    return {
        "day": booking["date"],
        "period": booking.get("period"),
        "centre": booking["centre"],
        "start": booking["start"],
        "end": booking["end"],
    }


def in_dialogue(state: State | None) -> bool:
    """Whether the person is in the middle of something a reminder must not overwrite."""
    if not state:
        return False
    return bool(state.get("flow")) or state.get("awaiting") not in (None, "reminder")


def prepare(
    note: Notification,
    state: State | None,
    network: Network,
    group: Sequence[Notification] = (),
) -> Prepared:
    """The messages for one notification (with the reminders of ``group`` in the same
    message), and its choices, tokened so as not to collide with ``state``'s."""
    dedicated = in_dialogue(state)
    if note.kind == "waitlist_promoted":
        bookings = [_as_payload(b) for b in note.payload["bookings"]]
        lines = Lines(tuple(_describe_payload(network, b) for b in bookings))
        ids = [int(b["id"]) for b in note.payload["bookings"]]
        return _with_choices(
            t("Bonne nouvelle : une place s'est libérée et elle est à vous :{what}", what=lines),
            [(t("Annuler"), {"do": "cancel", "ids": ids, "booking": bookings[0]})],
            dedicated,
        )
    if note.kind == "contact_relay":
        # "from" is the requester's contact only when they published it; "reply_to" is
        # their directory profile, where an answer through the bot goes.
        message, handle = note.payload["message"], note.payload.get("from")
        if handle:
            text = t(
                "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre : {handle}.",
                message=message,
                handle=handle,
            )
        else:
            text = t(
                "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre, "
                "choisissez « Répondre » : je transmettrai, sans montrer votre identifiant.",
                message=message,
            )
        reply_to = note.payload.get("reply_to")
        if reply_to is None:
            return Prepared([Out(text)])
        answer: list[tuple[Msg | str, dict[str, Any]]] = [
            (t("Répondre"), {"do": "contact", "profile": reply_to})
        ]
        return _with_choices(text, answer, dedicated)
    if note.kind == "waitlist_dropped":
        wait = note.payload["wait"]
        waited = _describe_payload(
            network, {"day": wait["date"], "period": wait["period"], "centre": wait["centre"]}
        )
        why = _DROPPED.get(note.payload.get("reason", ""), _DROPPED[""])
        dropped = t(
            "Je vous retire de la liste d'attente pour {what} : {why}", what=waited, why=why
        )
        return Prepared([Out(dropped)])
    if note.kind == "release_notice":
        released = _describe_payload(network, _as_payload(note.payload["booking"]))
        text = t(
            "Votre arrivée n'a pas été signalée à temps : la réservation {what} a été libérée "
            "pour d'autres personnes.",
            what=released,
        )
        return Prepared([Out(text)])
    if note.kind not in REMINDER_KINDS:
        raise ValueError(f"unknown notification kind {note.kind!r}")
    members = [m for m in group if m.id != note.id]
    booked = [note.payload["booking"], *(m.payload["booking"] for m in members)]
    shorts = [_as_payload(b) for b in booked]
    ids = [int(b["id"]) for b in booked]
    single = len(shorts) == 1
    what: Msg | Lines = (
        _describe_payload(network, shorts[0])
        if single
        else Lines(tuple(_describe_payload(network, b) for b in shorts))
    )
    cancel_payload: dict[str, Any] = {"do": "cancel", "ids": ids}
    if single:
        cancel_payload["booking"] = shorts[0]
    cancel = (t("Annuler"), cancel_payload)
    if note.kind == "reminder_evening":
        text = (
            t("Rappel : vous avez réservé {what}.", what=what)
            if single
            else t("Rappel : vous avez réservé :{what}", what=what)
        )
        return _with_choices(text, [(t("Je viens"), {"do": "keep", "ids": ids}), cancel], dedicated)
    text = (
        t("Aujourd'hui : {what}. Signalez votre arrivée sur place.", what=what)
        if single
        else t("Aujourd'hui :{what}\nSignalez votre arrivée sur place.", what=what)
    )
    return _with_choices(text, [(t("Je suis arrivé(e)"), {"do": "checkin"}), cancel], dedicated)


# Why a waitlist entry was dropped (``waitlist_dropped``'s "reason": a refusal code).
_DROPPED: dict[str, Msg] = {
    "already_booked": t("vous avez désormais une réservation à ce moment-là."),
    "quota_exceeded": t("vous avez atteint le nombre de jours réservables cette semaine."),
    "closed": t("le télécentre est fermé ce jour-là."),
    "public_holiday": t("le télécentre est fermé ce jour-là."),
    "": t("cette place ne peut plus vous être donnée."),
}


def _with_choices(
    text: Msg, choices: list[tuple[Msg | str, dict[str, Any]]], dedicated: bool
) -> Prepared:
    tokens = [f"{DEDICATED if dedicated else ''}{n}" for n in range(1, len(choices) + 1)]
    out = Out(
        text, tuple((label, token) for (label, _), token in zip(choices, tokens, strict=True))
    )
    return Prepared(
        [out], {token: payload for (_, payload), token in zip(choices, tokens, strict=True)}
    )


def leave_question(state: State | None, choices: dict[str, dict[str, Any]]) -> State | None:
    """The dialogue state once a notification with ``choices`` went out; ``None`` to leave
    ``state`` as it is.

    ``state`` is the one stored *now* (read again after the send): with no dialogue in
    progress the reminder's question becomes the one awaited; beside a dialogue, its
    dedicated tokens are added to that dialogue's choices. Numbered tokens prepared when
    nothing was in progress are not forced onto a dialogue begun in between (they would
    answer its questions): those buttons then simply ask for a choice from the list.
    """
    current = dict(state) if state is not None else {**new_state(), "welcomed": True}
    dedicated = all(token.startswith(DEDICATED) for token in choices)
    if not in_dialogue(current):
        return {**current, "flow": None, "slots": {}, "awaiting": "reminder", "choices": choices}
    if not dedicated:
        return None
    # Also kept apart, where the dialogue's next question does not replace them (see
    # REMINDER_CHOICES).
    return {
        **current,
        "choices": {**current.get("choices", {}), **choices},
        REMINDER_CHOICES: choices,
    }
