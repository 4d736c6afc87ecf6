"""Where webhooks may go: the outside world, never this network's own services."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class PrivateHostError(ValueError):
    pass


def refuse_private_host(url: str, *, resolve: bool) -> None:
    """Webhooks go to the outside world, never to this network's own services (a supervisor's
    URL must not become a way in): loopback, private, link-local and reserved addresses are
    refused, literally at registration and as resolved before each delivery, unless
    WEBHOOK_ALLOW_PRIVATE_HOSTS is set (a receiver on the same network, tests)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        raise PrivateHostError(f"{host} is not a public address")
    addresses = [host]
    if resolve:
        try:
            addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
        except OSError:
            return  # unknown name: the POST itself will fail and be retried
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            continue  # a name, at registration: checked again when resolved
        if not ip.is_global:
            raise PrivateHostError(f"{host} is not a public address ({ip})")
