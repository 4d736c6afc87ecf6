"""Supervisors configure everything in admin: every model lists, searches and opens."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from escalation.models import CapabilityBoundary, SentimentPolicy
from helpdesk.flows import conversation_open
from helpdesk.models import Customer
from helpdesk.services import message_post


@pytest.fixture
def supervisor(supervisor_user: User) -> Client:
    client = Client()
    client.force_login(supervisor_user)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return client


def test_every_model_in_admin_has_an_english_plural() -> None:
    """Django adds an "s": "message analysiss", "webhook deliverys" is what a supervisor saw."""
    wrong = re.compile(r"([^aeiou]ys|sis|[sxz]s|[cs]hs)$")
    plurals = {str(model._meta.verbose_name_plural) for model in admin.site._registry}
    assert "message analyses" in plurals
    assert "webhook deliveries" in plurals
    assert sorted(plural for plural in plurals if wrong.search(plural)) == []


def test_every_registered_model_lists_searches_and_opens(supervisor: Client) -> None:
    alice = Customer.objects.get(email="alice@example.com")
    conversation = conversation_open(customer=alice)
    message_post(conversation_id=conversation.pk, author_kind="customer", body="Where is my order?")
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = supervisor.get(changelist, {"q": "alice"} if model_admin.search_fields else {})
        assert response.status_code == 200, changelist
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert supervisor.get(change).status_code == 200, change


def test_a_trigger_policy_is_tuned_in_admin(supervisor: Client) -> None:
    policy = SentimentPolicy.load()
    url = reverse("admin:escalation_sentimentpolicy_change", args=[policy.pk])
    response = supervisor.post(url, {"enabled": "on", "threshold": "-0.5", "consecutive": "3"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.threshold, policy.consecutive) == (-0.5, 3)
    # Out of range: refused with the reason, nothing saved.
    response = supervisor.post(url, {"enabled": "on", "threshold": "0.5", "consecutive": "0"})
    assert response.status_code == 200
    assert b"Ensure this value is less than or equal to 0.0" in response.content
    policy.refresh_from_db()
    assert policy.threshold == -0.5


def test_admin_refuses_a_broken_or_runaway_regex_with_the_reason(supervisor: Client) -> None:
    boundary = CapabilityBoundary.objects.get(code="legal")
    url = reverse("admin:escalation_capabilityboundary_change", args=[boundary.pk])
    form = {
        "code": boundary.code,
        "name": boundary.name,
        "enabled": "on",
        "intents": boundary.intents,
        "intent_threshold": "0.5",
        "similarity_threshold": "0.5",
        "skill": boundary.skill_id or "",
        "urgency": "high",
    }
    response = supervisor.post(url, {**form, "phrases": "/(\\w+\\s?)+$/\n/[unclosed/"})
    assert response.status_code == 200
    assert b"nested repetition" in response.content
    assert b"unterminated character set" in response.content
    boundary.refresh_from_db()
    assert "(\\w+\\s?)+" not in boundary.phrases
    assert (
        supervisor.post(
            url, {**form, "phrases": "small claims court\n/\\bsu(e|ing)\\b/"}
        ).status_code
        == 302
    )


def test_a_supervisor_rewrites_a_customer_text_and_a_broken_one_is_refused(
    supervisor: Client,
) -> None:
    from escalation.models import MessageTemplate
    from escalation.texts import render

    url = reverse("admin:escalation_messagetemplate_add")
    broken = supervisor.post(
        url, {"key": "queued", "language": "de", "text": "Platz {place}, {minutes} Min."}
    )
    assert broken.status_code == 200
    assert "Unknown placeholder" in broken.content.decode()
    assert not MessageTemplate.objects.exists()
    saved = supervisor.post(
        url,
        {"key": "queued", "language": "de", "text": "Sie sind Nummer {position} ({minutes} Min.)."},
    )
    assert saved.status_code == 302
    assert render("queued", "de", position=4, minutes=9) == "Sie sind Nummer 4 (9 Min.)."
    assert render("queued", "fr", position=4, minutes=9).startswith("Vous êtes numéro 4")
    change = supervisor.get(
        reverse("admin:escalation_messagetemplate_change", args=[MessageTemplate.objects.get().pk])
    )
    assert "Vous êtes numéro {position}" in change.content.decode()  # the shipped texts beside it


def test_a_supervisor_rewrites_the_greeting_that_opens_a_chat_in_one_language(
    supervisor: Client,
) -> None:
    url = reverse("admin:escalation_messagetemplate_add")
    assert '<option value="greeting">greeting</option>' in supervisor.get(url).content.decode()
    saved = supervisor.post(
        url, {"key": "greeting", "language": "fr", "text": "Bonjour ! Que puis-je pour vous ?"}
    )
    assert saved.status_code == 302
    customer = Client()
    customer.post("/chat/start/", {"language": "fr"})
    assert "Bonjour ! Que puis-je pour vous ?" in customer.get("/chat/").content.decode()
    customer = Client()
    customer.post("/chat/start/", {"language": "de"})
    assert "Hallo! Ich bin der Assistent" in customer.get("/chat/").content.decode()


def test_a_team_gets_its_hours_in_admin_and_a_bad_zone_is_refused(supervisor: Client) -> None:
    from routing.models import Team

    url = reverse("admin:routing_team_add")
    form = {
        "name": "Berlin desk",
        "time_zone": "Europe/Berlin",
        "holiday_country": "DE",
        "holiday_subdivision": "BE",
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-0-weekday": "0",
        "hours-0-opens": "09:00",
        "hours-0-closes": "17:00",
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "0",
        "closures-0-date": "2026-12-31",
        "closures-0-reason": "Year end",
    }
    refused = supervisor.post(url, {**form, "time_zone": "Mars/Olympus", "holiday_country": "XX"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "is not a time zone name" in page
    assert "no public holidays for" in page
    backwards = supervisor.post(url, {**form, "hours-0-closes": "08:00"})
    assert "Closing time must be after opening time" in backwards.content.decode()
    unknown_region = supervisor.post(url, {**form, "holiday_subdivision": "ZZ"})
    assert unknown_region.status_code == 200
    assert not Team.objects.filter(name="Berlin desk").exists()
    until_midnight = {**form, "hours-0-opens": "18:00", "hours-0-closes": "00:00"}
    assert supervisor.post(url, until_midnight).status_code == 302
    assert Team.objects.get(name="Berlin desk").hours.get().closes.hour == 0
    Team.objects.filter(name="Berlin desk").delete()
    assert supervisor.post(url, form).status_code == 302
    team = Team.objects.get(name="Berlin desk")
    assert [(h.weekday, str(h.opens)) for h in team.hours.all()] == [(0, "09:00:00")]
    assert team.closures.get().reason == "Year end"
