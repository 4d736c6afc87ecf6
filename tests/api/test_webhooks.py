"""Webhooks: supervisors register URLs; events are stored with the caller's transaction, signed,
posted after commit, retried with backoff until delivered, and never sent again once delivered.
The receiver is a real HTTP server on a local port (it stands for a system outside the project)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from agents.models import Agent
from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from api.tasks import deliver_webhook, sweep_webhooks
from helpdesk.flows import conversation_open, conversation_resolve
from helpdesk.models import Conversation, Customer
from helpdesk.signals import conversation_event
from tests.api.conftest import client_for_chat, client_for_user
from tests.support.factories import escalated_conversation


class Receiver:
    """Answers each POST with the next status in `statuses` (then 200) and keeps what came."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[dict[str, Any]] = []
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/helpdesk"
    yield state
    server.shutdown()
    thread.join()


@pytest.fixture
def conversation(db: None) -> Conversation:
    return escalated_conversation("Alice", email="alice@example.com")


def endpoint_for(receiver: Receiver, *events: str) -> WebhookEndpoint:
    return webhooks.endpoint_create(
        url=receiver.url, events=list(events) or ["conversation.escalated"]
    )


def emit(event: str, conversation: Conversation, after_commit: Any) -> None:
    """As a service would: inside its transaction; the delivery goes out on commit."""
    with after_commit(execute=True), transaction.atomic():
        webhooks.emit_on_commit(event, conversation)


# -- registering ------------------------------------------------------------------------------


def test_a_supervisor_registers_an_endpoint_and_sees_its_secret_once(supervisor: Agent) -> None:
    client = client_for_user(supervisor.user)
    created = client.post(
        "/api/webhooks/",
        {
            "url": "https://crm.example.com/hooks",
            "events": ["conversation.resolved", "conversation.escalated"],
            "description": "CRM",
        },
    )
    assert created.status_code == 201
    body = created.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret
    assert body["events"] == ["conversation.escalated", "conversation.resolved"]
    assert endpoint.created_by == supervisor.user
    shown = client.get(f"/api/webhooks/{endpoint.pk}/").json()
    assert "secret" not in shown
    assert "secret" not in client.get("/api/webhooks/").json()["results"][0]

    patched = client.patch(f"/api/webhooks/{endpoint.pk}/", {"active": False})
    assert (patched.status_code, patched.json()["active"]) == (200, False)
    assert patched.json()["events"] == body["events"]
    replaced = client.put(
        f"/api/webhooks/{endpoint.pk}/",
        {"url": "https://crm.example.com/v2", "events": ["conversation.assigned"]},
    )
    assert replaced.json()["events"] == ["conversation.assigned"]
    endpoint.refresh_from_db()
    assert endpoint.secret == body["secret"]  # editing never changes the secret
    assert client.delete(f"/api/webhooks/{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"url": "not a url", "events": ["conversation.resolved"]}, {"url"}),
        ({"url": "ftp://example.com/x", "events": ["conversation.resolved"]}, {"url"}),
        ({"url": "https://example.com/x", "events": ["conversation.deleted"]}, {"events"}),
        ({"url": "https://example.com/x", "events": []}, {"events"}),
        ({"url": "https://example.com/x"}, {"events"}),
        (
            {"url": "https://example.com/x", "events": ["conversation.resolved"], "secret": "mine"},
            {"secret"},
        ),
    ],
)
def test_a_bad_endpoint_is_refused_with_field_errors(
    supervisor: Agent, payload: dict[str, Any], fields: set[str]
) -> None:
    response = client_for_user(supervisor.user).post("/api/webhooks/", payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == fields
    assert not WebhookEndpoint.objects.exists()


def test_admin_registers_an_endpoint_and_shows_the_secret_once(supervisor_user: User) -> None:
    client = Client()
    client.force_login(supervisor_user)
    response = client.post(
        "/admin/api/webhookendpoint/add/",
        {
            "url": "https://crm.example.com/hooks",
            "events": ["conversation.assigned"],
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.events, endpoint.created_by) == (["conversation.assigned"], supervisor_user)
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    page = client.get(f"/admin/api/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in page.content.decode()
    assert client.get("/admin/api/webhookdelivery/").status_code == 200


# -- delivering -------------------------------------------------------------------------------


def test_an_event_is_posted_on_commit_signed_so_the_receiver_can_verify_it(
    receiver: Receiver, conversation: Conversation, after_commit: Any, supervisor: Agent
) -> None:
    created = client_for_user(supervisor.user).post(
        "/api/webhooks/", {"url": receiver.url, "events": ["conversation.escalated"]}
    )
    secret = created.json()["secret"]
    emit("conversation.escalated", conversation, after_commit)

    [request] = receiver.requests
    headers, raw = request["headers"], request["body"]
    stamp, signature = headers["X-Helpdesk-Timestamp"], headers["X-Helpdesk-Signature"]
    # The timestamp is signed with the body: neither can be swapped for another.
    signed = stamp.encode() + b"." + raw
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert webhooks.signature_valid(secret=secret, body=raw, header=signature, timestamp=stamp)
    assert not webhooks.signature_valid(secret="wrong", body=raw, header=signature, timestamp=stamp)
    assert not webhooks.signature_valid(
        secret=secret, body=raw, header=signature, timestamp=str(int(stamp) + 1)
    )
    # A captured request replayed later is refused, even with its own valid signature.
    later = int(stamp) + webhooks.REPLAY_WINDOW_SECONDS + 1
    assert not webhooks.signature_valid(
        secret=secret, body=raw, header=signature, timestamp=stamp, now=later
    )
    assert abs(int(stamp) - timezone.now().timestamp()) < 60
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(raw)
    assert payload["event"] == headers["X-Helpdesk-Event"] == "conversation.escalated"
    assert payload["id"] == headers["X-Helpdesk-Event-Id"]
    api_view = client_for_user(supervisor.user).get(f"/api/conversations/{conversation.public_id}/")
    assert payload["data"]["conversation"] == api_view.json()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_only_active_endpoints_that_want_the_event_get_a_delivery(
    receiver: Receiver, conversation: Conversation, after_commit: Any
) -> None:
    wants = endpoint_for(receiver, "conversation.resolved")
    endpoint_for(receiver, "conversation.assigned")
    paused = endpoint_for(receiver, "conversation.resolved")
    webhooks.endpoint_update(endpoint=paused, active=False)
    emit("conversation.resolved", conversation, after_commit)
    assert [row.endpoint for row in WebhookDelivery.objects.all()] == [wants]
    assert len(receiver.requests) == 1
    with pytest.raises(ValueError, match="Unknown webhook event"):
        webhooks.emit_on_commit("conversation.deleted", conversation)


def test_nothing_is_stored_or_sent_for_a_change_that_rolled_back(
    receiver: Receiver, conversation: Conversation, after_commit: Any
) -> None:
    endpoint_for(receiver)
    with after_commit(execute=True), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        webhooks.emit_on_commit("conversation.escalated", conversation)
        raise RuntimeError("the service failed after emitting")
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_a_500_is_retried_with_exponential_backoff_then_delivered_once(
    receiver: Receiver, conversation: Conversation, after_commit: Any
) -> None:
    endpoint_for(receiver)
    receiver.statuses = [500, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        emit("conversation.escalated", conversation, after_commit)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at == start + timedelta(seconds=30)

    with time_machine.travel(start + timedelta(seconds=29), tick=False):
        assert sweep_webhooks() == 0  # not due yet
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert sweep_webhooks() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (2, "HTTP 503")
    assert delivery.next_attempt_at == start + timedelta(seconds=30 + 60)  # doubled

    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        assert sweep_webhooks() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert delivery.next_attempt_at is None
    bodies = {request["body"] for request in receiver.requests}
    assert len(receiver.requests) == 3
    assert len(bodies) == 1  # the same event, byte for byte

    # Delivered is final: neither the task again, nor the sweep, nor time sends it twice.
    assert deliver_webhook(delivery.pk) == "skipped"
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert sweep_webhooks() == 0
        assert deliver_webhook(delivery.pk) == "skipped"
    assert len(receiver.requests) == 3


def test_it_gives_up_after_the_last_attempt_and_a_supervisor_can_send_it_again(
    receiver: Receiver, conversation: Conversation, after_commit: Any
) -> None:
    endpoint_for(receiver)
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        emit("conversation.escalated", conversation, after_commit)
    waits = []
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        delivery = WebhookDelivery.objects.get()
        assert delivery.next_attempt_at is not None
        waits.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
        with time_machine.travel(now, tick=False):
            sweep_webhooks()
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    with time_machine.travel(now + timedelta(days=1), tick=False):
        assert sweep_webhooks() == 0
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS

    with after_commit(execute=True):
        webhooks.delivery_retry(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS + 1


def test_a_worker_lost_mid_delivery_loses_nothing(
    receiver: Receiver, conversation: Conversation, after_commit: Any
) -> None:
    endpoint_for(receiver)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with transaction.atomic():  # stored, but its task message is lost with the worker
            webhooks.emit_on_commit("conversation.escalated", conversation)
        delivery = WebhookDelivery.objects.get()
        # A worker claims it, then dies before posting: its lease keeps others off for a while.
        assert webhooks.delivery_claim(delivery_id=delivery.pk, now=start) is not None
        assert sweep_webhooks() == 0
    lease_over = start + timedelta(seconds=webhooks.LEASE_SECONDS + 1)
    with time_machine.travel(lease_over, tick=False), after_commit(execute=True):
        assert sweep_webhooks() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_an_attempt_to_retry(
    conversation: Conversation, after_commit: Any
) -> None:
    webhooks.endpoint_create(url="http://127.0.0.1:9/nobody", events=["conversation.escalated"])
    emit("conversation.escalated", conversation, after_commit)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error.startswith("ConnectError")


def test_a_supervisor_reads_an_endpoints_deliveries(
    receiver: Receiver, conversation: Conversation, after_commit: Any, supervisor: Agent
) -> None:
    endpoint = endpoint_for(receiver, "conversation.escalated", "conversation.resolved")
    receiver.statuses = [500]
    emit("conversation.escalated", conversation, after_commit)
    emit("conversation.resolved", conversation, after_commit)
    client = client_for_user(supervisor.user)
    rows = client.get(f"/api/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert [(row["event"], row["status"]) for row in rows] == [
        ("conversation.resolved", "delivered"),
        ("conversation.escalated", "pending"),
    ]
    assert rows[1]["last_error"] == "HTTP 500"
    assert rows[1]["conversation"] == str(conversation.public_id)
    pending = client.get(f"/api/webhooks/{endpoint.pk}/deliveries/", {"status": "pending"})
    assert [row["event"] for row in pending.json()["results"]] == ["conversation.escalated"]
    assert client.get("/api/webhooks/999999/deliveries/").status_code == 404


# -- the core's events ------------------------------------------------------------------------


def test_escalated_assigned_and_resolved_reach_the_receiver_from_the_real_flow(
    receiver: Receiver, dana: Agent, after_commit: Any
) -> None:
    """No emit call here: the core's services announce each change (helpdesk.signals)."""
    endpoint_for(
        receiver, "conversation.escalated", "conversation.assigned", "conversation.resolved"
    )
    conversation = conversation_open(customer=Customer.objects.create(name="Alice"))
    with after_commit(execute=True):  # the escalation, then routing offers it to dana
        response = client_for_chat(conversation).post(
            f"/api/conversations/{conversation.public_id}/messages/",
            {"body": "I want to speak to a human"},
        )
    assert response.status_code == 201
    with after_commit(execute=True):
        conversation_resolve(public_id=conversation.public_id, agent=dana)
    events = [json.loads(request["body"]) for request in receiver.requests]
    assert [event["event"] for event in events] == [
        "conversation.escalated",
        "conversation.assigned",
        "conversation.resolved",
    ]
    assert [event["data"]["conversation"]["status"] for event in events] == [
        "waiting",
        "waiting",  # offered to dana, not yet accepted
        "resolved",
    ]
    assert events[1]["data"]["conversation"]["assigned_agent"]["display_name"] == "Dana Whitfield"
    assert WebhookDelivery.objects.filter(status="delivered").count() == 3


def test_a_webhook_failure_never_undoes_the_change_it_reports(
    receiver: Receiver, conversation: Conversation, after_commit: Any
) -> None:
    endpoint_for(receiver, "conversation.resolved")
    unsaved = Conversation(customer=conversation.customer)  # nothing to describe: emit fails
    with after_commit(execute=True), transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(status="resolved")
        conversation_event.send(
            sender=Conversation, event="conversation.resolved", conversation=unsaved
        )
        conversation_event.send(
            sender=Conversation, event="conversation.surveyed", conversation=conversation
        )
        assert Conversation.objects.filter(status="resolved").count() == 1  # still usable
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ],
)
def test_webhooks_to_this_network_are_refused(url: str, settings: Any, supervisor: Agent) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = client_for_user(supervisor.user).post(
        "/api/webhooks/", {"url": url, "events": ["conversation.resolved"]}, format="json"
    )
    assert response.status_code == 400
    assert "not a public address" in str(response.json()["error"]["fields"]["url"])


def test_a_name_that_resolves_to_this_network_is_refused_at_delivery(
    settings: Any, alice_conversation: Conversation
) -> None:
    """A name whose address changed since it was registered (here the machine's own name, which
    is neither `localhost` nor an address): only resolving it before the delivery shows where it
    leads now."""
    import socket

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    name = socket.gethostname()
    endpoint = WebhookEndpoint.objects.create(  # as stored when the name still led elsewhere
        url=f"http://{name}:9/hook",
        events=["conversation.resolved"],
        secret=webhooks.secret_generate(),
    )
    webhooks.emit_on_commit("conversation.resolved", alice_conversation)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    webhooks.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_error.startswith(f"{name} is not a public address (")
    assert delivery.status != WebhookDelivery.Status.DELIVERED
