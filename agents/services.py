"""Agents' presence: online fills their free slots, away or silent hands their offers on.
(Joining, writing in, leaving and resolving a conversation are flows: helpdesk.flows.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from routing.offers import agent_offers_release_soon
from routing.services import waiting_route_soon


def agent_set_presence(*, agent: Agent, presence: str) -> Agent:
    """Online fills the agent's free slots from the queue at once; away or offline hands the
    conversations offered to them and not yet accepted to someone else."""
    if presence not in Agent.Presence.values:
        raise ValueError(f"Unknown presence {presence!r}")
    now = timezone.now()
    with transaction.atomic():
        Agent.objects.filter(pk=agent.pk).update(presence=presence, last_seen_at=now)
        agent.presence, agent.last_seen_at = presence, now
        if presence == Agent.Presence.ONLINE:
            waiting_route_soon()
        else:
            agent_offers_release_soon(agent.pk, f"agent went {presence}")
    return agent


def agent_heartbeat(*, agent: Agent) -> None:
    """The agent's page is open: keep their presence from being swept to offline."""
    now = timezone.now()
    Agent.objects.filter(pk=agent.pk).update(last_seen_at=now)
    agent.last_seen_at = now


def agent_page_closed(*, agent_id: int, now: datetime | None = None) -> None:
    """An agent's inbox page closed (the tab, the laptop lid, or a reload). Unless another of
    their pages says it is open within AGENT_PAGE_GRACE_SECONDS (every agent page sends a
    heartbeat more often than that; a reload's new socket sends one at once), the sweep takes
    them offline then, not after the two minutes a silent page is given: customers must not be
    told someone will join shortly by an agent who has left."""
    grace = settings.AGENT_PRESENCE_TIMEOUT - settings.AGENT_PAGE_GRACE_SECONDS
    due = (now or timezone.now()) - timedelta(seconds=grace)
    Agent.objects.filter(pk=agent_id, last_seen_at__gt=due).update(last_seen_at=due)


def presence_sweep(*, now: datetime | None = None) -> int:
    """Mark offline every agent whose inbox has stopped sending heartbeats. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.AGENT_PRESENCE_TIMEOUT)
    with transaction.atomic():
        silent = list(
            Agent.objects.select_for_update()
            .exclude(presence=Agent.Presence.OFFLINE)
            .filter(last_seen_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        Agent.objects.filter(pk__in=silent).update(presence=Agent.Presence.OFFLINE)
        for agent_id in silent:
            agent_offers_release_soon(agent_id, "no heartbeat")
    return len(silent)
