"""Who the host site says its signed-in customer is, and whether its server vouched for it.

The site's server computes, with the site's identity secret (admin, "Widget sites"):

    user_hash = hex(HMAC-SHA256(key=secret, message=f"{user_id}:{email}"))

both strings as UTF-8 and exactly as the page passes them, and writes the three into the
snippet. A page cannot compute it (the secret never reaches a browser), so a matching hash means
the site's server named this customer. Anything else (no hash, a wrong one, one made with another
site's secret, an email that is not an address) proves nothing: the chat is anonymous.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_USER_ID = 200


@dataclass(frozen=True)
class HostIdentity:
    """What the host page passed: nothing, a claim, or a claim its server signed."""

    user_id: str = ""
    email: str = ""
    user_hash: str = ""

    @property
    def given(self) -> bool:
        return bool(self.user_id or self.email or self.user_hash)


def user_hash(*, secret: str, user_id: str, email: str) -> str:
    """The hash a site's server writes beside its customer's id and email."""
    message = f"{user_id}:{email}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def identity_verified(identity: HostIdentity, *, secret: str) -> bool:
    """True only for a well-formed id and email whose hash was made with this secret."""
    if not (identity.user_id and identity.email and identity.user_hash and secret):
        return False
    if not _well_formed(identity.user_id, identity.email):
        return False
    expected = user_hash(secret=secret, user_id=identity.user_id, email=identity.email)
    # Constant time: the comparison must not tell a guesser how much of the hash was right.
    return hmac.compare_digest(expected.encode(), identity.user_hash.strip().lower().encode())


def _well_formed(user_id: str, email: str) -> bool:
    # The email may hold no colon, so "id:email" splits one way only (at its last colon).
    if len(user_id) > MAX_USER_ID or ":" in email:
        return False
    if any(unicodedata.category(char).startswith("C") for char in user_id):
        return False
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True
