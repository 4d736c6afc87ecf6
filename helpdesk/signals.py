"""Domain events other apps may react to, sent inside the transaction of the change they report
(a receiver that stores rows stores them atomically with it; one that talks to the outside world
must wait for the commit, as the REST API's webhooks do).

    conversation_event.send(sender=Conversation, event="conversation.escalated", conversation=c)

Events: conversation.escalated (the assistant handed over), conversation.assigned (routing or a
supervisor gave it to an agent, or an agent took a free one), conversation.resolved.
"""

from django.dispatch import Signal

conversation_event = Signal()
