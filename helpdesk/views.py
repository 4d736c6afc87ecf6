"""The customer's chat page and the health endpoint."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from helpdesk.chattoken import (
    CHAT_COOKIE,
    ChatToken,
    make_chat_token,
    read_chat_token,
    read_cookie_token,
)
from helpdesk.floods import chat_start_refused
from helpdesk.flows import conversation_open
from helpdesk.forms import ChatStartForm, EmailCodeForm
from helpdesk.identity import ProofError, email_claim, email_code_check, email_code_resend
from helpdesk.models import Conversation, Customer
from helpdesk.pagetexts import CUSTOMER, chat_page_context
from helpdesk.selectors import conversation_for_customer, transcript_payload
from helpdesk.services import customer_identify


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    """Resume the conversation this browser holds a token for, or offer to start one."""
    conversation = _own_conversation(request)
    if conversation is None:
        # In the browser's language (helpdesk.languages), which the form offers first.
        language = translation.get_language()
        return render(
            request,
            "helpdesk/chat_start.html",
            {"form": ChatStartForm(initial={"language": language})},
        )
    return _chat_page(request, conversation)


def _chat_page(
    request: HttpRequest, conversation: Conversation, *, proof_error: str = "", status: int = 200
) -> HttpResponse:
    """The conversation's page, in its language whatever the browser asks for."""
    awaiting_proof = bool(conversation.claimed_email) and not conversation.identity_verified
    with translation.override(conversation.language):
        context = {
            "conversation": conversation,
            "initial_messages": transcript_payload(conversation),
            "awaiting_proof": awaiting_proof,
            "code_sent": awaiting_proof and conversation.email_codes.exists(),
            "code_form": EmailCodeForm(),
            "proof_error": proof_error,
            **chat_page_context(CUSTOMER, conversation),
        }
        response = render(request, "helpdesk/chat.html", context, status=status)
    # Else LocaleMiddleware names the browser's language, which this page may not be in.
    response["Content-Language"] = conversation.language
    return response


@require_POST
def chat_start(request: HttpRequest) -> HttpResponse:
    form = ChatStartForm(request.POST)
    if not form.is_valid():
        return render(request, "helpdesk/chat_start.html", {"form": form}, status=400)
    wait = chat_start_refused(request.META)
    if wait:
        minutes = -(-wait // 60)
        form.add_error(
            None,
            ngettext(
                "Too many new chats from your network; try again in %(minutes)d minute.",
                "Too many new chats from your network; try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = render(request, "helpdesk/chat_start.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
    data = form.cleaned_data
    # An email typed here is a claim (helpdesk.identity): the chat gets a profile of its own.
    customer = _returning_customer(request, data["email"]) or customer_identify(
        name=data["name"], language=data["language"]
    )
    with transaction.atomic():
        conversation = conversation_open(customer=customer, language=data["language"])
        if data["email"]:
            email_claim(conversation=conversation, email=data["email"])
        elif customer.email:  # _returning_customer: this browser proved the address before
            conversation.identity_verified = True
            conversation.save(update_fields=["identity_verified"])
    return _with_chat_cookie(redirect("chat:page"), conversation)


@require_POST
def chat_verify(request: HttpRequest) -> HttpResponse:
    """The code mailed to the claimed address, typed back: the chat is linked to that profile
    (a new cookie: the conversation's customer has changed)."""
    conversation = _own_conversation(request)
    if conversation is None:
        return redirect("chat:page")
    form = EmailCodeForm(request.POST)
    with translation.override(conversation.language):  # the refusals and the thanks
        try:
            if not form.is_valid():
                raise ProofError("code_invalid", gettext("Type the six digits from the email."))
            verified = email_code_check(
                conversation_id=conversation.pk, code=form.cleaned_data["code"]
            )
        except ProofError as refusal:
            return _chat_page(request, conversation, proof_error=refusal.message, status=400)
        thanks = gettext("Thank you: %(email)s is confirmed.") % {"email": verified.claimed_email}
    messages.success(request, thanks)
    return _with_chat_cookie(redirect("chat:page"), verified)


@require_POST
def chat_verify_resend(request: HttpRequest) -> HttpResponse:
    conversation = _own_conversation(request)
    if conversation is None:
        return redirect("chat:page")
    with translation.override(conversation.language):
        try:
            email_code_resend(conversation_id=conversation.pk)
        except ProofError as refusal:
            status = 429 if refusal.code == "too_many_codes" else 400
            return _chat_page(request, conversation, proof_error=refusal.message, status=status)
        sent = gettext("We have sent a new code to %(email)s.") % {
            "email": conversation.claimed_email
        }
    messages.info(request, sent)
    return redirect("chat:page")


def _with_chat_cookie(response: HttpResponse, conversation: Conversation) -> HttpResponse:
    token = make_chat_token(
        customer_id=conversation.customer_id,
        conversation=str(conversation.public_id),
        proven=conversation.identity_verified,  # only ever set by this browser's code
    )
    response.set_cookie(
        CHAT_COOKIE,
        token,
        max_age=settings.CHAT_TOKEN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _own_conversation(request: HttpRequest) -> Conversation | None:
    token = _cookie_token(request)
    if token is None:
        return None
    return conversation_for_customer(public_id=token.conversation, customer_id=token.customer_id)


def _cookie_token(request: HttpRequest) -> ChatToken | None:
    return read_chat_token(read_cookie_token(request.COOKIES))


def _returning_customer(request: HttpRequest, email: str) -> Customer | None:
    """The same browser starting a new chat stays the same customer, unless it names an email;
    a customer with an email only if this browser proved it (a cookie from before the proof, or
    from before claims existed, may name someone else's profile)."""
    token = _cookie_token(request)
    if token is None or email:
        return None
    customer = Customer.objects.filter(pk=token.customer_id).first()
    if customer is not None and customer.email and not token.proven:
        return None
    return customer


@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    database = await sync_to_async(_check_database)()
    layer = await _check_channel_layer()
    healthy = database["ok"] and layer["ok"]
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "channel_layer": layer,
        },
        status=200 if healthy else 503,
    )


def _check_database() -> dict[str, object]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        Conversation.objects.exists()  # the schema is there too, not only the server
    except Exception as error:
        return {"ok": False, "vendor": connection.vendor, "error": type(error).__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": _elapsed_ms(started)}


async def _check_channel_layer() -> dict[str, object]:
    layer = get_channel_layer()
    backend = type(layer).__name__
    started = time.perf_counter()
    try:
        channel = await layer.new_channel()
        await asyncio.wait_for(
            layer.send(channel, {"type": "healthz.ping"}), settings.HEALTHZ_TIMEOUT
        )
        message = await asyncio.wait_for(layer.receive(channel), settings.HEALTHZ_TIMEOUT)
    except Exception as error:
        return {"ok": False, "backend": backend, "error": type(error).__name__}
    return {
        "ok": message.get("type") == "healthz.ping",
        "backend": backend,
        "ms": _elapsed_ms(started),
    }


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon (the API's JSON, an error)."""
    return HttpResponsePermanentRedirect(static("helpdesk/favicon.svg"))
