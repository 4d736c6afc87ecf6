"""What the customer reads from the assistant beyond its answers (its greeting) and while it
hands over: warm, never "I cannot handle this".

Every text has a key and a shipped version per language (en, es, fr, de; escalation.texts_i18n
holds the translations). A supervisor overrides any of them per language in admin
(MessageTemplate); `render` picks the override, else the shipped text in the customer's
language, else English. Placeholders in braces are filled in; an override that names an unknown
placeholder falls back to the shipped text rather than showing the customer a broken sentence.
"""

from __future__ import annotations

import logging
import string
from typing import Any

from escalation.texts_i18n import TRANSLATIONS
from helpdesk.configcache import area

logger = logging.getLogger(__name__)

ENGLISH: dict[str, str] = {
    # The chat's opening line, shown above a new conversation (helpdesk.pagetexts), never stored.
    "greeting": "Hello! I'm the assistant: ask me about orders, delivery, returns, payments or "
    "your account and I'll answer right away. If you'd rather talk to a person, just say so: "
    "someone from our team is one message away.",
    "handoff": "I want to connect you with a specialist who can help with this. I've shared our "
    "conversation with the team, so you won't need to repeat anything.",
    "shortly": "Someone will join this chat shortly.",
    "queued": "You are number {position} in line; the wait is about {minutes} min.",
    "nobody_free": "Everyone who can help with this is busy right now; you keep your place in "
    "line.",
    "introduce": "I have shared our conversation with {agent}, so you will not need to repeat "
    "anything.",
    "rephrase": "I want to make sure I get this right. Could you tell me a bit more, or put it "
    "another way?",
    "fallback": "I'm sorry, I can't answer that one here. Could you put it another way, or ask "
    "me something else?",
    "person_declined": "Our team can't take chats here at the moment, but I'm glad to help. What "
    "would you like to know?",
    "wait_update": "Thanks for waiting. You are now number {position} in line; about {minutes} "
    "min to go.",
    "wait_update_unknown": "Thanks for waiting. Everyone who can help is still busy; you keep "
    "your place in line and I will keep you posted.",
    "nobody_online": "Nobody who can help with this is online right now. You are number "
    "{position} in line, and the first person back will see everything you have written. Rather "
    "than wait, we can call you back or reply by email.",
    "team_hours_today": "Our team's hours today run until {time} ({zone} time).",
    "nobody_online_update": "Nobody who can help with this is online yet; you are number "
    "{position} in line.",
    "callback_offer": "I'm sorry this is taking longer than we'd like. Would you rather we call "
    "you back at a time that suits you, or follow up by email? You keep your place in line "
    "until you choose.",
    "choice_callback": "Call me back",
    "choice_email": "Email me",
    "choice_wait": "Keep waiting",
    "keep_waiting": "Of course, you keep your place in line.",
    "added_to_conversation": "Added to your conversation: the person who takes it will see it.",
    "callback_slots": "When should we call you? Pick a time ({zone} time) and check your phone "
    "number.",
    "callback_confirmed": "Done: we will call you on {phone} on {when} ({zone} time). So you "
    "won't need to explain again, this is what we will talk about: {summary}",
    "email_confirmed": "Done: we will reply by email to {email} by {when} ({zone} time). This "
    "is what we will look into: {summary}",
    "off_hours": "Our team is away right now and back on {when} ({zone} time). I can arrange a call "
    "on the next business day, or a reply by email.",
    "urgent_info": "If it is urgent ({criteria}), our on-call specialist is contacted right away.",
    "emergency": "This is urgent, so I am contacting our on-call specialist now. If nobody can "
    "join within {minutes} min, we will call you back by {deadline} ({zone} time). Please leave "
    "a phone number or an email address we can reach you on.",
    "choice_phone": "Save my number",
    "phone_saved": "Thank you, we will call {phone} if we need to.",
    "choice_contact_email": "Save my email",
    "email_saved": "Thank you, we will write to {email} if we cannot reach you here.",
    "guaranteed_in_chat": "Our on-call specialist could not join in time. You have not left a "
    "phone number or an email address, so we will answer you here in this chat by {deadline} "
    "({zone} time): keep this page open or come back to it. You can still leave a number or an "
    "address below.",
    "guaranteed_callback": "Our on-call specialist could not join in time. We have recorded a "
    "guaranteed callback: we will contact you on {contact} by {deadline} ({zone} time).",
    "email_subject": "Your request: we will be in touch {when}",
    "email_body": "Hello {name},\n\n{confirmation}\n\nYour reference: {reference}\n\nIf anything "
    "changes, reply to this email or open the chat again.\n",
    "slot_label": "{day} {time}",
    "error_phone": "Please give a phone number, like +44 20 7946 0958.",
    "error_email": "Please give an email address, like you@example.com.",
    "error_stale": "That offer was replaced by a newer one below.",
    "error_chosen": "You already chose an option here.",
    "error_not_waiting": "You are no longer waiting in line.",
    "error_slot_passed": "That time has passed; please pick a later one.",
    "survey_csat": "Thanks for chatting with us. How satisfied are you with the help you got, "
    "from 1 (not at all) to 5 (very)?",
    "survey_repeat": "Did you have to repeat any information you had already given?",
    "survey_comment": "Anything you would like to tell us? A short comment helps us improve.",
    "survey_thanks": "Thank you, that helps us a lot.",
    "choice_yes": "Yes",
    "choice_no": "No",
    "choice_send": "Send",
    "choice_skip": "No comment",
}

SHIPPED: dict[str, dict[str, str]] = {
    key: {"en": text, **{lang: TRANSLATIONS[lang][key] for lang in TRANSLATIONS}}
    for key, text in ENGLISH.items()
}


def shipped(key: str, language: str) -> str:
    texts = SHIPPED[key]
    return texts.get(language, texts["en"])


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def render(key: str, language: str, **values: Any) -> str:
    """The text for `key` in the customer's language, as supervisors left it."""
    override = overrides().get((key, language))
    if override is not None:
        try:
            return override.format(**values)
        except (KeyError, IndexError, ValueError):
            logger.warning(
                "Template %s (%s) does not fit its values; shipped text used", key, language
            )
    return shipped(key, language).format(**values)


@area("escalation").cached
def overrides() -> dict[tuple[str, str], str]:
    """Every supervisor's text by (key, language): few rows, read once per process until one
    changes (escalation.apps watches MessageTemplate)."""
    from escalation.models import MessageTemplate  # the models import the engine, not texts

    return {
        (key, language): text
        for key, language, text in MessageTemplate.objects.values_list("key", "language", "text")
    }


def handoff_text(
    language: str,
    *,
    agent_free: bool = True,
    position: int | None = None,
    seconds: float | None = None,
    introduce: bool = True,
) -> str:
    """The warm handoff, and what happens next: someone shortly when a qualified agent has a
    free slot, else the place in line and the estimated wait, else that everyone is busy."""
    if agent_free:
        tail = render("shortly", language)
    elif position is not None and seconds is not None:
        tail = render("queued", language, position=position, minutes=minutes_of(seconds))
    else:
        tail = render("nobody_free", language)
    return f"{render('handoff', language)} {tail}" if introduce else tail


def minutes_of(seconds: float) -> int:
    return max(1, round(seconds / 60))


def introduce_text(language: str, agent: str) -> str:
    return render("introduce", language, agent=agent)


def rephrase_text(language: str) -> str:
    return render("rephrase", language)


def fallback_text(language: str) -> str:
    """What the assistant says when it has no answer and no trigger may hand over."""
    return render("fallback", language)


def person_declined_text(language: str) -> str:
    return render("person_declined", language)
