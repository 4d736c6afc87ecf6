"""Supervisors list a site's origins, copy its snippet and rotate its secret in admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from tests.widget.conftest import signed
from widget.identity import identity_verified
from widget.models import WidgetSite


@pytest.fixture
def supervisor(supervisor_user: User) -> Client:
    client = Client()
    client.force_login(supervisor_user)
    return client


def test_origins_are_checked_and_written_as_browsers_send_them(db: None) -> None:
    site = WidgetSite(
        name="Shop",
        allowed_origins="  HTTPS://Shop.Example:443/ \n\nhttp://localhost:8000\nhttps://shop.example",
    )
    site.full_clean()
    assert site.allowed_origins == "https://shop.example\nhttp://localhost:8000"
    assert site.allowed("https://shop.example") == "https://shop.example"
    assert site.allowed("https://shop.example:8443") is None


@pytest.mark.parametrize(
    "origins",
    [
        "",
        "shop.example",
        "https://shop.example/basket",
        "ftp://shop.example",
        "https://a@shop.example",
    ],
)
def test_anything_but_an_origin_is_refused(db: None, origins: str) -> None:
    with pytest.raises(ValidationError):
        WidgetSite(name="Shop", allowed_origins=origins).full_clean()


def test_a_site_added_in_admin_shows_its_snippet_and_secret(supervisor: Client) -> None:
    response = supervisor.post(
        "/admin/widget/widgetsite/add/",
        {"name": "Shop", "allowed_origins": "https://shop.example", "active": "on"},
    )
    assert response.status_code == 302
    site = WidgetSite.objects.get()
    page = supervisor.get(f"/admin/widget/widgetsite/{site.pk}/change/").content.decode()
    assert (
        f"&lt;script src=&quot;http://127.0.0.1:8000/static/helpdesk/widget/widget.js&quot; "
        f"data-site=&quot;{site.key}&quot; async&gt;&lt;/script&gt;"
    ) in page  # shown as text, never run in the admin
    assert site.identity_secret in page


def test_rotating_the_secret_voids_the_hashes_made_with_the_old_one(supervisor: Client) -> None:
    site = WidgetSite.objects.create(name="Shop", allowed_origins="https://shop.example")
    before = signed(site, "42", "ann@example.com")
    response = supervisor.post(
        "/admin/widget/widgetsite/",
        {"action": "rotate_secret", "_selected_action": [site.pk]},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert not identity_verified(before, secret=site.identity_secret)
    assert identity_verified(signed(site, "42", "ann@example.com"), secret=site.identity_secret)
