"""Fill English msgstrs from a small table: `python locales/translate.py` after `make locales`.

New sentences are few at a time; this keeps their translation reviewable in one place.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"

EN: dict[str, str | tuple[str, str]] = {
    # Conversation (handlers/dialogue.py): commands are named in the reader's language.
    "Je réserve des bureaux et des salles dans les télécentres du réseau. Écrivez par "
    "exemple :\n• réserver un bureau à Figeac jeudi matin\n• une salle de réunion à "
    "Aurillac mardi de 14h à 16h pour 6 personnes\n• mes réservations\n• annuler ma "
    "réservation de vendredi\n• des bureaux libres à Decazeville demain ?\n• le "
    "télétravail, c'est un droit ?\nCommandes : /reserver /mesreservations /annuler "
    "/modifier /langue /profil /aide\nAussi : /calendrier (vos réservations dans votre agenda), "
    "/arrivee, /annuaire, /presence, /impact, /mesdonnees, /oublier": "I book desks and rooms "
    "in the network's "
    "telecentres. Write for example:\n• book a desk in Figeac on Thursday morning\n• a "
    "meeting room in Aurillac on Tuesday from 2pm to 4pm for 6 people\n• my bookings\n• "
    "cancel my booking on Friday\n• any free desks in Decazeville tomorrow?\n• is "
    "teleworking a right?\nCommands: /book /mybookings /cancel /change /language /profile "
    "/help\nAlso: /calendar (your bookings in your calendar), /checkin, /directory, "
    "/presence, /impact, /mydata, /forget",
    "Je ne garde que vos réservations, votre langue et le profil que vous choisissez de "
    "donner : /mesdonnees pour les voir, /oublier pour les effacer.": "I keep only your "
    "bookings, your language and the profile you choose to give: /mydata to see them, "
    "/forget to erase them.",
    "Je n'ai pas compris. Pour réserver, écrivez par exemple « un bureau à Figeac jeudi "
    "matin » ; /aide pour tout voir.": 'I did not understand. To book, write for example "a '
    'desk in Figeac on Thursday morning"; /help to see everything.',
    "Pour annuler : /annuler. Vos réservations : /mesreservations.": (
        "To cancel: /cancel. Your bookings: /mybookings."
    ),
    "C'est noté : les autres personnes présentes et le responsable du télécentre peuvent "
    "voir votre nom, {name}.": "Noted: the other people there and the telecentre's manager "
    "can see your name, {name}.",
    "C'est noté, mais votre nom n'est pas publié : personne ne le verra. /annuaire nom "
    "Prénom puis /annuaire publier nom pour le montrer.": "Noted, but your name is not "
    "published: nobody will see it. /directory name Firstname, then /directory publish name "
    "to show it.",
    "Sous quel nom les autres personnes présentes vous verront-elles ? (« non » pour ne rien "
    "montrer)": 'Under which name will the other people there see you? ("no" to show nothing)',
    "Au revoir, à bientôt au télécentre !": "Goodbye, see you at the telecentre!",
    "Je ne connais pas de télécentre à {place}.": "I know no telecentre in {place}.",
    "Ce créneau a déjà commencé : choisissez une heure de début à venir.": (
        "That slot has already begun: choose a start time still to come."
    ),
    "Ce message a déjà servi à une autre demande : écrivez-la à nouveau.": (
        "That message was already used for another request: please write it again."
    ),
    "Cette personne n'est plus dans l'annuaire.": "That person is no longer in the directory.",
    "Cette valeur ne convient pas à ce champ.": "That value does not fit this field.",
    "Il reste de la place à ce moment-là : inutile d'attendre, je peux réserver.": (
        "There is still room then: no need to wait, I can book it."
    ),
    "Le {day}, le télécentre de {centre} est ouvert {hours}.": (
        "On {day}, the {centre} telecentre is open {hours}."
    ),
    "Le {day}, le télécentre de {centre} ferme de {start} à {end} pour le déjeuner.": (
        "On {day}, the {centre} telecentre closes from {start} to {end} for lunch."
    ),
    "Pour écrire à quelqu'un, rejoignez d'abord l'annuaire (/annuaire rejoindre) : la "
    "personne pourra ainsi vous répondre.": "To write to someone, first join the directory "
    "(/directory join): that way the person can answer you.",
    "Quel message dois-je transmettre ? Votre contact publié l'accompagne si vous en avez "
    "un ; sinon, la personne vous répondra par mon intermédiaire.": "What message shall I "
    "pass on? Your published contact goes with it if you have one; otherwise the person "
    "will answer you through me.",
    "Vous avez déjà écrit à beaucoup de monde aujourd'hui, ou à cette personne cette "
    "semaine : réessayez plus tard.": "You have already written to many people today, or "
    "to this person this week: try again later.",
    "Vous êtes déjà dans l'annuaire : /annuaire profil.": (
        "You are already in the directory: /directory profile."
    ),
    "Aujourd'hui : commune {commune}, trajet habituel {km} km, jusqu'au télécentre {near} km, "
    "télécentre {centre}.": "Today: commune {commune}, usual commute {km} km, to the "
    "telecentre {near} km, telecentre {centre}.",
    "Et de chez vous jusqu'au télécentre où vous venez, combien de kilomètres (aller) ? "
    "Répondez 0 s'il est dans votre commune.": "And from home to the telecentre you come to, "
    "how many kilometres, one way? Answer 0 if it is in your commune.",
    "Ces télécentres ont une salle :": "These telecentres have a room:",
    "Pour quel nouveau jour ? (actuellement : {what})": "For which new day? (now: {what})",
    "Répondez oui ou non, s'il vous plaît.": "Please answer yes or no.",
    "Pour aujourd'hui, c'est terminé à {centre}. Pour quel autre jour ?": (
        "It is over for today in {centre}. For which other day?"
    ),
    "C'est réservé aux responsables des télécentres. Pour voir qui d'autre est là : "
    "/quiestla.": "This is for the telecentres' managers only. To see who else is here: "
    "/whoishere.",
    "C'est trop long ({n} caractères, {limit} au plus) : raccourcissez, s'il vous plaît.": (
        "That is too long ({n} characters, {limit} at most): please shorten it."
    ),
    "C'est {quota} jours par semaine au plus, et la semaine du {monday} en compterait "
    "davantage.": "It is {quota} days a week at most, and the week of {monday} would have more.",
    "Je ne sais déplacer que les bureaux : pour une salle, annulez la réservation (/annuler) "
    "puis réservez le nouveau créneau.": "I can only move desks: for a room, cancel the "
    "booking (/cancel) and book the new slot.",
    "Je parle français et anglais.": "I speak French and English.",
    "Je peux réserver de 1 à {maximum} bureaux à la fois.": (
        "I can book 1 to {maximum} desks at a time."
    ),
    "Je réserve l'autre ({what}) : {days} ?": (
        "Shall I book the other one ({what}): {days}?",
        "Shall I book the other {n} ({what}): {days}?",
    ),
    "Ne plus attendre : {what}": "Stop waiting: {what}",
    "Sur liste d'attente :{items}": "On the waitlist:{items}",
    "Vous n'êtes plus sur la liste d'attente pour {what}.": (
        "You are no longer on the waitlist for {what}."
    ),
    "Vous êtes sur la liste d'attente pour {what}. Si une place se libère, elle est pour "
    "vous et je vous préviens.": "You are on the waitlist for {what}. If a place comes free, "
    "it is yours and I will tell you.",
    "{cannot}\n{rest}": "{cannot}\n{rest}",
    "{n} date n'est pas possible :{refused}": (
        "{n} date is not possible:{refused}",
        "{n} dates are not possible:{refused}",
    ),
    "Des moments différents selon les jours : je fais le premier, redemandez-moi ensuite "
    "pour les suivants.": "Different times on different days: I'll do the first one; ask "
    "me again for the next ones.",
    "Ailleurs, une salle assez grande :": "Elsewhere, a room big enough:",
    "Avec plaisir ! À bientôt au télécentre.": "You're welcome! See you at the telecentre.",
    "C'est fait : votre réservation du {old} est déplacée au {new}.": (
        "Done: your booking of {old} has moved to {new}."
    ),
    "Combien de bureaux ?": "How many desks?",
    "Il n'y a plus de bureau libre à {centre} le {day}, {period}.": (
        "There is no desk left in {centre} on {day}, {period}."
    ),
    "Je déplace votre réservation du {old} au {new}. C'est bon ?": (
        "I'll move your booking from {old} to {new}. Is that right?"
    ),
    "Je ne peux pas faire cela pour le moment.": "I can't do that for now.",
    "La série à partir du {day} ({n} date)": (
        "The series from {day} ({n} date)",
        "The series from {day} ({n} dates)",
    ),
    "Le {date} tombe un {weekday} : c'est bien ce jour-là ?": (
        "{date} is a {weekday}: is that the day you mean?"
    ),
    "Le {day} est déjà passé. Quel jour voulez-vous ?": (
        "{day} is already past. Which day would you like?"
    ),
    "Le {day} est férié ({holiday}) : les télécentres sont fermés.": (
        "{day} is a public holiday ({holiday}): the telecentres are closed."
    ),
    "Le {day}, le télécentre de {centre} est ouvert de {start} à {end}.": (
        "On {day}, the {centre} telecentre is open from {start} to {end}."
    ),
    "Le {day}, le télécentre de {centre} n'est ouvert que le {halves}.": (
        "On {day}, the {centre} telecentre is only open in the {halves}."
    ),
    "Les salles de {centre} accueillent au plus {maximum} personnes.": (
        "The rooms in {centre} seat at most {maximum} people."
    ),
    "Oui, déplacer": "Yes, move it",
    "Pour combien de personnes ?": "For how many people?",
    "Toutes les salles de {centre} sont prises le {day} à ces heures-là.": (
        "All the rooms in {centre} are taken on {day} at those hours."
    ),
    "Vous avez déjà une réservation le {day} à ce moment-là, à {centre}.": (
        "You already have a booking on {day} at that time, in {centre}."
    ),
    "Vous avez déjà {quota} jours réservés la semaine du {monday} : c'est le maximum.": (
        "You already have {quota} days booked in the week of {monday}: that is the maximum."
    ),
    "votre réservation à venir": ("your upcoming booking", "your {n} upcoming bookings"),
    "{day}, de {start} à {end}, salle de réunion à {centre} pour {n} personne": (
        "{day}, from {start} to {end}, meeting room in {centre} for {n} person",
        "{day}, from {start} to {end}, meeting room in {centre} for {n} people",
    ),
    "{day}, de {start} à {end}, {room} à {centre}": (
        "{day}, from {start} to {end}, {room} in {centre}"
    ),
    "{what} ({n} bureaux)": "{what} ({n} desks)",
    "… et {n} autre": ("… and {n} more", "… and {n} more"),
    "C'est fait : vos données sont effacées et {n} réservation à venir est annulée. Au revoir !": (
        "Done: your data is erased and {n} upcoming booking was cancelled. Goodbye!",
        "Done: your data is erased and {n} upcoming bookings were cancelled. Goodbye!",
    ),
    "Effacer toutes vos données ? Vos réservations à venir seront annulées et cela ne peut "
    "pas être défait.": "Erase all your data? Your upcoming bookings will be cancelled and "
    "this cannot be undone.",
    "Oui, tout effacer": "Yes, erase everything",
    "Voici tout ce que je garde sur vous :": "Here is everything I keep about you:",
    # Directory (handlers/dialogue.py, handlers/notify.py)
    "Cherchez une compétence, par exemple « qui fait du graphisme ? » ou /annuaire traduction. "
    "Pour apparaître dans l'annuaire : /annuaire rejoindre ; pour en sortir : /annuaire "
    "quitter.": 'Search for a skill, e.g. "who does graphic design?" or /directory '
    "translation. To appear in the directory: /directory join; to leave it: /directory "
    "leave.",
    "Contacter {name}": "Contact {name}",
    "Je ne connais pas ce télécentre dans le réseau.": (
        "I don't know that telecentre in the network."
    ),
    "Je n'ai pas reconnu de date. Pour quel jour ?": "I didn't recognise a date. For which day?",
    "Votre fiche dans l'annuaire :{lines}\n/annuaire publier métier, /annuaire masquer "
    "commune, /annuaire métier graphiste… ; /annuaire quitter pour tout effacer.": (
        "Your directory entry:{lines}\n/directory publish job, /directory hide commune, "
        "/directory job graphic designer…; /directory leave to erase it all."
    ),
    "Vous n'êtes pas dans l'annuaire : /annuaire rejoindre.": (
        "You are not in the directory: /directory join."
    ),
    "commune": "commune",
    "compétences": "skills",
    "contact": "contact",
    "masqué": "hidden",
    "métier": "job",
    "nom": "name",
    "ouvert à": "open to",
    "publié": "published",
    "télécentre habituel": "usual telecentre",
    "{field} : {value} ({shown})": "{field}: {value} ({shown})",
    "C'est noté : les responsables du réseau le verront dans leur point du jour.": (
        "Noted: the network's managers will see it in their daily digest."
    ),
    "C'est retiré.": "Removed.",
    "Votre conjoint cherche un emploi ici ? Écrivez « /annuaire conjoint » suivi du métier et "
    "de la zone, par exemple « /annuaire conjoint infirmière, Figeac » ; seuls les "
    "responsables du réseau le verront. « /annuaire conjoint non » pour le retirer.": (
        'Is your partner looking for work here? Write "/directory partner" followed by the '
        'job and the area, e.g. "/directory partner nurse, Figeac"; only the network\'s '
        'managers will see it. "/directory partner no" to remove it.'
    ),
    "Activez d'abord « qui est là » avec /presence oui : vous serez visible vous aussi.": (
        'First, turn on "who is here" with /presence on: you will be visible too.'
    ),
    "Aujourd'hui avec vous :{lines}": "With you today:{lines}",
    "C'est noté : les autres personnes présentes et le responsable du télécentre peuvent "
    "voir votre nom.": "Noted: the other people there and the telecentre's manager can see "
    "your name.",
    "C'est noté : votre nom n'est plus montré.": "Noted: your name is no longer shown.",
    "Cette commande est réservée aux responsables des télécentres. Pour voir qui d'autre est "
    "là : /quiestla.": "This command is for the telecentres' managers only. To see who else "
    "is here: /whoishere.",
    "Vous n'avez pas de réservation aujourd'hui.": "You have no booking today.",
    "personne d'autre de visible": "nobody else visible",
    "{centre} : {names}": "{centre}: {names}",
    "« Qui est là » montre votre nom aux autres personnes présentes le même jour au même "
    "télécentre et à son responsable, et le leur à vous, si elles l'ont activé aussi. "
    "/presence oui pour l'activer, /presence non pour l'arrêter, /quiestla pour voir.": '"Who '
    'is here" shows your name to the other people at the same telecentre on the same day and '
    "to its manager, and theirs to "
    "you, if they turned it on too. /presence on to turn it on, /presence off to stop, "
    "/whoishere to see.",
    "Conjoints cherchant un emploi :{items}": "Partners looking for work:{items}",
    "Compétences cherchées sans personne pour les offrir :{items}": (
        "Skills searched for that nobody offers:{items}"
    ),
    "Je publie dans l'annuaire : {name}, {skills}. Votre identifiant de messagerie n'est "
    "jamais montré : les contacts passent par moi. D'accord ?": "I'll publish in the "
    "directory: {name}, {skills}. Your chat id is never shown: contacts go through me. "
    "All right?",
    "L'annuaire est facultatif et vous en sortez quand vous voulez (/annuaire quitter). "
    "Quelles compétences proposez-vous ? Par exemple « graphisme, traduction anglais ».": (
        "The directory is optional and you can leave it whenever you like (/directory "
        'leave). Which skills do you offer? For example "graphic design, English '
        'translation".'
    ),
    "Message transmis. La personne vous répondra si elle le souhaite.": (
        "Message passed on. The person will answer if they wish."
    ),
    "Oui, publier": "Yes, publish",
    "Personne ne propose encore cette compétence dans l'annuaire. Je le note pour le "
    "réseau.": "Nobody offers this skill in the directory yet. I'm noting it for the network.",
    "Quel message dois-je transmettre ? Il partira avec votre identifiant de messagerie.": (
        "What message shall I pass on? It will go with your chat id."
    ),
    "Quelqu'un": "Someone",
    "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre : {handle}.": (
        'Someone writes to you through the directory: "{message}" To answer: {handle}.'
    ),
    "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre, choisissez "
    "« Répondre » : je transmettrai, sans montrer votre identifiant.": (
        'Someone writes to you through the directory: "{message}" To answer, choose '
        '"Reply": I will pass it on without showing your id.'
    ),
    "Répondre": "Reply",
    # Waitlist (handlers/notify.py)
    "Je vous retire de la liste d'attente pour {what} : {why}": (
        "I am taking you off the waiting list for {what}: {why}"
    ),
    "vous avez désormais une réservation à ce moment-là.": "you now have a booking at that time.",
    "vous avez atteint le nombre de jours réservables cette semaine.": (
        "you have reached the number of days you can book this week."
    ),
    "le télécentre est fermé ce jour-là.": "the telecentre is closed that day.",
    "cette place ne peut plus vous être donnée.": "that place can no longer be given to you.",
    "Sous quel nom voulez-vous apparaître ?": "Under which name do you want to appear?",
    "Suivants": "Next",
    "Vous n'êtes plus dans l'annuaire.": "You are no longer in the directory.",
    "Vous êtes dans l'annuaire. Merci !": "You are in the directory. Thank you!",
    "{name} : {skills}": "{name}: {skills}",
    "{n} personne trouvée :": ("{n} person found:", "{n} people found:"),
    "Annuler": "Cancel",
    "Aujourd'hui : {what}. Signalez votre arrivée sur place.": (
        "Today: {what}. Tell me when you arrive."
    ),
    "Bienvenue ! Arrivée enregistrée :{what}": "Welcome! Arrival recorded:{what}",
    "Bonne nouvelle : une place s'est libérée et elle est à vous :{what}": (
        "Good news: a place came free and it is yours:{what}"
    ),
    "Je ne trouve pas de réservation en cours pour vous aujourd'hui.": (
        "I find no booking of yours under way today."
    ),
    "Je suis arrivé(e)": "I'm here",
    "Je viens": "I'm coming",
    "Parfait, à bientôt au télécentre !": "Perfect, see you at the telecentre!",
    "Rappel : vous avez réservé {what}.": "Reminder: you booked {what}.",
    "Cette commande est réservée aux responsables des télécentres.": (
        "This command is for the telecentres' managers only."
    ),
    "Vos réservations à venir, à ajouter à votre agenda :": (
        "Your upcoming bookings, to add to your calendar:"
    ),
    "Votre arrivée n'a pas été signalée à temps : la réservation {what} a été libérée pour "
    "d'autres personnes.": "Your arrival was not signalled in time: the booking {what} was "
    "released for others.",
    # Managers' digests, weekly chart and impact report (handlers/digest.py, charts.py)
    "Aujourd'hui, {day}": "Today, {day}",
    "Bilan de la semaine du {first} au {last}": "Week from {first} to {last}",
    "Demain, {day}": "Tomorrow, {day}",
    "Ensemble du réseau": "Whole network",
    "Impact de {centre} du {first} au {last}": "Impact of {centre} from {first} to {last}",
    "Impact du réseau du {first} au {last}": "Impact of the network from {first} to {last}",
    "Occupation des bureaux par centre et par jour, semaine du {day}": (
        "Desk occupancy per centre and day, week of {day}"
    ),
    "Pas encore de journée au télécentre comptée : l'impact viendra avec la première.": (
        "No day at a telecentre counted yet: the impact comes with the first one."
    ),
    "Point du {day}": "Digest for {day}",
    "Prochaine ouverture, {day}": "Next opening, {day}",
    "Tendance des dernières semaines :": "Trend over the last weeks:",
    "Total": "Total",
    "Un déplacement évité est un aller-retour domicile-travail par personne et par jour de "
    "présence ; sa longueur est deux fois le trajet habituel déclaré moins la distance "
    "déclarée du domicile au télécentre (jamais moins de zéro).": (
        "A trip avoided is one home-to-work round trip per person and day present; its "
        "length is twice the usual commute the person declared, less the declared distance "
        "from home to the telecentre (never below zero)."
    ),
    "Vous avez évité {n} déplacement : {km} km, {hours} h de trajet et {co2} kg CO2e.": (
        "You avoided {n} trip: {km} km, {hours} h of travel and {co2} kg CO2e.",
        "You avoided {n} trips: {km} km, {hours} h of travel and {co2} kg CO2e.",
    ),
    "Vous avez évité {n} déplacement. Indiquez votre trajet domicile-travail habituel pour "
    "que je compte les kilomètres et le CO2.": (
        "You avoided {n} trip. Tell me your usual commute so that I count the kilometres "
        "and the CO2.",
        "You avoided {n} trips. Tell me your usual commute so that I count the kilometres "
        "and the CO2.",
    ),
    "aucun jour d'ouverture cette semaine": "no opening day this week",
    "bureaux occupés (%)": "desks occupied (%)",
    "dont {n} déplacement sans trajet déclaré, compté sans kilomètres": (
        "including {n} trip without a declared commute, counted without kilometres",
        "including {n} trips without a declared commute, counted without kilometres",
    ),
    "qui vient : {names}": "coming: {names}",
    "semaine du {day} : fermé": "week of {day}: closed",
    "semaine du {day} : {rate} %": "week of {day}: {rate}%",
    "toute la période": "whole period",
    "{co2} kg CO2e": "{co2} kg CO2e",
    "{day} : {rate} %": "{day}: {rate}%",
    "{factor} kg CO2e par km ({source})": "{factor} kg CO2e per km ({source})",
    "{hours} h de trajet": "{hours} h of travel",
    "{km} km": "{km} km",
    "{label} : fermé": "{label}: closed",
    "{label} : {n} demi-journée de bureau réservée sur {total} ({rate} %)": (
        "{label}: {n} desk half-day booked of {total} ({rate}%)",
        "{label}: {n} desk half-days booked of {total} ({rate}%)",
    ),
    "{month} : {figures}": "{month}: {figures}",
    "{n} bureau réservé sur {total} ({rate} %)": (
        "{n} desk booked of {total} ({rate}%)",
        "{n} desks booked of {total} ({rate}%)",
    ),
    "{n} demi-journée de bureau occupée sur {total} ({rate} %)": (
        "{n} desk half-day occupied of {total} ({rate}%)",
        "{n} desk half-days occupied of {total} ({rate}%)",
    ),
    "{n} déplacement évité": ("{n} trip avoided", "{n} trips avoided"),
    "{n} libre": ("{n} free", "{n} free"),
    "{n} personne": ("{n} person", "{n} people"),
    "{n} personne en attente": ("{n} person waiting", "{n} people waiting"),
    "{n} réservation de salle de réunion": (
        "{n} meeting room booking",
        "{n} meeting room bookings",
    ),
    "{n} réservation honorée": ("{n} booking attended", "{n} bookings attended"),
    "{period} : {details}": "{period}: {details}",
    "{speed} km/h en moyenne ({source})": "{speed} km/h on average ({source})",
    # Transports (bot/transports/)
    "Pour réserver ou gérer vos réservations, écrivez-moi en privé.": (
        "To book or manage your bookings, write to me in a private chat."
    ),
    "Écrire en privé": "Write in private",
    "Cette question est close.": "This question is closed.",
    "🔒 Je ne sais pas lire les salons chiffrés, et je n'y écris jamais en clair. "
    "Écrivez-moi ici, dans cette conversation non chiffrée, pour réserver.": (
        "🔒 I can't read encrypted rooms, and I never write in them in plain text. "
        "Write to me here, in this unencrypted chat, to book."
    ),
    "🔒 Le salon « {room} » où vous m'avez invité est chiffré : je ne peux pas y lire les "
    "messages, et je n'y écris jamais en clair. Pour réserver, chacun peut m'écrire dans une "
    "conversation directe non chiffrée, comme celle-ci.": (
        "🔒 The room “{room}” you invited me to is encrypted: I can't read its messages, "
        "and I never write in it in plain text. To book, anyone can write to me in an "
        "unencrypted direct chat, like this one."
    ),
    "Désolé, quelque chose s'est mal passé. Réessayez dans un instant.": (
        "Sorry, something went wrong. Please try again in a moment."
    ),
    # Outbox, reminders, digests and impact (fix-outbox)
    "Rappel : vous avez réservé :{what}": "Reminder: you booked:{what}",
    "Aujourd'hui :{what}\nSignalez votre arrivée sur place.": (
        "Today:{what}\nTell me when you arrive."
    ),
    "{n} venue confirmée": ("{n} confirmed coming", "{n} confirmed coming"),
    "Le {day}": "On {day}",
    "Le lendemain, {day}": "The day after, {day}",
    "Point du {today} sur le {day}": "Digest of {today} for {day}",
    "Non venus {day} : non suivi (l'arrivée n'est pas signalée dans ce centre)": (
        "No-shows {day}: not tracked (arrivals are not signalled at this centre)"
    ),
    "Non venus {day} : {n} réservation sans arrivée signalée": (
        "No-shows {day}: {n} booking with no arrival signalled",
        "No-shows {day}: {n} bookings with no arrival signalled",
    ),
    "Non venus : non suivi (l'arrivée n'est pas signalée dans ce centre)": (
        "No-shows: not tracked (arrivals are not signalled at this centre)"
    ),
    "{n} réservation sans arrivée signalée": (
        "{n} booking with no arrival signalled",
        "{n} bookings with no arrival signalled",
    ),
    "dont {n} déplacement sans distance déclarée jusqu'au télécentre, compté comme si le "
    "télécentre était à la porte": (
        "including {n} trip without a declared distance to the telecentre, counted as if "
        "the telecentre were next door",
        "including {n} trips without a declared distance to the telecentre, counted as if "
        "the telecentre were next door",
    ),
}


def main() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in EN:
            message.string = EN[key]
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, width=76)


if __name__ == "__main__":
    main()
