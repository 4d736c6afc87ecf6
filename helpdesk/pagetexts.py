"""The words the live chat's script shows, written once here and translated with gettext.

The chat's templates (helpdesk/chat.html for the customer, agents/conversation.html for the
agent) render them into the page with Django's json_script filter, and static/helpdesk/texts.js
reads them: the scripts hold no English of their own. Placeholders are Python's named ones,
"%(name)s", as gettext keeps them; the scripts fill them in the same way. The status line the
page is first rendered with comes from the same words (`chat_status_line`), so it matches what
the script writes once connected.

The customer's page speaks the conversation's language (`customer_chat_texts`): its words are
translated by the catalogues in locale/, and its greeting is the assistant's, a text supervisors
edit per language like the others (escalation.texts). When the conversation's language changes,
the page gets the same words in the new language over its socket and writes them in place
(`page` holds the ones the template renders, keyed as its data-text attributes name them).
The agent's page stays in English.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from escalation.texts import render
from helpdesk.models import Conversation

CUSTOMER = "customer"
AGENT = "agent"


def connection_texts(*, connected: str, refused: str, crowded: str) -> dict[str, str]:
    """The connection line of a page with a socket (static/helpdesk/socket.js): its states."""
    return {
        "connecting": gettext("Connecting…"),
        "reconnecting": gettext("Reconnecting…"),
        "open": connected,
        "forbidden": refused,  # closed with 4403: the script stops reconnecting
        "too_many": crowded,  # closed with 4429: the script tries again after 15 s
    }


def _customer_statuses() -> dict[str, str]:
    Status = Conversation.Status
    return {
        Status.ASSISTANT.value: gettext("Our assistant is here to help."),
        Status.WAITING.value: gettext("Waiting for a member of our team."),
        Status.WITH_AGENT.value: gettext("You are chatting with our team."),
        Status.CALLBACK.value: gettext("We will call you back at the time you chose."),
        Status.FOLLOW_UP.value: gettext("We will follow up by email."),
        Status.RESOLVED.value: gettext("This conversation is closed."),
    }


def _agent_statuses() -> dict[str, str]:
    """For agents, the statuses' own labels ("Waiting for an agent", ...), as everywhere else."""
    return {str(value): str(label) for value, label in Conversation.Status.choices}


def _contact_fields() -> dict[str, dict[str, str]]:
    """The field beside a button that needs a phone number, an email address or a comment."""
    return {
        "phone": {
            "label": gettext("Your phone number"),
            "placeholder": gettext("+44 20 7946 0958"),
        },
        "email": {
            "label": gettext("Your email address"),
            "placeholder": gettext("you@example.com"),
        },
        "text": {"label": gettext("Your comment"), "placeholder": ""},
    }


def chat_texts(viewer: str) -> dict[str, Any]:
    """Everything the chat's script may write on the `viewer`'s page ("customer" or "agent")."""
    customer = viewer == CUSTOMER
    if customer:
        refused = gettext("This chat link is no longer valid. Reload the page.")
    else:
        refused = gettext("You are signed out. Sign in again to follow this chat.")
    return {
        "connection": connection_texts(
            connected=gettext("Connected"),
            refused=refused,
            crowded=gettext(
                "This chat is open in too many windows. Close some; this one reconnects."
            ),
        ),
        "statuses": _customer_statuses() if customer else _agent_statuses(),
        "with_agent_named": (
            gettext("You are chatting with %(name)s.")
            if customer
            else gettext("With an agent · %(name)s")
        ),
        "you": gettext("You") if customer else "",  # the customer's own messages; agents' named
        "sending": gettext("sending…"),
        "not_sent": gettext("not sent: %(reason)s"),
        "too_long": gettext("this message is too long; please split it up."),
        "not_connected": gettext("Not connected; try again in a moment."),
        "typing": gettext("%(name)s is typing…"),
        "typing_customer": gettext("The customer"),
        "typing_someone": gettext("Someone"),
        "confirm_choice": gettext("%(label)s ✓"),
        "contact_fields": _contact_fields(),
        # The assistant's name above its messages (the agent's page names it in English).
        "assistant": gettext("Assistant") if customer else "",
        "page": _customer_page() if customer else {},
    }


def _customer_page() -> dict[str, str]:
    """The customer page's own words, which its template renders and its script rewrites when
    the conversation's language changes (templates/helpdesk/chat.html, data-text="<key>")."""
    return {
        "title": gettext("Chat with us"),
        "message_label": gettext("Your message"),
        "placeholder": gettext("Write a message…"),
        "send": gettext("Send"),
        "restart": gettext("Start a new conversation"),
    }


def customer_chat_texts(conversation: Conversation) -> dict[str, Any]:
    """Everything the customer's page writes, in the conversation's language, with the
    assistant's greeting at the top of a chat the assistant opens (none for one that went
    straight to people: the assistant never speaks there)."""
    with translation.override(conversation.language):
        texts = chat_texts(CUSTOMER)
    texts["language"] = conversation.language
    texts["greeting"] = render("greeting", conversation.language) if conversation.automated else ""
    return texts


def chat_status_line(texts: dict[str, Any], conversation: Conversation) -> str:
    """The status line as the script would write it for this conversation (ChatHeader.status)."""
    agent = conversation.assigned_agent
    if conversation.status == Conversation.Status.WITH_AGENT and agent is not None:
        return str(texts["with_agent_named"] % {"name": agent.display_name})
    statuses: dict[str, str] = texts["statuses"]
    return statuses.get(conversation.status, conversation.status)


def chat_page_context(viewer: str, conversation: Conversation) -> dict[str, Any]:
    """What both chat templates need for the script's words: the texts and the first status."""
    texts = customer_chat_texts(conversation) if viewer == CUSTOMER else chat_texts(viewer)
    return {"chat_texts": texts, "chat_status": chat_status_line(texts, conversation)}
