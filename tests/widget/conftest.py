"""A widget site for a shop at https://shop.example, and the shop's signing of its customers."""

from __future__ import annotations

import pytest

from widget.identity import HostIdentity, user_hash
from widget.models import WidgetSite

SHOP = "https://shop.example"
OWN = "http://testserver"  # the test client's host: the frame's own origin


@pytest.fixture
def shop() -> WidgetSite:
    return WidgetSite.objects.create(
        name="Shop", allowed_origins=f"{SHOP}\nhttps://www.shop.example"
    )


def signed(site: WidgetSite, user_id: str, email: str) -> HostIdentity:
    """What the shop's server writes into the snippet for a signed-in customer."""
    digest = user_hash(secret=site.identity_secret, user_id=user_id, email=email)
    return HostIdentity(user_id=user_id, email=email, user_hash=digest)
