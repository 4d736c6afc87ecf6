"""A Content-Security-Policy header on every response.

Django 5.2 has none of its own. Django 6.0 adds one, configured by SECURE_CSP and
SECURE_CSP_REPORT_ONLY (a directive -> its sources; True for a directive without sources): this
middleware reads the same two settings the same way, so the upgrade swaps it for
django.middleware.csp and keeps the settings. What it adds is the page's own websocket origin in
connect-src: 'self' covers ws:// and wss:// of the same host only since Chrome 71 and Safari 16,
and a customer on an older iPhone would otherwise get a chat that never connects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

Policy = Mapping[str, Sequence[str] | str | bool]


def build_policy(policy: Policy, *, socket_origin: str | None = None) -> str:
    """`{"script-src": ["'self'"], "upgrade-insecure-requests": True}` as the header's value."""
    directives = []
    for name, value in policy.items():
        if value is True:
            directives.append(name)
            continue
        if not value:
            continue
        sources = [value] if isinstance(value, str) else list(value)
        if name == "connect-src" and socket_origin and socket_origin not in sources:
            sources.append(socket_origin)
        directives.append(" ".join([name, *sources]))
    return "; ".join(directives)


def socket_origin(request: HttpRequest) -> str | None:
    """Where this page's chat and inbox sockets connect: its own host, ws or wss as the page."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the response is the refusal itself; 'self' is all it needs
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Sets the headers unless the view already did (as Django 6's middleware does)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        headers = {
            "Content-Security-Policy": settings.SECURE_CSP,
            "Content-Security-Policy-Report-Only": settings.SECURE_CSP_REPORT_ONLY,
        }
        for header, policy in headers.items():
            if policy and header not in response:
                response[header] = build_policy(policy, socket_origin=socket_origin(request))
        return response
