"""The OpenAPI schema and its docs: open to everyone, valid, served without any CDN, and the API
conforms to it (schemathesis, in-process through WSGI, as a supervisor with a token)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from agents.models import Agent
from api import webhooks
from api.services import token_issue
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.models import Customer
from tests.api.conftest import scheduled_callback
from tests.support.factories import escalated_conversation


def test_the_schema_and_the_docs_are_open_to_anyone() -> None:
    client = Client()
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/conversations/{public_id}/messages/" in paths
    assert "/api/conversations/{public_id}/handoff/" in paths
    junk = Client(HTTP_AUTHORIZATION="Token not-a-token").get("/api/schema/")
    assert junk.status_code == 200  # a stale header does not lock anyone out of the docs


@pytest.mark.django_db  # closing a streamed file response tidies up connections
def test_the_docs_load_swagger_ui_from_this_server_only() -> None:
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html.replace("://localhost", ""))
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("swagger-ui-bundle.js" in asset for asset in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        b"".join(served.streaming_content)  # type: ignore[attr-defined]
        served.close()


def test_the_schema_generates_without_a_warning(tmp_path: Path) -> None:
    # --fail-on-warn: an unresolvable type, a name collision or a bad enum fails the suite.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


# -- schemathesis ---------------------------------------------------------------------------------


# Loaded once, at collection, from the WSGI application (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(max_examples=6, deterministic=True, database="none")


@pytest.fixture
def wsgi_keeps_the_connection() -> Iterator[None]:
    """As Django's test client does: a request through the WSGI handler must not close the
    database connection, which holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def supervisor_token(supervisor: Agent) -> str:
    """A supervisor (with an agent profile) and something to find: a waiting conversation with
    its handoff package, a plain one, a callback, a webhook."""
    escalated_conversation("Alice", email="alice@example.com")
    conversation_open(customer=Customer.objects.create(name="Bob"))
    scheduled_callback(conversation_open(customer=Customer.objects.create(name="Cy")))
    webhooks.endpoint_create(url="http://127.0.0.1:9/hook", events=["conversation.resolved"])
    return token_issue(user=supervisor.user).key


@schema.parametrize()
@pytest.mark.usefixtures("wsgi_keeps_the_connection")
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_conforms_to_its_schema(case: Any, supervisor_token: str) -> None:
    response = case.call(headers={"Authorization": f"Token {supervisor_token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.usefixtures("wsgi_keeps_the_connection", "knowledge_base")
def test_real_objects_and_their_changes_conform_to_the_schema(supervisor: Agent) -> None:
    """Generated ids rarely exist: here every operation runs on real objects, and every success
    is checked against the schema (a customer's answered message included)."""
    auth = {"Authorization": f"Token {token_issue(user=supervisor.user).key}"}
    joined = escalated_conversation("Alice", email="alice@example.com")
    conversation_join(public_id=joined.public_id, agent=supervisor)
    escalated_conversation("Queued")
    callback = scheduled_callback(conversation_open(customer=Customer.objects.create(name="Cy")))
    endpoint = webhooks.endpoint_create(
        url="http://127.0.0.1:9/h", events=["conversation.resolved"]
    )
    conversation = str(joined.public_id)

    def run(
        method: str, path: str, status: int, headers: dict[str, str] = auth, **case: Any
    ) -> Any:
        made = schema[path][method].Case(**case)
        response = made.call(headers=headers)
        assert response.status_code == status, (method, path, response.text[:300])
        made.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        return response.json() if response.text else None

    created = run("POST", "/api/conversations/", 201, body={"customer": joined.customer_id})
    chat = {"Authorization": f"Chat {created['chat_token']}"}
    answered = run(
        "POST",
        "/api/conversations/{public_id}/messages/",
        201,
        chat,
        path_parameters={"public_id": created["id"]},
        body={"body": "How do I return an item?", "client_id": "r1"},
    )
    assert answered["replies"]
    run(
        "GET",
        "/api/conversations/{public_id}/",
        200,
        chat,
        path_parameters={"public_id": created["id"]},
    )
    for method, path, status, params, body in [
        ("GET", "/api/customers/{id}/", 200, {"id": joined.customer_id}, None),
        ("GET", "/api/conversations/{public_id}/", 200, {"public_id": conversation}, None),
        ("GET", "/api/conversations/{public_id}/messages/", 200, {"public_id": conversation}, None),
        (
            "POST",
            "/api/conversations/{public_id}/messages/",
            201,
            {"public_id": conversation},
            {"body": "Hi"},
        ),
        ("GET", "/api/conversations/{public_id}/handoff/", 200, {"public_id": conversation}, None),
        ("GET", "/api/escalations/{id}/", 200, {"id": joined.escalations.get().pk}, None),
        ("GET", "/api/agents/{id}/", 200, {"id": supervisor.pk}, None),
        ("PUT", "/api/agents/{id}/presence/", 200, {"id": supervisor.pk}, {"presence": "away"}),
        ("PUT", "/api/agents/me/presence/", 200, {}, {"presence": "online"}),
        ("GET", "/api/queue/", 200, {}, None),
        ("GET", "/api/callbacks/{id}/", 200, {"id": callback.pk}, None),
        ("POST", "/api/callbacks/{id}/take/", 200, {"id": callback.pk}, None),
        ("POST", "/api/callbacks/{id}/done/", 200, {"id": callback.pk}, None),
        (
            "POST",
            "/api/webhooks/",
            201,
            {},
            {"url": "https://example.com/h", "events": ["conversation.assigned"]},
        ),
        ("GET", "/api/webhooks/{id}/", 200, {"id": endpoint.pk}, None),
        ("PATCH", "/api/webhooks/{id}/", 200, {"id": endpoint.pk}, {"description": "CRM"}),
        (
            "PUT",
            "/api/webhooks/{id}/",
            200,
            {"id": endpoint.pk},
            {"url": "https://e.com/h", "events": ["conversation.resolved"]},
        ),
        ("GET", "/api/webhooks/{id}/deliveries/", 200, {"id": endpoint.pk}, None),
        ("DELETE", "/api/webhooks/{id}/", 204, {"id": endpoint.pk}, None),
    ]:
        if body is None:
            run(method, path, status, path_parameters=params)
        else:
            run(method, path, status, path_parameters=params, body=body)
