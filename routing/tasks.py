"""Thin Celery tasks around routing.services: each takes ids and is safe to run twice."""

from celery import shared_task

from agents.models import Agent
from routing import offers, services


@shared_task(name="routing.tasks.route_conversation", acks_late=True)
def route_conversation_task(conversation_id: int) -> int | None:
    outcome = services.conversation_route(conversation_id=conversation_id)
    return outcome.assigned.pk if outcome.assigned else None


@shared_task(name="routing.tasks.route_waiting", acks_late=True)
def route_waiting_task() -> int:
    return services.waiting_route()


@shared_task(name="routing.tasks.release_unaccepted", acks_late=True)
def release_unaccepted_task(agent_id: int, reason: str) -> list[int]:
    agent = Agent.objects.filter(pk=agent_id).first()
    return offers.agent_offers_release(agent=agent, reason=reason) if agent else []


@shared_task(name="routing.tasks.expire_offers", acks_late=True)
def expire_offers_task() -> int:
    return offers.offers_expire()
