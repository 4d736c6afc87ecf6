"""The words the inbox's script shows, written once here and translated with gettext.

templates/agents/inbox.html renders them into the page with json_script, for
static/helpdesk/inbox.js (see helpdesk.pagetexts, which holds the chat's).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from helpdesk.pagetexts import connection_texts


def inbox_texts() -> dict[str, Any]:
    return {
        "connection": connection_texts(
            connected=gettext("Live"),
            refused=gettext("Signed out"),
            crowded=gettext(
                "The inbox is open in too many windows. Close some; this one reconnects."
            ),
        ),
        "sound_on": gettext("Sound on"),
        "sound_off": gettext("Sound off"),
        "new_escalation": gettext("New escalation"),
        "escalation_body": gettext("%(urgency)s urgency · %(trigger)s"),
        "reminder": gettext("Helpdesk reminder"),
        "offer": offer_texts(),
        # How long a customer has waited, ticking on the page.
        "waited": {
            "seconds": gettext("%(seconds)s s"),
            "minutes": gettext("%(minutes)s min %(seconds)s s"),
            "hours": gettext("%(hours)s h %(minutes)s min"),
        },
    }


def offer_texts() -> dict[str, str]:
    """The countdown of a conversation offered to the agent (the inbox and the summary page)."""
    return {
        "left": gettext("%(time)s left"),
        "over": gettext("Time is up"),
    }
