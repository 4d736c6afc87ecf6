"""Every response carries our Content-Security-Policy: every page of the route table, whatever
the answer (a page, a redirect, a refusal), the admin's lists, the API and its docs, static files
and a 404. tests/e2e/test_csp.py checks in Chromium that nothing on the pages breaks it."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client

from helpdesk.csp import ContentSecurityPolicyMiddleware, Policy, build_policy
from tests.security.routes import API_PAGES, PAGES, admin_pages
from tests.security.world import ROLES, World

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws://testserver; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
OTHER_RESPONSES = [
    "/api/docs/",
    "/api/docs/?script=",  # Swagger UI's start-up script, a file of its own
    "/api/schema/",
    "/api/conversations/",
    "/static/helpdesk/app.css",
    "/no-such-page/",
]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_carries_the_policy_whatever_the_answer(world: World, role: str) -> None:
    client = world.client(role)
    for page in [page for pages in [*PAGES.values(), *API_PAGES.values()] for page in pages]:
        data = {key: value.format(**world.ids) for key, value in (page.data or {}).items()}
        response = getattr(client, page.method)(page.url.format(**world.ids), data)
        assert response["Content-Security-Policy"] == POLICY, (page.url, response.status_code)
    for url in [*admin_pages(), "/admin/login/", *OTHER_RESPONSES]:
        response = client.get(url)
        assert response["Content-Security-Policy"] == POLICY, (url, response.status_code)


@pytest.mark.django_db
def test_a_page_served_over_https_lets_its_own_wss_socket_connect() -> None:
    response = Client().get("/chat/", secure=True)
    assert "connect-src 'self' wss://testserver;" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_refused_host_still_gets_the_policy_without_a_socket_origin() -> None:
    response = Client().get("/chat/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "connect-src 'self';" in response["Content-Security-Policy"]
    assert "evil.example" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_report_only_reports_the_same_policy_and_enforces_none(settings: Any) -> None:
    settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY = {}, settings.SECURE_CSP
    response = Client().get("/chat/")
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"] == POLICY


def test_a_policy_the_view_set_itself_is_left_alone(rf: Any) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    middleware = ContentSecurityPolicyMiddleware(view)
    request = rf.get("/")
    response = middleware.process_response(request, view(request))
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_directives_are_written_as_django_6_reads_them() -> None:
    policy: Policy = {
        "default-src": ["'self'"],
        "report-uri": "/csp-reports/",
        "upgrade-insecure-requests": True,
        "sandbox": False,
        "connect-src": ["'self'", "ws://a.example"],
    }
    assert build_policy(policy, socket_origin="ws://a.example") == (
        "default-src 'self'; report-uri /csp-reports/; upgrade-insecure-requests; "
        "connect-src 'self' ws://a.example"
    )
