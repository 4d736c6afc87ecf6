"""The widget's frame: only on the listed sites' pages, and who the customer is, by signature."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from helpdesk.chattoken import CHAT_COOKIE, WIDGET_COOKIE, make_chat_token, read_chat_token
from helpdesk.models import Conversation, ConversationEvent, Customer
from tests.widget.conftest import OWN, SHOP, signed
from widget.identity import HostIdentity
from widget.models import WidgetConversation, WidgetSite

pytestmark = pytest.mark.django_db

DEFAULT_ANCESTORS = "frame-ancestors 'none'"


def frame_url(site: WidgetSite, origin: str = SHOP, **extra: str) -> str:
    return "/widget/?" + urlencode({"site": site.key, "origin": origin, **extra})


def start(
    client: Client, site: WidgetSite, identity: HostIdentity | None = None, **extra: Any
) -> Any:
    data = {"site": site.key, "origin": SHOP, "language": "en", "name": "Ann"}
    if identity is not None:
        data |= {
            "user_id": identity.user_id,
            "email": identity.email,
            "user_hash": identity.user_hash,
        }
    headers = {"HTTP_ORIGIN": OWN, "HTTP_SEC_FETCH_SITE": "same-origin", **extra}
    return client.post("/widget/start/", data, **headers)


def vip_ann() -> Customer:
    return Customer.objects.create(
        name="Ann Vip", email="ann@example.com", tier="vip", phone="+4470"
    )


# --- the frame: shown on listed sites only ------------------------------------------------------


def test_the_frame_may_be_framed_by_the_sites_origins_only(shop: WidgetSite) -> None:
    response = Client().get(frame_url(shop), HTTP_REFERER=SHOP + "/basket")
    assert response.status_code == 200
    assert b"Start chatting" in response.content
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example https://www.shop.example" in policy
    assert DEFAULT_ANCESTORS not in policy
    # The rest of our policy stands: nothing inline, our own scripts and socket only.
    assert "script-src 'self';" in policy
    assert "connect-src 'self' ws://testserver;" in policy
    assert "X-Frame-Options" not in response
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("params", "referer"),
    [
        ({"origin": "https://evil.example"}, None),  # a site not on the list
        ({"origin": "https://shop.example.evil.example"}, None),
        ({"origin": "http://shop.example"}, None),  # the listed host, another scheme
        ({"origin": "https://shop.example:8443"}, None),  # ...another port
        ({}, "https://evil.example/page"),  # names the shop, but the browser says evil
        ({"site": "nosuch"}, None),
    ],
)
def test_a_site_not_on_the_list_is_refused_and_the_refusal_is_never_framed(
    shop: WidgetSite, params: dict[str, str], referer: str | None
) -> None:
    url = "/widget/?" + urlencode({"site": shop.key, "origin": SHOP, **params})
    headers: dict[str, Any] = {"HTTP_REFERER": referer} if referer else {}
    response = Client().get(url, **headers)
    assert response.status_code == 403
    assert b"The chat cannot be shown on this page." in response.content
    assert DEFAULT_ANCESTORS in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_site_switched_off_is_refused(shop: WidgetSite) -> None:
    WidgetSite.objects.filter(pk=shop.pk).update(active=False)
    assert Client().get(frame_url(shop)).status_code == 403


def test_the_frames_own_pages_may_refer_to_it(shop: WidgetSite) -> None:
    """After the start form's redirect the Referer is the frame's own page, not the shop's."""
    response = Client().get(frame_url(shop), HTTP_REFERER=OWN + "/widget/?site=x")
    assert response.status_code == 200


def test_report_only_mode_still_enforces_the_frames_ancestors(
    shop: WidgetSite, settings: Any
) -> None:
    settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY = {}, settings.SECURE_CSP
    response = Client().get(frame_url(shop))
    assert response["Content-Security-Policy"] == (
        "frame-ancestors https://shop.example https://www.shop.example"
    )
    assert "frame-ancestors https://shop.example" in response["Content-Security-Policy-Report-Only"]


# --- starting: who the customer is --------------------------------------------------------------


def test_a_customer_the_site_signed_for_is_verified_and_linked_to_their_profile(
    shop: WidgetSite,
) -> None:
    ann = vip_ann()
    client = Client()
    response = start(client, shop, signed(shop, "42", "ann@example.com"))
    assert response.status_code == 303
    assert response["Location"] == frame_url(shop)
    conversation = Conversation.objects.get()
    assert conversation.customer == ann
    assert conversation.identity_verified
    record = WidgetConversation.objects.get()
    assert (record.site, record.host_origin, record.user_id, record.identity) == (
        shop,
        SHOP,
        "42",
        "verified",
    )
    event = conversation.events.get(kind=ConversationEvent.Kind.IDENTITY_VERIFIED)
    assert event.data["profile"] == ann.pk
    token = read_chat_token(client.cookies[WIDGET_COOKIE].value)
    assert token is not None
    assert (token.customer_id, token.conversation, token.proven) == (
        ann.pk,
        str(conversation.public_id),
        True,
    )
    page = client.get(frame_url(shop))
    assert page.context["conversation"] == conversation
    assert b"data-widget-unverified" not in page.content


def test_a_new_signed_customer_gets_a_profile_with_the_signed_email(shop: WidgetSite) -> None:
    start(Client(), shop, signed(shop, "7", "new@example.com"))
    conversation = Conversation.objects.get()
    assert conversation.customer.email == "new@example.com"
    assert conversation.identity_verified


@pytest.mark.parametrize(
    "identity",
    [
        HostIdentity("42", "ann@example.com", "0" * 64),  # forged
        HostIdentity("42", "ann@example.com", ""),  # no hash at all
    ],
)
def test_a_forged_identity_stays_anonymous_and_sees_nothing_of_the_profile(
    shop: WidgetSite, identity: HostIdentity
) -> None:
    ann = vip_ann()
    client = Client()
    assert start(client, shop, identity).status_code == 303
    conversation = Conversation.objects.get()
    assert conversation.customer != ann
    assert (conversation.customer.email, conversation.customer.tier) == ("", "standard")
    assert not conversation.identity_verified
    assert not conversation.claimed_email  # not even a claim for agents to see
    assert WidgetConversation.objects.get().identity == "refused"
    assert not conversation.events.filter(kind=ConversationEvent.Kind.IDENTITY_VERIFIED).exists()
    page = client.get(frame_url(shop)).content.decode()
    assert "data-widget-unverified" in page
    assert "We could not confirm who you are" in page
    for detail in ("Ann Vip", "ann@example.com", "+4470", "vip"):
        assert detail not in page
    Customer.objects.get(pk=ann.pk)  # the profile is untouched
    assert Customer.objects.get(pk=ann.pk).name == "Ann Vip"


def test_a_hash_made_with_another_sites_secret_is_refused(shop: WidgetSite) -> None:
    blog = WidgetSite.objects.create(name="Blog", allowed_origins=SHOP)
    vip_ann()
    start(Client(), shop, signed(blog, "42", "ann@example.com"))
    assert not Conversation.objects.get().identity_verified
    assert WidgetConversation.objects.get().identity == "refused"


def test_the_same_browser_stays_the_same_anonymous_customer(shop: WidgetSite) -> None:
    client = Client()
    start(client, shop)
    start(client, shop)
    first, second = Conversation.objects.order_by("pk")
    assert first.customer_id == second.customer_id
    assert not first.customer.email


def test_a_signed_customer_after_an_anonymous_one_is_not_the_anonymous_one(
    shop: WidgetSite,
) -> None:
    client = Client()
    start(client, shop)
    start(client, shop, signed(shop, "42", "ann@example.com"))
    anonymous, signed_in = Conversation.objects.order_by("pk")
    assert anonymous.customer_id != signed_in.customer_id
    assert signed_in.customer.email == "ann@example.com"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": ""},  # none at all
        {"HTTP_ORIGIN": OWN, "HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_a_start_posted_from_anywhere_but_the_frame_is_refused(
    shop: WidgetSite, headers: dict[str, Any]
) -> None:
    response = start(Client(), shop, **headers)
    assert response.status_code == 403
    assert WIDGET_COOKIE not in response.cookies
    assert not Conversation.objects.exists()


def test_a_start_for_a_site_not_on_the_list_is_refused(shop: WidgetSite) -> None:
    response = Client().post(
        "/widget/start/",
        {"site": shop.key, "origin": "https://evil.example", "language": "en"},
        HTTP_ORIGIN=OWN,
    )
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_the_widgets_cookie_reaches_a_frame_on_another_site(shop: WidgetSite) -> None:
    """SameSite=None with Secure, Partitioned (CHIPS), HttpOnly: the only kind a browser sends
    to a frame on another site, kept apart per site."""
    response = start(Client(), shop)
    header = response.cookies[WIDGET_COOKIE].output()
    for attribute in ("HttpOnly", "SameSite=None", "Secure", "Partitioned"):
        assert attribute in header


# --- resuming -----------------------------------------------------------------------------------


def test_the_frame_shows_the_chat_of_this_site_only(shop: WidgetSite) -> None:
    client = Client()
    start(client, shop)
    conversation = Conversation.objects.get()
    blog = WidgetSite.objects.create(name="Blog", allowed_origins=SHOP)
    assert client.get(frame_url(shop)).context["conversation"] == conversation
    assert b"Start chatting" in client.get(frame_url(blog)).content
    # new=1: the first screen whatever the cookie holds (the host page names someone else).
    assert b"Start chatting" in client.get(frame_url(shop, new="1")).content


def test_the_chat_pages_own_cookie_does_not_open_a_chat_in_the_widget(shop: WidgetSite) -> None:
    client = Client()
    start(client, shop)
    conversation = Conversation.objects.get()
    other = Client()
    other.cookies[CHAT_COOKIE] = make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )
    assert b"Start chatting" in other.get(frame_url(shop)).content


def test_the_chat_page_in_the_frame_carries_what_its_script_needs(shop: WidgetSite) -> None:
    client = Client()
    start(client, shop, signed(shop, "42", "ann@example.com"))
    page = client.get(frame_url(shop))
    config = page.context["widget_config"]
    assert (config["site"], config["origin"], config["user_id"]) == (shop.key, SHOP, "42")
    assert config["fresh_url"] == frame_url(shop, new="1")
    html = page.content.decode()
    assert 'id="widget-config"' in html
    assert "helpdesk/widget/frame.js" in html
    assert "helpdesk/chat.js" in html


# --- the frame's language -----------------------------------------------------------------------


def test_the_widgets_frame_speaks_the_customers_language(shop: WidgetSite) -> None:
    """The first screen in the browser's language; the chat, once started, in the
    conversation's, whatever the browser asks for (as on /chat/)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    first = client.get(frame_url(shop), HTTP_REFERER=SHOP + "/basket").content.decode()
    assert '<html lang="de">' in first
    assert "Chat starten</button>" in first
    assert 'name="language" value="de"' in first
    page = client.get("/widget/?" + urlencode({"site": "nosuch", "origin": SHOP})).content.decode()
    assert "Chat nicht verfügbar" in page  # the refusal, too
    started = client.post(
        "/widget/start/",
        {"site": shop.key, "origin": SHOP, "language": "es", "name": "Ana"},
        HTTP_ORIGIN=OWN,
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert started.status_code == 303
    chat = client.get(frame_url(shop), HTTP_REFERER=SHOP + "/basket")
    html = chat.content.decode()
    assert chat["Content-Language"] == "es"
    assert '<html lang="es">' in html
    assert 'placeholder="Escribe un mensaje…"' in html
    assert "¡Hola! Soy el asistente" in html
    assert " autofocus" not in html  # refused in a frame on another site: the script focuses
    assert Conversation.objects.get().language == "es"
