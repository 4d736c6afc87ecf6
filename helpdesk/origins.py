"""Cross-site websocket hijacking: a socket opens only from this site's own pages.

A browser sends the page's Origin with every websocket handshake and carries the visitor's
cookies whatever the page. The handshake is accepted only when the Origin's scheme, host and
port are exactly those of the address the socket was opened on (the Host header, one of
ALLOWED_HOSTS; https for wss), or of one of settings.WEBSOCKET_ALLOWED_ORIGINS (by default CSRF_TRUSTED_ORIGINS: a proxy's
public address). A host alone is not enough: http://shop.example:8001 is another site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_key(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin such as "https://shop.example:8443", else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def own_origin(scope: dict[str, Any]) -> tuple[str, str, int] | None:
    """The origin of the address this socket was opened on, when it is one of ours."""
    host = _header(scope, b"host")
    if not host or not validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        return None
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return origin_key(f"{scheme}://{host}")


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = origin_key(_header(scope, b"origin"))
    if origin is None:  # none, "null" (a sandboxed page), "file://", malformed
        return False
    allowed = {own_origin(scope)} | {origin_key(url) for url in settings.WEBSOCKET_ALLOWED_ORIGINS}
    return origin in allowed


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin1"))
    return ""


class SameOriginValidator:
    """ASGI wrapper for the websocket routes: foreign origins are denied at the handshake."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
