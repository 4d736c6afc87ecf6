"""Supervisors configure everything in admin: every model lists, searches and opens."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from escalation.models import CapabilityBoundary, SentimentPolicy
from helpdesk.assistant import runtime
from helpdesk.assistant.intent import fingerprint
from helpdesk.models import Customer, TrainingPhrase
from helpdesk.services import conversation_start, message_post


@pytest.fixture
def supervisor(supervisor_user: User) -> Client:
    client = Client()
    client.force_login(supervisor_user)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return client


def test_every_registered_model_lists_searches_and_opens(supervisor: Client) -> None:
    alice = Customer.objects.get(email="alice@example.com")
    conversation = conversation_start(customer=alice)
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


def test_the_retrain_action_trains_even_when_nothing_changed(
    supervisor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk.assistant.intent import IntentModel

    runtime.get_assistant()
    trained: list[int] = []
    original = IntentModel.train.__func__  # type: ignore[attr-defined]

    def counting(cls: type[IntentModel], examples: list[tuple[str, str]]) -> IntentModel:
        trained.append(len(examples))
        return original(cls, examples)

    monkeypatch.setattr(IntentModel, "train", classmethod(counting))
    TrainingPhrase.objects.create(intent="invoice", text="invoice copy please", active=False)
    phrase = TrainingPhrase.objects.get()
    supervisor.post(
        reverse("admin:helpdesk_trainingphrase_changelist"),
        {"action": "retrain_assistant", "_selected_action": [phrase.pk]},
    )
    assert len(trained) == 1


def test_added_phrases_teach_the_assistant_after_the_retrain_action(supervisor: Client) -> None:
    text = "where can I find the zorbleflax"
    assert runtime.get_assistant().model.predict(text).intent != "invoice"
    for variant in [
        "zorbleflax please",
        "send me the zorbleflax",
        "I need my zorbleflax",
        "download zorbleflax",
    ]:
        TrainingPhrase.objects.create(intent="invoice", text=variant)
    phrase = TrainingPhrase.objects.first()
    assert phrase is not None
    response = supervisor.post(
        reverse("admin:helpdesk_trainingphrase_changelist"),
        {"action": "retrain_assistant", "_selected_action": [phrase.pk]},
        follow=True,
    )
    assert b"The assistant was retrained" in response.content
    assert runtime.get_assistant().model.predict(text).intent == "invoice"


def test_admin_refuses_a_broken_or_runaway_regex_with_the_reason(supervisor: Client) -> None:
    boundary = CapabilityBoundary.objects.get(code="legal")
    url = reverse("admin:escalation_capabilityboundary_change", args=[boundary.pk])
    form = {
        "code": boundary.code,
        "name": boundary.name,
        "enabled": "on",
        "intents": boundary.intents,
        "intent_threshold": "0.5",
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


def test_adding_a_phrase_in_admin_trains_the_new_model_in_a_task(
    supervisor: Client, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ASSISTANT_MODEL_DIR = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = (
        True  # the worker's job, run here (a worker is tested elsewhere)
    )
    runtime._state.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post(
            reverse("admin:helpdesk_trainingphrase_add"),
            {
                "intent": "invoice",
                "text": "my zorbleflax receipt",
                "language": "en",
                "active": "on",
            },
        )
    assert response.status_code == 302
    expected = fingerprint(runtime.training_examples())
    assert (tmp_path / f"intent-{expected}.joblib").exists()  # trained by the task, not a chat
    runtime._state.clear()


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
