"""The escalation inbox, the handoff summary page, and the handoff API."""

from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.models import Agent
from agents.services import agent_heartbeat, presence_sweep
from helpdesk.asgi import application
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.factories import customer_writes, make_agent
from tests.support.factories import escalated_conversation as escalated
from tests.support.wsclient import ORIGIN, assert_refused, session_cookie, shared_sync_thread_busy

pytestmark = pytest.mark.usefixtures("knowledge_base")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def waiting_for(conversation: Conversation, minutes: int, urgency: str) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(
        escalated_at=timezone.now() - timedelta(minutes=minutes), urgency=urgency
    )


def test_waiting_conversations_come_most_urgent_first_then_longest_waiting(dana: Agent) -> None:
    calm_old = escalated("Calm Old")
    calm_new = escalated("Calm New")
    urgent = escalated("Urgent")
    low = escalated("Low Long")
    waiting_for(calm_old, 30, "normal")
    waiting_for(calm_new, 2, "normal")
    waiting_for(urgent, 1, "critical")
    waiting_for(low, 90, "low")
    conversation_open(customer=Customer.objects.create(name="Still With Assistant"))

    page = signed_in(dana.user).get("/agent/")
    names = [c.customer.name for c in page.context["conversations"]]
    assert names == ["Urgent", "Calm Old", "Calm New", "Low Long"]
    assert page.context["counts"] == {"waiting": 4, "mine": 0, "callbacks": 0, "all": 5}
    html = page.content.decode()
    assert "Asked for a person" in html  # the trigger, in words
    assert 'data-waiting-since="' in html  # the live waiting time


def test_mine_and_all_tabs(dana: Agent, sam: Agent) -> None:
    mine = escalated("Mine")
    theirs = escalated("Theirs")
    escalated("Nobody Yet")
    conversation_join(public_id=mine.public_id, agent=dana)
    conversation_join(public_id=theirs.public_id, agent=sam)
    client = signed_in(dana.user)
    assert [c.customer.name for c in client.get("/agent/?tab=mine").context["conversations"]] == [
        "Mine"
    ]
    everything = client.get("/agent/?tab=all").context["conversations"]
    assert everything[0].customer.name == "Nobody Yet"  # waiting ones first
    assert {c.customer.name for c in everything} == {"Mine", "Theirs", "Nobody Yet"}
    assert client.get("/agent/?tab=bogus").context["tab"] == "waiting"


def test_accepting_from_the_inbox_joins_and_opens_the_chat(dana: Agent) -> None:
    conversation = escalated("Alice")
    client = signed_in(dana.user)
    inbox = client.get("/agent/").content.decode()
    assert f'action="/agent/conversations/{conversation.public_id}/join/"' in inbox
    response = client.post(f"/agent/conversations/{conversation.public_id}/join/")
    assert response["Location"] == f"/agent/conversations/{conversation.public_id}/"
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assigned_agent) == ("with_agent", dana)


@pytest.mark.parametrize("url", ["/agent/?tab=waiting", "/agent/?tab=all", "/agent/?tab=mine"])
def test_the_inbox_runs_the_same_queries_for_3_or_30_conversations(
    dana: Agent, url: str, django_assert_num_queries
) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=50)  # room for every join below
    client = signed_in(dana.user)
    for index in range(3):
        conversation_join(public_id=escalated(f"Few {index}").public_id, agent=dana)
    few = queries_of(client, url)
    for index in range(27):
        conversation = escalated(f"Many {index}")
        if index % 2:
            conversation_join(public_id=conversation.public_id, agent=dana)
    with django_assert_num_queries(few):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.content.count(b"<tr data-conversation") >= 14


def test_the_summary_page_puts_the_essentials_first_and_escapes_customer_text(
    dana: Agent,
) -> None:
    conversation = escalated(
        "<b>Eve</b>",
        "<script>alert(1)</script> I want a refund. Please call me tomorrow, I want a human",
        tier="vip",
    )
    page = signed_in(dana.user).get(f"/agent/conversations/{conversation.public_id}/summary/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<b>Eve</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    summary = html[html.index("data-summary") : html.index("data-trigger")]
    assert summary.count("<li>") == 3
    assert "Asked for a person" in html[html.index("data-trigger") :]
    requests = html[html.index("data-requests") :]
    assert "<mark>" in requests
    assert "callback" in requests
    assert "refund" in requests
    assert "VIP" in html
    # The transcript is not on the page until the agent opens it.
    assert "data-transcript>" not in html
    assert 'hx-trigger="toggle once"' in html


def queries_of(client: Client, url: str) -> int:
    """How many queries a warm GET of url runs (the first GET fills per-process caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def test_the_transcript_loads_on_demand_with_a_fixed_query_count(
    dana: Agent, django_assert_num_queries
) -> None:
    conversation = escalated("Alice")
    client = signed_in(dana.user)
    url = f"/agent/conversations/{conversation.public_id}/summary/transcript/"
    short = queries_of(client, url)
    for index in range(40):
        customer_writes(conversation, f"line {index}")
    with django_assert_num_queries(short):
        response = client.get(url)
    assert response.content.count(b'<li class="line') == conversation.messages.count()
    assert b"line 39" in response.content


@pytest.mark.parametrize("page", ["summary/", "", "api"])
def test_the_summary_chat_page_and_api_queries_do_not_grow_with_the_conversation(
    dana: Agent, page: str, django_assert_num_queries, after_commit
) -> None:
    conversation = escalated("Alice")
    client = signed_in(dana.user)
    url = (
        f"/api/conversations/{conversation.public_id}/handoff/"
        if page == "api"
        else f"/agent/conversations/{conversation.public_id}/{page}"
    )
    before = queries_of(client, url)
    for index in range(30):
        with after_commit(execute=True):  # each adds a package version
            customer_writes(conversation, f"more {index}")
    assert conversation.handoffs.count() == 31
    with django_assert_num_queries(before):
        response = client.get(url)
    assert response.status_code == 200
    assert b"more 29" in response.content or page == "summary/"


def test_the_chat_page_shows_the_handoff_beside_the_conversation(dana: Agent) -> None:
    conversation = escalated("Alice", "I want a refund, get me a human")
    page = signed_in(dana.user).get(f"/agent/conversations/{conversation.public_id}/")
    html = page.content.decode()
    assert "data-handoff" in html
    assert "data-chat" in html
    assert html.index("data-chat") < html.index("data-handoff")


def test_the_handoff_api_serves_agents_only(dana: Agent) -> None:
    conversation = escalated("Alice", "I want a refund. Please get me a person")
    url = f"/api/conversations/{conversation.public_id}/handoff/"
    response = signed_in(dana.user).get(url)
    assert response.status_code == 200
    body = response.json()
    package = conversation.handoffs.get()
    assert body["version"] == package.version
    assert {key: body[key] for key in package.data} == package.data

    assert Client().get(url).status_code == 401
    visitor = User.objects.create_user("visitor", password="pw")
    forbidden = signed_in(visitor).get(url)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"
    missing = signed_in(dana.user).get(
        "/api/conversations/00000000-0000-0000-0000-000000000000/handoff/"
    )
    assert missing.status_code == 404
    never_escalated = conversation_open(customer=Customer.objects.create(name="Calm"))
    assert (
        signed_in(dana.user)
        .get(f"/api/conversations/{never_escalated.public_id}/handoff/")
        .status_code
        == 404
    )
    assert signed_in(dana.user).post(url).status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_the_inbox_socket_announces_a_new_escalation_to_agents_only() -> None:
    dana = await database_sync_to_async(make_agent)("dana", "Dana Whitfield")
    cookie = await database_sync_to_async(session_cookie)(dana.user)
    inbox = WebsocketCommunicator(
        application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await inbox.connect()
    assert connected
    await inbox.send_json_to({"type": "ping"})
    assert await inbox.receive_json_from() == {"type": "pong"}

    conversation = await database_sync_to_async(escalated)("Alice")
    event = await inbox.receive_json_from(timeout=5)
    assert event == {
        "type": "inbox.escalated",
        "conversation": str(conversation.public_id),
        "urgency": "normal",
        "trigger": "explicit_request",
    }
    await database_sync_to_async(conversation_join)(public_id=conversation.public_id, agent=dana)
    changed = await inbox.receive_json_from(timeout=5)
    assert (changed["type"], changed["kind"]) == ("inbox.changed", "agent.joined")
    await inbox.disconnect()

    await assert_refused(WebsocketCommunicator(application, "/ws/agent/inbox/", headers=[ORIGIN]))
    visitor = await database_sync_to_async(User.objects.create_user)("visitor", password="pw")
    visitor_cookie = await database_sync_to_async(session_cookie)(visitor)
    await assert_refused(
        WebsocketCommunicator(
            application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", visitor_cookie)]
        )
    )


@pytest.mark.django_db(transaction=True)
async def test_the_inbox_answers_while_the_shared_sync_thread_is_busy() -> None:
    dana = await database_sync_to_async(make_agent)("dana", "Dana Whitfield")
    cookie = await database_sync_to_async(session_cookie)(dana.user)
    inbox = WebsocketCommunicator(
        application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await inbox.connect()
    assert connected
    async with shared_sync_thread_busy() as busy:
        await inbox.send_json_to({"type": "ping"})
        assert await inbox.receive_json_from(timeout=2) == {"type": "pong"}
        assert not busy.done()
    await inbox.disconnect()


async def _inbox_opened_and_closed(agent: Agent) -> None:
    cookie = await database_sync_to_async(session_cookie)(agent.user)
    inbox = WebsocketCommunicator(
        application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await inbox.connect()
    assert connected
    await inbox.disconnect()


def _online(agent: Agent) -> bool:
    return Agent.objects.get(pk=agent.pk).presence == Agent.Presence.ONLINE


@pytest.mark.django_db(transaction=True)
async def test_an_agent_whose_last_page_closed_is_offline_within_thirty_seconds() -> None:
    dana = await database_sync_to_async(make_agent)("dana", "Dana", presence="online")
    await _inbox_opened_and_closed(dana)
    closed = timezone.now()
    assert await database_sync_to_async(presence_sweep)(now=closed + timedelta(seconds=5)) == 0
    assert await database_sync_to_async(_online)(dana)  # a reload's grace
    swept = await database_sync_to_async(presence_sweep)(now=closed + timedelta(seconds=16))
    assert swept == 1
    assert not await database_sync_to_async(_online)(dana)


@pytest.mark.django_db(transaction=True)
async def test_an_agent_with_another_page_still_open_stays_online() -> None:
    dana = await database_sync_to_async(make_agent)("dana", "Dana", presence="online")
    await _inbox_opened_and_closed(dana)
    later = timezone.now() + timedelta(seconds=10)
    with time_machine.travel(later, tick=False):  # the other tab's heartbeat, 10 s on
        await database_sync_to_async(agent_heartbeat)(agent=dana)
    assert await database_sync_to_async(presence_sweep)(now=later + timedelta(seconds=16)) == 0
    assert await database_sync_to_async(_online)(dana)


@pytest.mark.django_db
def test_the_trigger_is_named_once_when_the_reason_says_the_same(dana: Agent) -> None:
    conversation = escalated("Frank", "I want to speak to a human")
    page = signed_in(dana.user).get(f"/agent/conversations/{conversation.public_id}/summary/")
    box = page.content.decode().split("data-trigger", 1)[1].split("</div>", 1)[0]
    assert box.count("Asked for a person") == 1
    assert 'title="Rule: asks_for_person"' in box  # the rule's code only on hover
