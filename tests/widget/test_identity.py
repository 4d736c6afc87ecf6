"""The host site's signature of its customer: only its own secret's HMAC of id and email."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from widget.identity import HostIdentity, identity_verified, user_hash

SECRET = "s3cret-of-the-shop"


def test_the_hash_is_hmac_sha256_of_id_colon_email_as_the_docs_say() -> None:
    # docs/widget.md tells integrators exactly this: a server in any language can compute it.
    expected = hmac.new(SECRET.encode(), b"42:ann@example.com", hashlib.sha256).hexdigest()
    assert user_hash(secret=SECRET, user_id="42", email="ann@example.com") == expected


def test_a_hash_made_with_the_sites_secret_verifies() -> None:
    digest = user_hash(secret=SECRET, user_id="42", email="ann@example.com")
    assert identity_verified(HostIdentity("42", "ann@example.com", digest), secret=SECRET)
    assert identity_verified(HostIdentity("42", "ann@example.com", digest.upper()), secret=SECRET)


@pytest.mark.parametrize(
    ("user_id", "email", "forged"),
    [
        ("42", "ann@example.com", "0" * 64),  # made up
        ("43", "ann@example.com", None),  # another customer's id with Ann's hash
        ("42", "bob@example.com", None),  # Ann's hash, claiming Bob's email
        ("42", "ANN@example.com", None),  # not the exact email that was signed
        ("42", "ann@example.com", "é" * 64),  # not even hex
    ],
)
def test_a_forged_or_borrowed_hash_proves_nothing(
    user_id: str, email: str, forged: str | None
) -> None:
    anns = user_hash(secret=SECRET, user_id="42", email="ann@example.com")
    identity = HostIdentity(user_id, email, forged if forged is not None else anns)
    assert not identity_verified(identity, secret=SECRET)


def test_a_hash_made_with_another_sites_secret_proves_nothing() -> None:
    digest = user_hash(secret="the-blogs-secret", user_id="42", email="ann@example.com")
    assert not identity_verified(HostIdentity("42", "ann@example.com", digest), secret=SECRET)


@pytest.mark.parametrize(
    "identity",
    [
        HostIdentity(),
        HostIdentity("42", "ann@example.com", ""),
        HostIdentity("", "ann@example.com", "x"),
        HostIdentity("42", "", "x"),
    ],
)
def test_a_missing_part_proves_nothing(identity: HostIdentity) -> None:
    assert not identity_verified(identity, secret=SECRET)


def test_no_secret_verifies_nothing_not_even_a_hash_of_the_empty_key() -> None:
    digest = user_hash(secret="", user_id="42", email="ann@example.com")
    assert not identity_verified(HostIdentity("42", "ann@example.com", digest), secret="")


@pytest.mark.parametrize(
    ("user_id", "email"),
    [
        ("42", "not-an-email"),
        ("4\n2", "ann@example.com"),  # a control character in the id
        ("x" * 201, "ann@example.com"),
        ("42", '"a:b"@example.com'),  # a colon would make "id:email" split two ways
    ],
)
def test_a_malformed_id_or_email_is_refused_even_with_its_own_valid_hash(
    user_id: str, email: str
) -> None:
    digest = user_hash(secret=SECRET, user_id=user_id, email=email)
    assert not identity_verified(HostIdentity(user_id, email, digest), secret=SECRET)
