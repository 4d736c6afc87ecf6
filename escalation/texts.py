"""What the customer reads when the assistant hands over: warm, never "I cannot handle this".

Supervisors will edit these per language in admin (the customer-transition issue); until then
these are the shipped texts for en, es, fr and de.
"""

HANDOFF = {
    "en": "I want to connect you with a specialist who can help with this. I've shared our "
    "conversation with the team, so you won't need to repeat anything.",
    "es": "Quiero ponerte en contacto con un especialista que pueda ayudarte con esto. He "
    "compartido nuestra conversación con el equipo, así que no tendrás que repetir nada.",
    "fr": "Je souhaite vous mettre en relation avec un spécialiste qui pourra vous aider. J'ai "
    "partagé notre conversation avec l'équipe, vous n'aurez donc rien à répéter.",
    "de": "Ich möchte Sie mit einem Spezialisten verbinden, der Ihnen dabei helfen kann. Ich habe "
    "unser Gespräch mit dem Team geteilt, Sie müssen also nichts wiederholen.",
}

# The second sentence: what happens next, from routing's view of the team at that moment.
SHORTLY = {
    "en": "Someone will join this chat shortly.",
    "es": "Alguien se unirá a este chat en breve.",
    "fr": "Quelqu'un va rejoindre ce chat sous peu.",
    "de": "Gleich meldet sich jemand in diesem Chat.",
}
QUEUED = {
    "en": "You are number {position} in line; the wait is about {minutes} min.",
    "es": "Eres el número {position} en la cola; la espera es de unos {minutes} min.",
    "fr": "Vous êtes numéro {position} dans la file ; l'attente est d'environ {minutes} min.",
    "de": "Sie sind Nummer {position} in der Warteschlange; die Wartezeit beträgt etwa "
    "{minutes} Min.",
}
NOBODY_FREE = {
    "en": "Everyone who can help with this is busy right now; you keep your place in line.",
    "es": "Ahora mismo todas las personas que pueden ayudarte están ocupadas; conservas tu "
    "lugar en la cola.",
    "fr": "Toutes les personnes qui peuvent vous aider sont occupées pour le moment ; vous "
    "gardez votre place dans la file.",
    "de": "Alle, die Ihnen dabei helfen können, sind gerade beschäftigt; Sie behalten Ihren "
    "Platz in der Warteschlange.",
}
# When the agent joins, the assistant introduces them.
INTRODUCE = {
    "en": "I have shared our conversation with {agent}, so you will not need to repeat anything.",
    "es": "He compartido nuestra conversación con {agent}, así que no tendrás que repetir nada.",
    "fr": "J'ai partagé notre conversation avec {agent}, vous n'aurez donc rien à répéter.",
    "de": "Ich habe unser Gespräch mit {agent} geteilt, Sie müssen also nichts wiederholen.",
}

REPHRASE = {
    "en": "I want to make sure I get this right. Could you tell me a bit more, or put it another way?",
    "es": "Quiero asegurarme de entenderte bien. ¿Podrías contarme un poco más o decirlo de otra forma?",
    "fr": "Je veux être sûr de bien comprendre. Pourriez-vous m'en dire un peu plus, ou le formuler autrement ?",
    "de": "Ich möchte sichergehen, dass ich Sie richtig verstehe. Können Sie es etwas genauer oder anders formulieren?",
}


def handoff_text(
    language: str,
    *,
    agent_free: bool = True,
    position: int | None = None,
    seconds: float | None = None,
) -> str:
    """The warm handoff, and what happens next: someone shortly when a qualified agent has a
    free slot, else the place in line and the estimated wait, else that everyone is busy."""
    if agent_free:
        tail = _pick(SHORTLY, language)
    elif position is not None and seconds is not None:
        minutes = max(1, round(seconds / 60))
        tail = _pick(QUEUED, language).format(position=position, minutes=minutes)
    else:
        tail = _pick(NOBODY_FREE, language)
    return f"{_pick(HANDOFF, language)} {tail}"


def introduce_text(language: str, agent: str) -> str:
    return _pick(INTRODUCE, language).format(agent=agent)


def _pick(texts: dict[str, str], language: str) -> str:
    return texts.get(language, texts["en"])


def rephrase_text(language: str) -> str:
    return REPHRASE.get(language, REPHRASE["en"])
