import pytest
from django.contrib.auth.models import User
from django.test import Client

from agents.models import Agent
from agents.pagetexts import inbox_texts
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.models import Conversation, Customer
from helpdesk.pagetexts import chat_texts
from helpdesk.services import message_post
from tests.helpdesk.test_views import page_json


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.mark.django_db
def test_the_list_needs_a_login() -> None:
    response = Client().get("/agent/")
    assert response.status_code == 302
    assert response["Location"].startswith("/agent/login/?next=/agent/")


def test_a_user_without_an_agent_profile_is_told_so(db: None) -> None:
    client = Client()
    client.force_login(User.objects.create_user("visitor", password="pw"))
    response = client.get("/agent/")
    assert response.status_code == 403
    assert b"This page is for agents" in response.content


def test_signing_in_puts_the_agent_online_and_signing_out_offline(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(presence="offline")
    client = Client()
    response = client.post("/agent/login/", {"username": "dana", "password": "pw-dana"})
    assert response.status_code == 302
    assert response["Location"] == "/agent/"
    dana.refresh_from_db()
    assert dana.presence == "online"
    assert client.post("/agent/logout/")["Location"] == "/agent/login/"
    dana.refresh_from_db()
    assert dana.presence == "offline"
    assert client.get("/agent/").status_code == 302


def test_a_wrong_password_is_refused_and_changes_nothing(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(presence="offline")
    response = Client().post("/agent/login/", {"username": "dana", "password": "wrong"})
    assert response.status_code == 200
    assert b"did not match" in response.content
    dana.refresh_from_db()
    assert dana.presence == "offline"


def test_the_list_shows_open_conversations_only(
    dana: Agent, alice_conversation: Conversation, bob_conversation: Conversation
) -> None:
    Conversation.objects.filter(pk=bob_conversation.pk).update(status="resolved")
    page = signed_in(dana).get("/agent/?tab=all")
    assert page.status_code == 200
    assert list(page.context["conversations"]) == [alice_conversation]
    assert b"Alice Martin" in page.content
    assert b"Bob Stone" not in page.content


def test_the_htmx_refresh_returns_only_the_list(
    dana: Agent, alice_conversation: Conversation
) -> None:
    partial = signed_in(dana).get("/agent/?tab=all", HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="conversation-list"')
    assert '<nav class="topbar"' not in html
    assert "Alice Martin" in html


def test_the_list_runs_a_fixed_number_of_queries(
    dana: Agent, django_assert_max_num_queries
) -> None:
    client = signed_in(dana)
    for index in range(25):
        conversation = conversation_open(customer=Customer.objects.create(name=f"Customer {index}"))
        message_post(conversation_id=conversation.pk, author_kind="customer", body="hi")
    conversation_join(public_id=conversation.public_id, agent=dana)
    # The session, the user, the agent; the tabs' counts with the agent's workload, the
    # callbacks' count; the conversations offered to the agent; the rows.
    with django_assert_max_num_queries(7):
        response = client.get("/agent/?tab=all", HTTP_HX_REQUEST="true")
    assert response.content.count(b"<tr data-conversation") == 25


def test_join_leave_and_resolve_from_the_page(
    dana: Agent, alice_conversation: Conversation
) -> None:
    client = signed_in(dana)
    url = f"/agent/conversations/{alice_conversation.public_id}/"
    assert b"Join conversation" in client.get(url).content
    assert client.post(url + "join/").status_code == 302
    page = client.get(url)
    assert page.context["joined"] is True
    assert b'data-can-post="true"' in page.content
    client.post(url + "resolve/")
    alice_conversation.refresh_from_db()
    assert alice_conversation.status == "resolved"


def test_joining_a_taken_conversation_shows_who_has_it(
    dana: Agent, sam: Agent, alice_conversation: Conversation
) -> None:
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    client = signed_in(sam)
    response = client.post(
        f"/agent/conversations/{alice_conversation.public_id}/join/", follow=True
    )
    assert b"Another agent has already joined this conversation." in response.content
    assert b"Dana Whitfield is handling this conversation." in response.content


def test_actions_need_post_and_csrf(dana: Agent, alice_conversation: Conversation) -> None:
    url = f"/agent/conversations/{alice_conversation.public_id}/join/"
    assert signed_in(dana).get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(dana.user)
    assert strict.post(url).status_code == 403
    alice_conversation.refresh_from_db()
    assert alice_conversation.assigned_agent is None


def test_unknown_conversation_is_404(dana: Agent) -> None:
    client = signed_in(dana)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/agent/conversations/{missing}/").status_code == 404
    assert client.post(f"/agent/conversations/{missing}/join/").status_code == 404


def test_presence_is_set_from_the_page(dana: Agent) -> None:
    client = signed_in(dana)
    response = client.post("/agent/presence/", {"presence": "away"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'value="away" selected' in response.content
    dana.refresh_from_db()
    assert dana.presence == "away"
    assert client.post("/agent/presence/", {"presence": "gone"}).status_code == 400


def test_heartbeat_updates_last_seen(dana: Agent) -> None:
    assert signed_in(dana).post("/agent/heartbeat/").status_code == 204
    dana.refresh_from_db()
    assert dana.last_seen_at is not None


def test_customer_text_is_escaped_on_the_agent_page(
    dana: Agent, alice_conversation: Conversation
) -> None:
    Customer.objects.filter(pk=alice_conversation.customer_id).update(
        name="<b onmouseover=alert(1)>x</b>"
    )
    message_post(
        conversation_id=alice_conversation.pk,
        author_kind="customer",
        body="<script>steal()</script>",
    )
    client = signed_in(dana)
    for url in ["/agent/?tab=all", f"/agent/conversations/{alice_conversation.public_id}/"]:
        html = client.get(url).content.decode()
        assert "<b onmouseover" not in html
        assert "<script>steal()" not in html
        assert "&lt;b onmouseover=alert(1)&gt;" in html


@pytest.mark.django_db
def test_an_expired_session_sends_an_htmx_refresh_to_the_login_page() -> None:
    """Not a 302: htmx would follow it and swap the login form into the conversation list."""
    response = Client().get("/agent/?tab=waiting", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/agent/login/"


def test_a_supervisor_assigns_from_the_chat_page_and_over_capacity_only_when_ticked(
    dana: Agent, sam: Agent, alice_conversation: Conversation, supervisor_user: User
) -> None:
    supervisor = make_agent_for(supervisor_user)
    Agent.objects.filter(pk=sam.pk).update(max_concurrent=0)
    Conversation.objects.filter(pk=alice_conversation.pk).update(status="waiting")
    url = f"/agent/conversations/{alice_conversation.public_id}/"
    client = Client()
    client.force_login(supervisor_user)
    page = client.get(url).content.decode()
    assert "data-assign" in page
    assert "Sam Okafor · 0/0" in page
    refused = client.post(url + "assign/", {"agent": sam.pk}, follow=True)
    assert b"Sam Okafor already has 0 of 0." in refused.content
    alice_conversation.refresh_from_db()
    assert alice_conversation.assigned_agent is None
    client.post(url + "assign/", {"agent": sam.pk, "over_capacity": "on"})
    alice_conversation.refresh_from_db()
    assert alice_conversation.assigned_agent == sam
    event = alice_conversation.events.get(kind="routing.manual")
    assert (event.data["over_capacity"], event.data["by"]) == (True, supervisor.user_id)
    # Agents who are not supervisors see no menu and cannot post one.
    agent_client = signed_in(dana)
    assert "data-assign" not in agent_client.get(url).content.decode()
    assert agent_client.post(url + "assign/", {"agent": dana.pk}).status_code == 403


def make_agent_for(user: User) -> Agent:
    return Agent.objects.create(user=user, display_name="Morgan Supervisor", presence="online")


def test_the_inbox_and_chat_pages_give_their_scripts_the_words_to_show(
    dana: Agent, alice_conversation: Conversation
) -> None:
    """The scripts hold no English: each page carries its words as JSON; the inbox's alert is
    markup of the page's own, in a <template>; the chat's first status line uses the words the
    script uses once connected."""
    client = signed_in(dana)
    inbox = client.get("/agent/").content.decode()
    assert page_json(inbox, "inbox-texts") == inbox_texts()
    assert "<template data-inbox-alert-template>" in inbox
    assert '<script type="module" src="/static/helpdesk/inbox.js"></script>' in inbox
    partial = client.get("/agent/?tab=waiting", HTTP_HX_REQUEST="true").content.decode()
    assert "inbox-texts" not in partial  # the list alone, for htmx

    url = f"/agent/conversations/{alice_conversation.public_id}/"
    page = client.get(url).content.decode()
    assert page_json(page, "chat-texts") == chat_texts("agent")
    assert "data-chat-status>With the assistant</p>" in page
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    joined = client.get(url).content.decode()
    assert "data-chat-status>With an agent · Dana Whitfield</p>" in joined
