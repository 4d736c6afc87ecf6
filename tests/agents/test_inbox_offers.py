"""The inbox and the summary page show an agent's offers as theirs (time left, Accept, Pass),
count them apart from active conversations, and say why a row cannot be taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from agents.models import Agent
from helpdesk.flows import conversation_join, conversation_resolve
from helpdesk.models import Conversation
from routing.models import RoutingPolicy
from routing.services import conversation_assign_manually, conversation_route
from tests.support.factories import escalated_conversation as escalated
from tests.support.factories import make_agent

pytestmark = pytest.mark.usefixtures("knowledge_base")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def offer(conversation: Conversation, agent: Agent) -> None:
    assert conversation_route(conversation_id=conversation.pk).assigned == agent


def section(html: str, marker: str, end: str = "</table>") -> str:
    """The HTML from `marker` to the end of its table."""
    start = html.index(marker)
    return html[start : html.index(end, start)]


def row(html: str, conversation: Conversation) -> str:
    """The conversation's row."""
    return section(html, f'data-conversation="{conversation.public_id}"', "</tr>")


def test_an_offer_is_shown_apart_as_the_agents_with_its_time_left_accept_and_pass(
    dana: Agent,
) -> None:
    offered = escalated("Olga Offered")
    escalated("Quinn Queued")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        offer(offered, dana)
    timeout = RoutingPolicy.load().offer_timeout_seconds
    with time_machine.travel(now + timedelta(seconds=timeout - 42), tick=False):
        page = signed_in(dana.user).get("/agent/")
    html = page.content.decode()
    offers = section(html, "data-offers")
    assert "Offered to you" in offers
    assert "Olga Offered" in offers
    assert 'data-offer-left="42"' in offers
    assert "0:42 left" in offers
    assert f'action="/agent/conversations/{offered.public_id}/join/"' in offers
    assert f'action="/agent/conversations/{offered.public_id}/pass/"' in offers
    waiting = [c.customer.name for c in page.context["conversations"]]
    assert waiting == ["Quinn Queued"]  # the offer is not listed twice
    assert page.context["counts"] == {"waiting": 1, "mine": 0, "callbacks": 0, "all": 1}
    assert "<strong>0 active</strong>, 1 offered to you" in html
    assert "1 of 3 slots in use" in html


def test_accepted_conversations_are_active_and_mine_and_offers_are_not(dana: Agent) -> None:
    accepted, offered = escalated("Ada Accepted"), escalated("Olga Offered")
    conversation_join(public_id=accepted.public_id, agent=dana)
    offer(offered, dana)
    page = signed_in(dana.user).get("/agent/?tab=mine")
    assert [c.customer.name for c in page.context["conversations"]] == ["Ada Accepted"]
    assert page.context["counts"]["mine"] == 1
    workload = page.context["workload"]
    assert (workload.active, workload.offered, workload.used) == (1, 1, 2)
    assert "<strong>1 active</strong>, 1 offered to you" in page.content.decode()


def test_a_row_the_agent_cannot_take_says_why_and_its_button_returns_when_a_slot_frees(
    dana: Agent,
) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=2)
    accepted, offered, queued = (escalated(name) for name in ("Ada", "Olga", "Quinn"))
    conversation_join(public_id=accepted.public_id, agent=Agent.objects.get(pk=dana.pk))
    offer(offered, dana)
    client = signed_in(dana.user)
    full = row(client.get("/agent/").content.decode(), queued)
    assert "You&#x27;re at capacity (2 of 2, 1 offered to you)" in full
    assert "data-accept" not in full
    conversation_resolve(public_id=accepted.public_id, agent=dana)
    partial = client.get("/agent/", HTTP_HX_REQUEST="true").content.decode()  # the live refresh
    free = row(partial, queued)
    assert "data-accept" in free
    assert "at capacity" not in free


def test_rows_offered_or_assigned_to_someone_else_name_them(
    dana: Agent, sam: Agent, supervisor_user: User
) -> None:
    theirs, assigned = escalated("Theo"), escalated("Ashley")
    offer(theirs, dana)
    conversation_assign_manually(conversation=assigned, agent=dana, by=supervisor_user)
    html = signed_in(sam.user).get("/agent/").content.decode()
    assert "Offered to Dana Whitfield" in row(html, theirs)
    assert "Assigned to Dana Whitfield" in row(html, assigned)
    mine = section(signed_in(dana.user).get("/agent/").content.decode(), "data-offers")
    assert "/pass/" in row(mine, theirs)
    assert "Assigned to you by a supervisor" in row(mine, assigned)
    assert "/pass/" not in row(mine, assigned)  # joined, or reassigned by a supervisor


def test_passing_from_the_inbox_hands_it_on_and_says_so_escaped(dana: Agent, after_commit) -> None:
    bea = make_agent("bea", "Bea Backup", presence="online")
    Agent.objects.filter(pk=bea.pk).update(last_assigned_at=timezone.now())  # Dana ranks first
    conversation = escalated("<b>Eve</b>")
    offer(conversation, dana)
    client = signed_in(dana.user)
    with after_commit(execute=True):
        response = client.post(f"/agent/conversations/{conversation.public_id}/pass/")
    assert response["Location"] == "/agent/"
    conversation.refresh_from_db()
    assert conversation.assigned_agent == bea
    html = client.get("/agent/").content.decode()
    assert "You passed on &lt;b&gt;Eve&lt;/b&gt;" in html
    assert "<b>Eve</b>" not in html
    again = client.post(f"/agent/conversations/{conversation.public_id}/pass/", follow=True)
    assert "not offered to you any more" in again.content.decode()


def test_the_summary_of_an_offer_has_its_countdown_accept_and_pass(dana: Agent) -> None:
    offered, queued = escalated("Olga"), escalated("Quinn")
    offer(offered, dana)
    client = signed_in(dana.user)
    html = client.get(f"/agent/conversations/{offered.public_id}/summary/").content.decode()
    assert "data-offer-left=" in html
    assert "Accept and join" in html
    assert f'action="/agent/conversations/{offered.public_id}/pass/"' in html
    assert 'id="offer-texts"' in html
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    html = client.get(f"/agent/conversations/{queued.public_id}/summary/").content.decode()
    assert "You&#x27;re at capacity (1 of 1, 1 offered to you)" in html
    assert "Accept and join" not in html
    chat = client.get(f"/agent/conversations/{queued.public_id}/").content.decode()
    assert "You&#x27;re at capacity (1 of 1, 1 offered to you)" in chat
    assert "data-join" not in chat


def test_joining_at_capacity_from_the_page_is_refused_with_the_reason(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    offered, free = escalated("Olga"), escalated("Fred")
    offer(offered, dana)
    response = signed_in(dana.user).post(
        f"/agent/conversations/{free.public_id}/join/", follow=True
    )
    assert "You&#x27;re at capacity (1 of 1, 1 offered to you)" in response.content.decode()
    free.refresh_from_db()
    assert free.assigned_agent is None


@pytest.mark.parametrize("url", ["/agent/?tab=waiting", "/agent/?tab=mine"])
def test_the_inbox_runs_the_same_queries_for_1_or_20_offers(
    dana: Agent, url: str, django_assert_num_queries
) -> None:
    policy = RoutingPolicy.load()
    policy.offers_per_agent = 0  # as many offers as slots, so that there are many
    policy.save()
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=50)
    client = signed_in(dana.user)
    offer(escalated("Few"), dana)
    client.get(url)
    with django_assert_num_queries(7) as captured:  # warm: the same as with no offer at all
        client.get(url, HTTP_HX_REQUEST="true")
    for index in range(19):
        offer(escalated(f"Many {index}"), dana)
    with django_assert_num_queries(len(captured)):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.content.count(b"data-offer ") == 20
