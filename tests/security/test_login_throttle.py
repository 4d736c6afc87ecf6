"""Sign-in throttling on the agents' login, the admin's and the API's token exchange: after
LOGIN_FAILURE_LIMIT failures the username (or, at four times that, the address) is refused for
LOGIN_LOCKOUT_SECONDS with 429, without the password even being checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from rest_framework.test import APIClient

from agents.models import Agent

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def failed_checks() -> Iterator[list[str]]:
    """Usernames whose password Django checked and found wrong (its own signal)."""
    seen: list[str] = []

    def record(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
        seen.append(credentials.get("username", ""))

    user_login_failed.connect(record)
    yield seen
    user_login_failed.disconnect(record)


def agent_login(password: str, username: str = "dana", address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/agent/login/", {"username": username, "password": password}
    )


def admin_login(password: str, username: str = "morgan", address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )


def signed_in(response: Any) -> bool:
    return "_auth_user_id" in response.wsgi_request.session


def fail(times: int, login: Any = agent_login, **who: str) -> None:
    for _ in range(times):
        response = login("wrong", **who)
        assert response.status_code == 200
        assert not signed_in(response)


@pytest.mark.usefixtures("clock")
def test_the_sixth_attempt_is_refused_even_with_the_right_password(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(presence="offline")
    fail(5)
    response = agent_login("pw-dana")
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    html = response.content.decode()
    assert "Too many failed sign-ins; try again in 5 minutes." in html
    assert "did not match" not in html
    assert not signed_in(response)
    dana.refresh_from_db()
    assert dana.presence == "offline"  # form_valid never ran


@pytest.mark.usefixtures("clock")
def test_a_refused_attempt_does_not_check_the_password(
    dana: Agent, failed_checks: list[str]
) -> None:
    fail(5)
    assert failed_checks == ["dana"] * 5
    assert agent_login("still wrong").status_code == 429
    assert agent_login("pw-dana").status_code == 429
    assert failed_checks == ["dana"] * 5  # authenticate() was not called again


def test_the_lockout_expires(dana: Agent, clock: time_machine.Traveller) -> None:
    fail(5)
    clock.shift(timedelta(minutes=4))
    refused = agent_login("pw-dana")
    assert refused.status_code == 429
    assert "try again in 1 minute." in refused.content.decode()
    assert refused["Retry-After"] == "60"
    clock.shift(timedelta(seconds=61))
    response = agent_login("pw-dana")
    assert response.status_code == 302
    assert response["Location"] == "/agent/"
    assert signed_in(response)


def test_failures_spread_over_more_than_the_window_do_not_lock(
    dana: Agent, clock: time_machine.Traveller
) -> None:
    fail(4)
    clock.shift(timedelta(seconds=301))  # the first four are forgotten
    fail(4)
    assert agent_login("pw-dana").status_code == 302


@pytest.mark.usefixtures("clock")
def test_a_successful_sign_in_resets_the_usernames_count(dana: Agent) -> None:
    fail(4)
    assert agent_login("pw-dana").status_code == 302
    fail(4)  # without the reset, the fifth failure would have locked dana already
    assert agent_login("pw-dana").status_code == 302
    fail(5)
    assert agent_login("pw-dana").status_code == 429


@pytest.mark.usefixtures("clock")
def test_another_username_is_unaffected(dana: Agent, sam: Agent) -> None:
    fail(5)
    assert agent_login("pw-dana").status_code == 429
    response = agent_login("pw-sam", username="sam")
    assert response.status_code == 302
    assert signed_in(response)


@pytest.mark.usefixtures("clock")
def test_case_and_spaces_do_not_make_a_new_username_to_guess_at(dana: Agent) -> None:
    for variant in ["dana", "DANA", " Dana", "dAna ", "dana"]:
        agent_login("wrong", username=variant)
    assert agent_login("pw-dana").status_code == 429


@pytest.mark.usefixtures("clock")
def test_one_address_spraying_many_usernames_is_refused(dana: Agent, sam: Agent) -> None:
    """Four guesses each at five usernames stays under each username's limit, but one address
    may fail only 4 x LOGIN_FAILURE_LIMIT times; other addresses are not affected."""
    for name in ["dana", "sam", "lee", "kim", "ana"]:
        fail(4, username=name, address="203.0.113.9")
    refused = agent_login("pw-sam", username="sam", address="203.0.113.9")
    assert refused.status_code == 429
    assert not signed_in(refused)
    assert agent_login("pw-sam", username="sam", address="198.51.100.7").status_code == 302
    # A success at the address does not clear it: one's own account buys no more guesses.
    assert agent_login("pw-dana", username="dana", address="203.0.113.9").status_code == 429


@pytest.mark.usefixtures("clock")
def test_the_admin_login_is_throttled_too(supervisor_user: User) -> None:
    fail(5, login=admin_login)
    response = admin_login("pw-morgan")
    assert response.status_code == 429
    assert response["Retry-After"] == "300"
    assert "Too many failed sign-ins; try again in 5 minutes." in response.content.decode()
    assert not signed_in(response)


@pytest.mark.usefixtures("clock")
def test_the_admin_login_still_refuses_non_staff_and_counts_no_guess_for_it(dana: Agent) -> None:
    for _ in range(6):  # the right password, but not staff: refused, and not a failure
        response = admin_login("pw-dana", username="dana")
        assert response.status_code == 200
        assert not signed_in(response)
        assert "staff account" in response.content.decode()
    assert agent_login("pw-dana").status_code == 302


@pytest.mark.usefixtures("clock")
def test_failures_count_across_the_agents_and_the_admins_login(supervisor_user: User) -> None:
    fail(3, username="morgan")
    fail(2, login=admin_login)
    assert admin_login("pw-morgan").status_code == 429
    assert agent_login("pw-morgan", username="morgan").status_code == 429


@pytest.mark.usefixtures("clock")
def test_the_api_token_exchange_is_throttled_with_the_same_counts(dana: Agent) -> None:
    """Otherwise /api/auth/token/ would be an unthrottled way to guess the same passwords."""
    api = APIClient(REMOTE_ADDR="127.0.0.1")
    for _ in range(3):
        wrong = api.post("/api/auth/token/", {"username": "dana", "password": "nope"})
        assert wrong.status_code == 400
    fail(2)
    refused = api.post("/api/auth/token/", {"username": "dana", "password": "pw-dana"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) == 300
    assert agent_login("pw-dana").status_code == 429


@pytest.mark.usefixtures("clock")
def test_a_token_exchange_success_resets_the_count(dana: Agent) -> None:
    fail(4)
    api = APIClient()
    assert (
        api.post("/api/auth/token/", {"username": "dana", "password": "pw-dana"}).status_code == 200
    )
    fail(4)
    assert agent_login("pw-dana").status_code == 302


@pytest.mark.usefixtures("clock")
def test_the_limits_are_settings(dana: Agent, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_LOCKOUT_SECONDS = 90
    fail(2)
    refused = agent_login("pw-dana")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "90"
    assert "try again in 2 minutes." in refused.content.decode()


@pytest.mark.usefixtures("clock")
def test_a_blank_form_is_not_a_guess(dana: Agent) -> None:
    for _ in range(6):
        assert (
            Client().post("/agent/login/", {"username": "dana", "password": ""}).status_code == 200
        )
    assert agent_login("pw-dana").status_code == 302


@pytest.mark.usefixtures("clock")
def test_an_attackers_failures_do_not_lock_the_agent_out_at_their_own_address(
    dana: Agent,
) -> None:
    """Five wrong passwords for dana from the attacker's address lock that pair only: dana
    signs in from the office, the attacker stays refused."""
    fail(5, address="203.0.113.9")
    assert agent_login("pw-dana", address="203.0.113.9").status_code == 429
    at_work = agent_login("pw-dana", address="198.51.100.7")
    assert at_work.status_code == 302
    assert signed_in(at_work)
    assert agent_login("pw-dana", address="203.0.113.9").status_code == 429  # still refused


@pytest.mark.usefixtures("clock")
def test_guessing_one_password_from_many_addresses_is_stopped_too(dana: Agent) -> None:
    """Four guesses from each of ten addresses stays under every per-address limit, but a
    username may fail 2 x 4 x LOGIN_FAILURE_LIMIT times from everywhere together."""
    for host in range(10):
        fail(4, address=f"192.0.2.{host}")
    assert agent_login("pw-dana", address="198.51.100.7").status_code == 429
