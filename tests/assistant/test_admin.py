"""Supervisors make the assistant their own in admin: intents on and off, phrases imported,
the model's state and what would make it misbehave, in plain words."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assistant.models import Intent, TrainingPhrase, TrainingRun
from helpdesk.models import KnowledgeArticle

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(supervisor_user: User) -> Client:
    client = Client()
    client.force_login(supervisor_user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_intent_list_warns_of_what_would_misbehave(supervisor: Client) -> None:
    Intent.objects.create(code="card_lost", name="Lost card")  # no article, no answer
    Intent.objects.create(code="branch_hours", name="Branch hours", answer="9 to 5, Mon-Fri.")
    Intent.objects.create(code="fraud", name="Fraud", handling="hand_over")  # no boundary
    KnowledgeArticle.objects.create(title="Loans", body="...", intents="loan_rates")
    response = supervisor.get(reverse("admin:assistant_intent_changelist"))
    assert response.status_code == 200
    shown = messages_of(response)
    assert any("“card_lost” has no active article and no answer" in m for m in shown)
    assert not any("“branch_hours”" in m for m in shown)  # its own answer is enough
    assert any("“fraud” is handed over, but no enabled capability boundary" in m for m in shown)
    assert any("Article “Loans” names an unknown intent “loan_rates”" in m for m in shown)
    assert any(m.startswith("No model trained yet") for m in shown)


def test_the_model_state_is_shown_in_words(supervisor: Client) -> None:
    now = timezone.now()
    TrainingRun.objects.create(
        fingerprint="a" * 16, status="ready", intents=40, phrases=10801,
        validation={"accuracy": 0.885}, started_at=now, finished_at=now, activated_at=now,
    )  # fmt: skip
    TrainingRun.objects.create(fingerprint="b" * 16, status="training", started_at=now)
    response = supervisor.get(reverse("admin:assistant_trainingrun_changelist"))
    (state,) = [m for m in messages_of(response) if m.startswith("Model ready")]
    assert "trained on 10,801 phrases and 40 intents; 88.5% of held-out phrases" in state
    assert "A new model is training; the current one answers until it is ready." in state
    assert b"88.5%" in response.content


def test_the_demo_intents_switch_off_all_at_once_and_retrain(
    supervisor: Client, django_capture_on_commit_callbacks: Any
) -> None:
    store = list(Intent.objects.filter(handling="answer").values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as queued:
        response = supervisor.post(
            reverse("admin:assistant_intent_changelist"),
            {"action": "disable_intents", "_selected_action": store},
            follow=True,
        )
    assert f"{len(store)} intent(s) switched off; the model retrains." in messages_of(response)
    assert not Intent.objects.filter(handling="answer", enabled=True).exists()
    assert Intent.objects.filter(code="human_request", enabled=True).exists()
    assert len(queued) == 1


def test_a_phrase_added_in_admin_retrains_after_commit(
    supervisor: Client, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = Intent.objects.get(code="invoice")
    with django_capture_on_commit_callbacks() as queued:
        response = supervisor.post(
            reverse("admin:assistant_trainingphrase_add"),
            {
                "intent": invoice.pk,
                "text": "my zorbleflax receipt",
                "language": "en",
                "active": "on",
            },
        )
    assert response.status_code == 302
    assert TrainingPhrase.objects.filter(intent=invoice, text="my zorbleflax receipt").exists()
    assert len(queued) == 1


def test_phrases_are_imported_from_a_file_in_admin(supervisor: Client) -> None:
    url = reverse("admin:assistant_trainingphrase_import")
    assert supervisor.get(url).status_code == 200
    good = SimpleUploadedFile(
        "phrases.csv", b"intent,text\ncard_lost,I lost my card\ncard_lost,card stolen\n"
    )
    response = supervisor.post(url, {"file": good}, follow=True)
    assert "2 phrase(s) imported, 0 already known, 1 new intent(s)." in messages_of(response)
    assert TrainingPhrase.objects.filter(intent__code="card_lost").count() == 2


def test_a_bad_file_imports_nothing_and_lists_each_row_to_fix(supervisor: Client) -> None:
    url = reverse("admin:assistant_trainingphrase_import")
    bad = SimpleUploadedFile(
        "phrases.jsonl", b'{"intent": "ok_one", "text": "fine"}\n{"text": "x"}\n'
    )
    response = supervisor.post(url, {"file": bad})
    assert response.status_code == 200
    assert b"Nothing was imported: 1 row(s) to fix" in response.content
    assert b"<td>2</td><td>no intent</td>" in response.content
    assert not Intent.objects.filter(code="ok_one").exists()
    latin = SimpleUploadedFile("phrases.csv", "intent,text\nx,café\n".encode("latin-1"))
    assert b"The file is not UTF-8 text." in supervisor.post(url, {"file": latin}).content


def test_retrain_now_starts_a_run_in_the_background(
    supervisor: Client, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("admin:assistant_trainingrun_retrain")
    with django_capture_on_commit_callbacks() as queued:
        response = supervisor.post(url, follow=True)
    assert "Training started; the current model answers until the new one is ready." in (
        messages_of(response)
    )
    assert len(queued) == 1
    assert supervisor.get(url).status_code == 302  # a GET changes nothing
