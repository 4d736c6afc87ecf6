"""An email typed at the start proves nothing: until the customer types back the code mailed to
it, the chat shows them only what they typed, reads nothing from and writes nothing to the
profile with that address, and sends nothing there but the code. Agents see the claimed profile,
marked unverified. The right code links the chat to the profile; wrong, late or too many codes
do not."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from escalation.callbacks import customer_choose
from escalation.models import Callback
from escalation.timers import timers_run_due
from helpdesk.chattoken import CHAT_COOKIE, make_chat_token, read_chat_token
from helpdesk.flows import conversation_open
from helpdesk.identity import (
    CODE_ATTEMPTS,
    CODES_PER_ADDRESS_PER_HOUR,
    CODES_PER_CONVERSATION,
    WRONG_GUESSES_PER_ADDRESS_PER_DAY,
)
from helpdesk.models import Conversation, Customer, EmailCode, Message
from tests.support.factories import make_agent, say
from tests.support.wsclient import connect, customer_socket, receive_type, send_message

# Real commits: the code is mailed once the chat's start commits.
pytestmark = pytest.mark.django_db(transaction=True)

VICTIM_PHONE = "+44 20 7946 0000"


@pytest.fixture
def vera(db: None) -> Customer:
    return Customer.objects.create(
        name="Vera Victim", email="vera@example.com", phone=VICTIM_PHONE, tier="vip"
    )


def claim(client: Client, email: str = "vera@example.com", name: str = "") -> Conversation:
    mail.outbox.clear()
    response = client.post("/chat/start/", {"name": name, "email": email, "language": "en"})
    assert response.status_code == 302
    return Conversation.objects.select_related("customer").latest("opened_at")


def mailed_code() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def offered(conversation: Conversation) -> Message:
    """Handed over with nobody free, then offered a callback or an email follow-up."""
    say(conversation, "I want to speak to a human")
    timers_run_due(now=timezone.now() + timedelta(minutes=11))
    offer = conversation.messages.exclude(actions={}).order_by("-seq").first()
    assert offer is not None
    assert offer.actions["kind"] == "callback_offer", offer
    return offer


def choose(conversation: Conversation, offer: Message, choice: str, contact: str = "") -> Message:
    result = customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=offer.seq,
        choice=choice,
        contact=contact,
    )
    assert result.message is not None
    return result.message


def test_the_claimed_profile_stays_out_of_the_customers_sight(vera: Customer) -> None:
    client = Client()
    conversation = claim(client, name="Mallory")
    assert conversation.customer != vera
    assert (conversation.claimed_customer, conversation.claimed_email) == (vera, vera.email)
    assert not conversation.identity_verified

    page = client.get("/chat/").content.decode()
    api = APIClient()
    token = make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )
    api.credentials(HTTP_AUTHORIZATION=f"Chat {token}")
    detail = api.get(f"/api/conversations/{conversation.public_id}/").json()

    async def welcome() -> dict[str, Any]:
        socket = customer_socket(conversation)
        frame = await connect(socket)
        await socket.disconnect()
        return frame

    seen = [page, str(detail), str(async_to_sync(welcome)())]
    for shown in seen:
        for secret in ("Vera", VICTIM_PHONE, "vip", "VIP"):
            assert secret not in shown, (secret, shown[:300])
    assert detail["customer"]["id"] == conversation.customer_id
    assert detail["claim"] == {"email": vera.email, "verified": False}
    assert "We sent a code to" in page


def test_the_only_mail_to_the_claimed_address_is_the_code(vera: Customer) -> None:
    claim(Client())
    [code_mail] = mail.outbox
    assert code_mail.to == [vera.email]
    assert re.search(r"\b\d{6}\b", str(code_mail.body))
    assert "Vera" not in code_mail.body
    stored = EmailCode.objects.get()
    assert mailed_code() not in stored.code_hash  # only a keyed hash is kept


def test_nothing_is_read_from_or_written_to_the_claimed_profile(vera: Customer) -> None:
    conversation = claim(Client())
    offer = offered(conversation)
    choices = {choice["id"]: choice for choice in offer.actions["choices"]}
    assert choices["email"].get("input") == "email"  # an address must be typed here

    slots = choose(conversation, offer, "callback")
    assert slots.actions["prefill"] == ""  # not the profile's phone
    mail.outbox.clear()
    slot = slots.actions["choices"][0]["id"]
    choose(conversation, slots, slot, contact="+1 555 0100 999")

    vera.refresh_from_db()
    assert vera.phone == VICTIM_PHONE
    call = Callback.objects.get(conversation=conversation)
    assert call.phone == "+1 555 0100 999"
    assert vera.email not in [address for sent in mail.outbox for address in sent.to]


def test_email_me_without_a_typed_address_sends_nothing_to_the_claimed_one(
    vera: Customer,
) -> None:
    conversation = claim(Client())
    offer = offered(conversation)
    mail.outbox.clear()
    with pytest.raises(Exception, match="email"):
        choose(conversation, offer, "email")
    assert not Callback.objects.filter(conversation=conversation).exists()
    choose(conversation, offer, "email", contact="mallory@example.net")
    timers_run_due(now=timezone.now() + timedelta(minutes=1))
    assert Callback.objects.get(conversation=conversation).email == "mallory@example.net"
    recipients = {address for sent in mail.outbox for address in sent.to}
    assert vera.email not in recipients


def test_agents_see_the_claimed_profile_marked_unverified(vera: Customer) -> None:
    conversation = claim(Client(), name="Mallory")
    say(conversation, "I want to speak to a human")
    agent = make_agent("dana", "Dana Whitfield", presence="online")
    browser = Client()
    browser.force_login(agent.user)
    page = browser.get(f"/agent/conversations/{conversation.public_id}/").content.decode()
    claim_block = page[page.index("data-claim") :]
    assert "not verified" in claim_block
    assert "Vera Victim" in claim_block
    assert "VIP" in claim_block

    api = APIClient()
    api.force_authenticate(agent.user)
    detail = api.get(f"/api/conversations/{conversation.public_id}/").json()
    assert detail["claim"] == {"email": vera.email, "verified": False, "customer": vera.pk}
    package = api.get(f"/api/conversations/{conversation.public_id}/handoff/").json()
    customer = package["data"]["customer"] if "data" in package else package["customer"]
    assert customer["email_verified"] is False
    assert customer["claimed_profile"]["name"] == "Vera Victim"


def test_the_right_code_links_the_chat_to_the_profile(vera: Customer) -> None:
    client = Client()
    conversation = claim(client, name="Vera")
    response = client.post("/chat/verify/", {"code": mailed_code()})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (conversation.customer, conversation.identity_verified) == (vera, True)
    token = read_chat_token(client.cookies[CHAT_COOKIE].value)
    assert token is not None
    assert token.customer_id == vera.pk
    page = client.get("/chat/")
    assert page.context["conversation"] == conversation
    assert "We sent a code to" not in page.content.decode()
    offer = offered(conversation)
    slots = choose(conversation, offer, "callback")
    assert slots.actions["prefill"] == VICTIM_PHONE  # proven: the profile's number is offered


def test_a_new_address_proven_becomes_the_chats_own(db: None) -> None:
    client = Client()
    conversation = claim(client, email="new@example.com", name="Nina")
    assert conversation.claimed_customer is None
    client.post("/chat/verify/", {"code": mailed_code()})
    conversation.refresh_from_db()
    assert conversation.identity_verified
    assert (conversation.customer.name, conversation.customer.email) == ("Nina", "new@example.com")


def test_wrong_guesses_use_the_code_up(vera: Customer) -> None:
    client = Client()
    conversation = claim(client)
    code = mailed_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in range(CODE_ATTEMPTS):
        refused = client.post("/chat/verify/", {"code": wrong})
        assert refused.status_code == 400
        assert "not the code we sent" in refused.content.decode(), attempt
    late = client.post("/chat/verify/", {"code": code})  # the right one, too late
    assert late.status_code == 400
    assert "can no longer be used" in late.content.decode()
    conversation.refresh_from_db()
    assert conversation.customer != vera
    assert not conversation.identity_verified


def test_an_expired_code_is_refused_and_a_new_one_works(vera: Customer) -> None:
    client = Client()
    conversation = claim(client)
    old = mailed_code()
    EmailCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = client.post("/chat/verify/", {"code": old})
    assert refused.status_code == 400
    assert "expired" in refused.content.decode()
    mail.outbox.clear()
    assert client.post("/chat/verify/resend/").status_code == 302
    client.post("/chat/verify/", {"code": mailed_code()})
    conversation.refresh_from_db()
    assert conversation.identity_verified


def test_a_chat_asks_for_a_few_codes_at_most(vera: Customer) -> None:
    client = Client()
    claim(client)
    for _ in range(CODES_PER_CONVERSATION - 1):
        assert client.post("/chat/verify/resend/").status_code == 302
    refused = client.post("/chat/verify/resend/")
    assert refused.status_code == 429
    assert EmailCode.objects.count() == CODES_PER_CONVERSATION


def test_a_code_proves_only_its_own_chat(vera: Customer) -> None:
    """Codes belong to a conversation: one mailed to a second chat claiming the same address
    does nothing for the first."""
    attacker, other = Client(), Client()
    first = claim(attacker)
    claim(other)
    refused = attacker.post("/chat/verify/", {"code": mailed_code()})
    assert refused.status_code == 400
    first.refresh_from_db()
    assert not first.identity_verified


def test_a_code_that_is_not_six_digits_is_explained(vera: Customer) -> None:
    client = Client()
    claim(client)
    refused = client.post("/chat/verify/", {"code": "<b>12</b>"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Type the six digits" in html
    assert "<b>12</b>" not in html


def test_an_open_chat_socket_reconnects_as_the_proven_customer(vera: Customer) -> None:
    """The socket was opened for the chat's own profile: once the code moves the chat to Vera's,
    it is closed with 4001 (the page reconnects at once) and the new cookie opens it again."""
    client = Client()
    conversation = claim(client)

    async def run() -> None:
        before = customer_socket(conversation)
        await connect(before)
        await database_sync_to_async(client.post)("/chat/verify/", {"code": mailed_code()})
        assert await before.receive_output(timeout=3) == {"type": "websocket.close", "code": 4001}
        await before.disconnect()
        cookie = f"{CHAT_COOKIE}={client.cookies[CHAT_COOKIE].value}".encode()
        after = customer_socket(conversation, cookie=cookie)
        await connect(after)
        await send_message(after, "me again", "again-1")
        assert (await receive_type(after, "ack"))["message"]["body"] == "me again"
        await after.disconnect()

    async_to_sync(run)()


def test_an_unproven_cookie_never_carries_a_profile_into_a_new_chat(vera: Customer) -> None:
    """A cookie naming a profile with an email (from before claims, or minted by the API for an
    integration) starts a new chat as someone new; one this browser proved keeps the profile."""
    old = conversation_open(customer=vera)
    unproven = Client()
    unproven.cookies[CHAT_COOKIE] = make_chat_token(
        customer_id=vera.pk, conversation=str(old.public_id)
    )
    fresh = claim(unproven, email="")
    assert fresh.customer != vera
    assert not fresh.identity_verified
    proven = Client()
    proven.cookies[CHAT_COOKIE] = make_chat_token(
        customer_id=vera.pk, conversation=str(old.public_id), proven=True
    )
    kept = claim(proven, email="")
    assert kept.customer == vera
    assert kept.identity_verified


def test_a_claim_matches_the_profile_whatever_the_case(vera: Customer) -> None:
    Customer.objects.filter(pk=vera.pk).update(email="Vera@Example.com")
    client = Client()
    conversation = claim(client, email="VERA@example.COM")
    assert conversation.claimed_customer == vera
    client.post("/chat/verify/", {"code": mailed_code()})
    conversation.refresh_from_db()
    assert conversation.customer == vera
    assert Customer.objects.count() == 2  # vera and the chat's own: no duplicate profile


def test_an_address_gets_a_few_codes_an_hour_from_all_chats(vera: Customer) -> None:
    for _ in range(CODES_PER_ADDRESS_PER_HOUR):
        claim(Client())
        assert len(mail.outbox) == 1
    late = Client()
    claim(late)
    assert mail.outbox == []  # no code: the address has had its share
    assert "We could not send a code to" in late.get("/chat/").content.decode()
    assert late.post("/chat/verify/resend/").status_code == 429


def test_wrong_guesses_add_up_per_address_across_chats(vera: Customer) -> None:
    """Two chats' five wrong guesses each use up the address's guesses for the day: even the
    right code of a third chat no longer proves it."""
    for _ in range(WRONG_GUESSES_PER_ADDRESS_PER_DAY // CODE_ATTEMPTS):
        guesser = Client()
        claim(guesser)
        wrong = f"{(int(mailed_code()) + 1) % 10**6:06d}"
        for _ in range(CODE_ATTEMPTS):
            assert guesser.post("/chat/verify/", {"code": wrong}).status_code == 400
    owner = Client()
    conversation = claim(owner)
    refused = owner.post("/chat/verify/", {"code": mailed_code()})
    assert refused.status_code == 400
    assert "Too many wrong codes for this address today" in refused.content.decode()
    conversation.refresh_from_db()
    assert not conversation.identity_verified


def test_the_customers_own_frames_never_name_the_claimed_profile(vera: Customer) -> None:
    conversation = claim(Client(), name="")

    async def frames() -> list[dict[str, Any]]:
        socket = customer_socket(conversation)
        await connect(socket)
        await send_message(socket, "hello there", "own-1")
        ack = await receive_type(socket, "ack")
        await socket.send_json_to({"type": "sync", "after": 0})
        sync = await receive_type(socket, "sync")
        await socket.disconnect()
        return [ack, sync]

    seen = str(async_to_sync(frames)())
    assert "hello there" in seen
    assert "Vera" not in seen
    assert VICTIM_PHONE not in seen
