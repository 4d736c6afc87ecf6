"""An email proves nothing until the customer proves it.

A chat started with an email gets a profile of its own (the name typed, nothing else) and the
email is recorded as a claim: agents see the claimed profile, marked unverified; the customer
sees only what they typed; nothing is read from or written to the claimed profile. A one-time
code is mailed to the address (the mail says nothing about the chat or the profile); typing it
back links the conversation to the profile with that email (or gives the new profile the
address), so the next call or follow-up may use what the profile knows.

Codes are random, stored as keyed hashes, expire after CODE_MINUTES, are used up by
CODE_ATTEMPTS wrong guesses, and one conversation may ask for CODES_PER_CONVERSATION of them;
one address gets CODES_PER_ADDRESS_PER_HOUR codes and WRONG_GUESSES_PER_ADDRESS_PER_DAY wrong
guesses, from all chats together. Emails are compared without case.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext

from helpdesk.models import Conversation, ConversationEvent, Customer, EmailCode
from helpdesk.realtime import publish_on_commit, task_soon
from helpdesk.services import event_record

CODE_MINUTES = 15
CODE_ATTEMPTS = 5
CODES_PER_CONVERSATION = 3
# Per address, whichever chats ask: a few codes an hour (no mail bombing through the chat) and a
# few wrong guesses a day (many chats claiming one address do not add up to many guesses).
CODES_PER_ADDRESS_PER_HOUR = 5
WRONG_GUESSES_PER_ADDRESS_PER_DAY = 10
_HASH_SALT = "helpdesk.identity.email_code"


class ProofError(Exception):
    """A refused proof, with a code the page can act on and a sentence the customer reads."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def email_claim(*, conversation: Conversation, email: str) -> None:
    """Record the email typed at the start as a claim and mail the first code."""
    email = email.strip().lower()
    conversation.claimed_email = email
    conversation.claimed_customer = Customer.objects.filter(email__iexact=email).first()
    conversation.save(update_fields=["claimed_email", "claimed_customer"])
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.IDENTITY_CLAIMED,
        actor_kind=ConversationEvent.ActorKind.CUSTOMER,
        data={"email": email, "profile": conversation.claimed_customer_id},
    )
    if _address_refusal(email) is None:  # else the page offers "Send a new code" later
        _code_issue(conversation)


def email_code_resend(*, conversation_id: int) -> None:
    """Another code, while the conversation still has some to ask for."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if not _awaiting_proof(conversation):
            raise ProofError(
                "nothing_to_prove", gettext("There is no email waiting to be confirmed.")
            )
        if conversation.email_codes.count() >= CODES_PER_CONVERSATION:
            raise ProofError(
                "too_many_codes",
                gettext(
                    "We have sent as many codes as we can for this chat. An agent can still "
                    "help you here."
                ),
            )
        refusal = _address_refusal(conversation.claimed_email)
        if refusal is not None:
            raise refusal
        _code_issue(conversation)


def _address_refusal(email: str) -> ProofError | None:
    now = timezone.now()
    codes = EmailCode.objects.filter(email__iexact=email)
    if codes.filter(created_at__gte=now - timedelta(hours=1)).count() >= (
        CODES_PER_ADDRESS_PER_HOUR
    ):
        return ProofError(
            "too_many_codes",
            gettext(
                "We have sent as many codes to this address as we can for now: try again in an "
                "hour. An agent can still help you here."
            ),
        )
    return None


def _guesses_exhausted(email: str) -> bool:
    since = timezone.now() - timedelta(days=1)
    recent = EmailCode.objects.filter(email__iexact=email, created_at__gte=since)
    wrong = recent.aggregate(total=Sum("failed_attempts"))["total"] or 0
    return wrong >= WRONG_GUESSES_PER_ADDRESS_PER_DAY


def email_code_check(*, conversation_id: int, code: str) -> Conversation:
    """The code typed back: right, the claim is proven and the conversation linked; wrong,
    expired or used up, a ProofError (a wrong guess counts against the code)."""
    with transaction.atomic():
        conversation = _locked(conversation_id)
        refusal = _code_refusal(conversation, code)
        if refusal is None:
            return _claim_prove(conversation)
    raise refusal  # after the commit: a wrong guess stays counted


def _code_refusal(conversation: Conversation, code: str) -> ProofError | None:
    if not _awaiting_proof(conversation):
        return ProofError("nothing_to_prove", gettext("There is no email waiting to be confirmed."))
    latest = conversation.email_codes.select_for_update().first()
    now = timezone.now()
    if latest is None or latest.used_at or latest.failed_attempts >= CODE_ATTEMPTS:
        return ProofError(
            "code_used_up", gettext("That code can no longer be used: ask for a new one.")
        )
    if latest.expires_at <= now:
        return ProofError("code_expired", gettext("That code has expired: ask for a new one."))
    if _guesses_exhausted(latest.email):
        return ProofError(
            "address_locked",
            gettext(
                "Too many wrong codes for this address today. An agent can still help you here."
            ),
        )
    if not hmac.compare_digest(latest.code_hash, _hash(code.strip(), latest)):
        EmailCode.objects.filter(pk=latest.pk).update(failed_attempts=F("failed_attempts") + 1)
        latest.refresh_from_db(fields=["failed_attempts"])
        left = CODE_ATTEMPTS - latest.failed_attempts
        return ProofError(
            "code_wrong",
            ngettext(
                "That is not the code we sent. %(left)d try left.",
                "That is not the code we sent. %(left)d tries left.",
                left,
            )
            % {"left": left}
            if left
            else gettext("That is not the code we sent, and it is now used up: ask for a new one."),
        )
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return None


def _code_issue(conversation: Conversation) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    record = EmailCode.objects.create(
        conversation=conversation,
        email=conversation.claimed_email,
        code_hash="",
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    record.code_hash = _hash(code, record)
    record.save(update_fields=["code_hash"])
    task_soon(
        "helpdesk.tasks.email_send",
        conversation.claimed_email,
        f"Your code: {code}",
        _code_mail(code),
    )


def _code_mail(code: str) -> str:
    # Nothing about the chat or the profile: whoever typed this address may not own it.
    return (
        f"Your code is {code}.\n\n"
        "Type it in the chat window to confirm this email address is yours. "
        f"It works for {CODE_MINUTES} minutes.\n\n"
        "Never give this code to anyone: we will never ask you for it, by chat, phone or email. "
        "If you did not start a chat with us, ignore this email: nothing happens without the "
        "code.\n"
    )


def _hash(code: str, record: EmailCode) -> str:
    # Keyed with SECRET_KEY and the row: a leaked table does not give the codes away.
    return salted_hmac(_HASH_SALT, f"{record.pk}:{record.email}:{code}").hexdigest()


def _claim_prove(conversation: Conversation) -> Conversation:
    """The address is the customer's: the conversation moves to the profile with that email,
    taking what they typed here where the profile has nothing; or this profile gets it."""
    own = conversation.customer
    profile = (
        Customer.objects.select_for_update()
        .filter(email__iexact=conversation.claimed_email)
        .first()
    )
    if profile is None:
        try:
            with transaction.atomic():
                own.email = conversation.claimed_email
                own.save(update_fields=["email"])
            profile = own
        except IntegrityError:  # a profile with this email appeared meanwhile
            profile = Customer.objects.get(email__iexact=conversation.claimed_email)
    if profile.pk != own.pk:
        profile.name = profile.name or own.name
        profile.phone = own.phone or profile.phone
        profile.save(update_fields=["name", "phone"])
    conversation.customer = profile
    conversation.claimed_customer = profile
    conversation.identity_verified = True
    conversation.save(update_fields=["customer", "claimed_customer", "identity_verified"])
    publish_on_commit(conversation.group_name, {"type": "chat.customer_changed"})
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.IDENTITY_VERIFIED,
        actor_kind=ConversationEvent.ActorKind.CUSTOMER,
        data={"email": conversation.claimed_email, "profile": profile.pk},
    )
    return conversation


def _awaiting_proof(conversation: Conversation) -> bool:
    return bool(conversation.claimed_email) and not conversation.identity_verified


def _locked(conversation_id: int) -> Conversation:
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=conversation_id)
    )
