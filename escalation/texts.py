"""What the customer reads when the assistant hands over: warm, never "I cannot handle this".

Supervisors will edit these per language in admin (the customer-transition issue); until then
these are the shipped texts for en, es, fr and de.
"""

HANDOFF = {
    "en": "I want to connect you with a specialist who can help with this. I've shared our "
    "conversation with the team, so you won't need to repeat anything. Someone will join this "
    "chat shortly.",
    "es": "Quiero ponerte en contacto con un especialista que pueda ayudarte con esto. He "
    "compartido nuestra conversación con el equipo, así que no tendrás que repetir nada. Alguien "
    "se unirá a este chat en breve.",
    "fr": "Je souhaite vous mettre en relation avec un spécialiste qui pourra vous aider. J'ai "
    "partagé notre conversation avec l'équipe, vous n'aurez donc rien à répéter. Quelqu'un va "
    "rejoindre ce chat sous peu.",
    "de": "Ich möchte Sie mit einem Spezialisten verbinden, der Ihnen dabei helfen kann. Ich habe "
    "unser Gespräch mit dem Team geteilt, Sie müssen also nichts wiederholen. Gleich meldet sich "
    "jemand in diesem Chat.",
}

REPHRASE = {
    "en": "I want to make sure I get this right. Could you tell me a bit more, or put it another way?",
    "es": "Quiero asegurarme de entenderte bien. ¿Podrías contarme un poco más o decirlo de otra forma?",
    "fr": "Je veux être sûr de bien comprendre. Pourriez-vous m'en dire un peu plus, ou le formuler autrement ?",
    "de": "Ich möchte sichergehen, dass ich Sie richtig verstehe. Können Sie es etwas genauer oder anders formulieren?",
}


def handoff_text(language: str) -> str:
    return HANDOFF.get(language, HANDOFF["en"])


def rephrase_text(language: str) -> str:
    return REPHRASE.get(language, REPHRASE["en"])
