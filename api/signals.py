"""The REST API listens to the core's domain events (helpdesk.signals) to feed the webhooks.

The receiver runs inside the transaction of the change it reports, so the delivery rows commit
(or roll back) with it; the posts themselves wait for the commit (api.webhooks.emit_on_commit).
Webhooks are optional: a failure here costs the event its deliveries, never the change itself.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from api.webhooks import EVENTS, active_endpoints, emit_on_commit
from helpdesk.models import Conversation
from helpdesk.signals import conversation_event

logger = logging.getLogger(__name__)


def conversation_event_received(
    sender: Any, *, event: str, conversation: Conversation, **kwargs: Any
) -> None:
    if event not in EVENTS:
        return  # an event no webhook can subscribe to
    if not any(endpoint.wants(event) for endpoint in active_endpoints()):
        return  # nobody listens: no savepoint, no query
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the caller's work intact
            emit_on_commit(event, conversation)
    except Exception:
        logger.exception("Webhooks for %s of conversation %s not stored", event, conversation.pk)


def connect() -> None:
    conversation_event.connect(conversation_event_received, dispatch_uid="api.webhooks")
