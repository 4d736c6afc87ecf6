"""The widget's state changes: a site's secret rotated, a widget chat's customer chosen and
its origin recorded."""

from __future__ import annotations

import logging

from django.db import transaction

from helpdesk.models import Conversation, ConversationEvent, Customer
from helpdesk.services import customer_identify, event_record
from widget.identity import HostIdentity, identity_verified
from widget.models import WidgetConversation, WidgetSite, new_identity_secret

logger = logging.getLogger(__name__)

Identity = WidgetConversation.Identity


def widget_site_secret_rotate(*, site_id: int) -> WidgetSite:
    """A new identity secret: hashes made with the old one prove nothing from now on."""
    with transaction.atomic():
        site = WidgetSite.objects.select_for_update().get(pk=site_id)
        site.identity_secret = new_identity_secret()
        site.save(update_fields=["identity_secret"])
    return site


def widget_customer_choose(
    *,
    site: WidgetSite,
    identity: HostIdentity,
    name: str,
    language: str,
    returning_customer_id: int | None = None,
) -> tuple[Customer, str]:
    """The customer a new widget chat belongs to, and how sure we are who they are.

    Verified (the site's server signed the id and email): the profile with that email, made if
    new. Anyone else is a customer of their own with only the name they typed: a claimed email
    reads nothing from and writes nothing to a profile. The same browser's earlier anonymous
    customer carries on, never one with an email.
    """
    if identity_verified(identity, secret=site.identity_secret):
        return customer_identify(
            name=name, email=identity.email, language=language
        ), Identity.VERIFIED
    if identity.given:
        # Tells an integrator why their customers show as anonymous; never the hash itself.
        logger.warning("Widget site %s: an identity with a wrong hash was refused", site.key)
        return customer_identify(name=name, language=language), Identity.REFUSED
    returning = (
        Customer.objects.filter(pk=returning_customer_id, email="").first()
        if returning_customer_id is not None
        else None
    )
    return returning or customer_identify(name=name, language=language), Identity.ANONYMOUS


@transaction.atomic
def widget_conversation_record(
    *,
    conversation: Conversation,
    site: WidgetSite,
    host_origin: str,
    identity: HostIdentity,
    verdict: str,
) -> WidgetConversation:
    """Where the chat was opened; a verified customer's chat is marked proven, on the timeline."""
    record = WidgetConversation.objects.create(
        conversation=conversation,
        site=site,
        host_origin=host_origin,
        user_id=identity.user_id[:200],
        identity=verdict,
    )
    if verdict == Identity.VERIFIED:
        conversation.identity_verified = True
        conversation.save(update_fields=["identity_verified"])
        event_record(
            conversation=conversation,
            kind=ConversationEvent.Kind.IDENTITY_VERIFIED,
            actor_kind=ConversationEvent.ActorKind.SYSTEM,
            data={
                "email": identity.email.strip().lower(),
                "profile": conversation.customer_id,
                "via": f"widget site {site.name} ({host_origin})",
            },
        )
    return record
