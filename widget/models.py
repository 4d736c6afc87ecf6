"""The sites allowed to show the chat widget, and where each widget conversation came from."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models

from helpdesk.models import Conversation
from helpdesk.origins import DEFAULT_PORTS, origin_key


def new_site_key() -> str:
    return secrets.token_urlsafe(12)


def new_identity_secret() -> str:
    return secrets.token_urlsafe(32)


def origin_normalised(text: str) -> str | None:
    """ "https://Shop.example:443/" as "https://shop.example"; None for anything that is not
    exactly an origin (a path, a query, a user name, another scheme)."""
    key = origin_key(text)
    if key is None:
        return None
    parts = urlsplit(text.strip())
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    scheme, host, port = key
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if port == DEFAULT_PORTS[scheme] else f":{port}")


class WidgetSite(models.Model):
    """A site of the company's that may embed the chat: its pages' origins, and the secret its
    server signs a signed-in customer's identity with (docs/widget.md)."""

    name = models.CharField(max_length=100, help_text="Which site, for people: “Shop”, “Docs”.")
    key = models.CharField(
        max_length=32,
        unique=True,
        default=new_site_key,
        editable=False,
        help_text="Public: the snippet's data-site names this site.",
    )
    allowed_origins = models.TextField(
        help_text=(
            "One origin per line: scheme, host and port, as https://shop.example or "
            "http://localhost:8000. Only pages served from these may show the chat."
        )
    )
    identity_secret = models.CharField(
        max_length=64,
        default=new_identity_secret,
        editable=False,
        help_text="Keep it on the site's server: it signs who the signed-in customer is.",
    )
    active = models.BooleanField(default=True, help_text="Off: the widget shows nowhere.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "widget site"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        lines = [line.strip() for line in self.allowed_origins.splitlines() if line.strip()]
        wrong = [line for line in lines if origin_normalised(line) is None]
        if wrong:
            raise ValidationError(
                {"allowed_origins": f"Not an origin (scheme://host[:port]): {', '.join(wrong)}"}
            )
        if not lines:
            raise ValidationError({"allowed_origins": "Name at least one origin."})
        self.allowed_origins = "\n".join(self.origins)  # as the header will name them

    @property
    def origins(self) -> list[str]:
        found = (origin_normalised(line) for line in self.allowed_origins.splitlines())
        return list(dict.fromkeys(origin for origin in found if origin))

    def allowed(self, origin: str) -> str | None:
        """The origin, normalised, when pages served from it may show this site's widget."""
        normalised = origin_normalised(origin)
        return normalised if normalised is not None and normalised in self.origins else None


class WidgetConversation(models.Model):
    """A conversation started in the widget: on which site, and who the site said it was."""

    class Identity(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous: the site named nobody"
        VERIFIED = "verified", "Verified by the site's signature"
        REFUSED = "refused", "Refused: the signature did not match"

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="widget"
    )
    site = models.ForeignKey(WidgetSite, on_delete=models.CASCADE, related_name="conversations")
    host_origin = models.CharField(max_length=200)
    user_id = models.CharField(
        max_length=200, blank=True, help_text="The site's id for the customer, as the page gave it."
    )
    identity = models.CharField(max_length=16, choices=Identity.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.conversation.public_id} on {self.host_origin}"
