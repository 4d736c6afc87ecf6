"""The widget's reads."""

from __future__ import annotations

from helpdesk.chattoken import ChatToken
from widget.models import WidgetConversation, WidgetSite


def widget_conversation_held(*, token: ChatToken, site: WidgetSite) -> WidgetConversation | None:
    """The widget chat the browser's token names, only if it is this customer's, on this site."""
    return (
        WidgetConversation.objects.select_related(
            "conversation__customer", "conversation__assigned_agent"
        )
        .filter(
            conversation__public_id=token.conversation,
            conversation__customer_id=token.customer_id,
            site=site,
        )
        .first()
    )
