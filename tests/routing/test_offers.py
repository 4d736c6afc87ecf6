"""Offers: one at a time per agent, each holding a slot; accepted, passed on, or run out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import Agent
from agents.services import agent_set_presence
from helpdesk.flows import conversation_join
from helpdesk.models import Conversation
from helpdesk.services import ChatError
from routing.models import RoutingPolicy
from routing.offers import offer_pass, offers_expire
from routing.selectors import waiting_queue
from routing.services import conversation_assign_manually, conversation_route, waiting_route
from tests.support.factories import escalated_conversation as escalate
from tests.support.factories import make_agent

pytestmark = pytest.mark.usefixtures("knowledge_base")


def fresh(conversation: Conversation) -> Conversation:
    conversation.refresh_from_db()
    return conversation


def offered_to(agent: Agent) -> list[str]:
    rows = Conversation.objects.filter(assigned_agent=agent, status="waiting").order_by("pk")
    return [row.customer.name for row in rows]


def accepted_by(agent: Agent) -> list[str]:
    rows = Conversation.objects.filter(assigned_agent=agent, status="with_agent").order_by("pk")
    return [row.customer.name for row in rows]


@pytest.fixture
def bea(db: None) -> Agent:
    """A second agent, assigned a moment ago: Dana ranks first when both are free."""
    agent = make_agent("bea", "Bea Backup", presence="online")
    Agent.objects.filter(pk=agent.pk).update(last_assigned_at=timezone.now())
    return agent


def test_an_agent_signing_in_to_a_queue_is_offered_one_conversation_not_three(
    dana: Agent, after_commit
) -> None:
    Agent.objects.filter(pk=dana.pk).update(presence="offline")
    for name in ("First", "Second", "Third"):
        escalate(name)
    with after_commit(execute=True):
        agent_set_presence(agent=dana, presence="online")
    assert offered_to(dana) == ["First"]
    assert waiting_queue().count() == 2
    second = Conversation.objects.get(customer__name="Second")
    explanation = conversation_route(conversation_id=second.pk).explanation  # asked again
    assert explanation["decision"] == (
        "queued: every qualified agent is at capacity or has an offer to answer first"
    )
    assert explanation["passed_over"][0]["why"] == "holds an offer not answered yet"


def test_accepting_an_offer_brings_the_next_until_capacity_is_full(
    dana: Agent, after_commit
) -> None:
    Agent.objects.filter(pk=dana.pk).update(presence="offline", max_concurrent=2)
    conversations = [escalate(name) for name in ("First", "Second", "Third")]
    with after_commit(execute=True):
        agent_set_presence(agent=dana, presence="online")
    with after_commit(execute=True):
        conversation_join(public_id=conversations[0].public_id, agent=dana)
    assert (accepted_by(dana), offered_to(dana)) == (["First"], ["Second"])
    with after_commit(execute=True):
        conversation_join(public_id=conversations[1].public_id, agent=dana)
    assert (accepted_by(dana), offered_to(dana)) == (["First", "Second"], [])
    assert fresh(conversations[2]).assigned_agent is None  # at capacity: it waits
    outcome = conversation_route(conversation_id=conversations[2].pk)
    assert outcome.explanation["decision"] == "queued: every qualified agent is at capacity"


def test_with_no_offer_limit_an_agent_is_offered_up_to_their_capacity(
    dana: Agent, after_commit
) -> None:
    policy = RoutingPolicy.load()
    policy.offers_per_agent = 0
    policy.save()
    Agent.objects.filter(pk=dana.pk).update(presence="offline")
    for name in ("First", "Second", "Third", "Fourth"):
        escalate(name)
    with after_commit(execute=True):
        agent_set_presence(agent=dana, presence="online")
    assert offered_to(dana) == ["First", "Second", "Third"]


def test_a_pass_goes_to_another_agent_and_the_passer_is_offered_the_next(
    dana: Agent, bea: Agent, after_commit
) -> None:
    first, second = escalate("First"), escalate("Second")
    assert conversation_route(conversation_id=first.pk).assigned == dana
    assert conversation_route(conversation_id=second.pk).assigned == bea
    third = escalate("Third")
    assert conversation_route(conversation_id=third.pk).assigned is None  # both hold an offer
    with after_commit(execute=True):
        conversation_join(public_id=second.public_id, agent=bea)  # Bea is free for offers again
    assert offered_to(bea) == ["Third"]
    with after_commit(execute=True):
        offer_pass(public_id=first.public_id, agent=dana)
    assert fresh(first).passed_by == [dana.pk]
    assert offered_to(dana) == []  # the one left in the queue is the one she passed on
    with after_commit(execute=True):
        conversation_join(public_id=third.public_id, agent=bea)
    assert offered_to(bea) == ["First"]  # Bea's offer answered: the passed one goes to her
    released = first.events.filter(kind="routing.released").latest("pk")
    assert released.data["reason"] == "passed by the agent"


def test_after_a_pass_the_passer_gets_the_next_in_the_queue(dana: Agent, after_commit) -> None:
    Agent.objects.filter(pk=dana.pk).update(presence="offline")
    first = escalate("First")
    escalate("Second")
    with after_commit(execute=True):
        agent_set_presence(agent=dana, presence="online")
    with after_commit(execute=True):
        offer_pass(public_id=first.public_id, agent=dana)
    assert offered_to(dana) == ["Second"]
    assert fresh(first).assigned_agent is None
    assert list(waiting_queue()) == [first]


def test_a_passed_conversation_is_never_offered_back_but_can_still_be_taken(
    dana: Agent, after_commit
) -> None:
    conversation = escalate("Passed")
    assert conversation_route(conversation_id=conversation.pk).assigned == dana
    with after_commit(execute=True):
        offer_pass(public_id=conversation.public_id, agent=dana)
    assert waiting_route() == 0  # the sweep too: nobody else qualifies, and Dana passed
    assert fresh(conversation).assigned_agent is None
    conversation_join(public_id=conversation.public_id, agent=dana)  # from the queue, herself
    assert fresh(conversation).status == "with_agent"


def test_an_offer_that_ran_out_comes_back_when_nobody_else_qualifies(dana: Agent) -> None:
    """Unlike a pass: she may have stepped away for a moment, and nobody else can help."""
    conversation = escalate("Slow")
    assert conversation_route(conversation_id=conversation.pk).assigned == dana
    later = timezone.now() + timedelta(seconds=RoutingPolicy.load().offer_timeout_seconds + 1)
    assert offers_expire(now=later) == 1
    assert fresh(conversation).assigned_agent == dana
    assert fresh(conversation).declined_by == [dana.pk]


def test_only_an_offer_to_you_can_be_passed_on(dana: Agent, sam: Agent, supervisor_user) -> None:
    conversation = escalate("Offered")
    assert conversation_route(conversation_id=conversation.pk).assigned == dana
    with pytest.raises(ChatError) as refused:
        offer_pass(public_id=conversation.public_id, agent=sam)
    assert refused.value.code == "not_offered"
    conversation_join(public_id=conversation.public_id, agent=dana)
    with pytest.raises(ChatError) as refused:
        offer_pass(public_id=conversation.public_id, agent=dana)  # accepted: she leaves instead
    assert refused.value.code == "not_offered"
    assigned = escalate("Assigned")
    conversation_assign_manually(conversation=assigned, agent=sam, by=supervisor_user)
    with pytest.raises(ChatError) as refused:
        offer_pass(public_id=assigned.public_id, agent=sam)
    assert refused.value.code == "assigned_by_supervisor"
    assert fresh(assigned).assigned_agent == sam


def test_an_offer_holds_a_slot_so_a_free_one_is_refused_but_the_offer_is_not(
    dana: Agent,
) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=2)
    dana.refresh_from_db()
    active, offer, free = escalate("Active"), escalate("Offer"), escalate("Free")
    conversation_join(public_id=active.public_id, agent=dana)
    assert conversation_route(conversation_id=offer.pk).assigned == dana
    with pytest.raises(ChatError) as refused:
        conversation_join(public_id=free.public_id, agent=dana)
    assert refused.value.code == "over_capacity"
    assert refused.value.message == (
        "You're at capacity (2 of 2, 1 offered to you): "
        "finish a conversation or pass on an offer first."
    )
    assert fresh(free).assigned_agent is None
    conversation_join(public_id=offer.public_id, agent=dana)  # its slot was held for it
    assert accepted_by(dana) == ["Active", "Offer"]
