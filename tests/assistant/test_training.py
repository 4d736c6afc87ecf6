"""Training runs: off the customers' path, validated, swapped in when ready, coalesced.

These train on a deployment's own small set of intents (the shipped ones switched off), as a
bank or a bike shop would, so each training takes about a second.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from assistant import runtime
from assistant.intent import cached_path, fingerprint, load_or_train
from assistant.language import detect_language
from assistant.likeness import question_similarities
from assistant.models import Intent, TrainingPhrase, TrainingRun
from assistant.selectors import training_examples
from assistant.services import training_run_execute, training_run_soon, training_wait
from assistant.tasks import training_run

OWN = {
    "card_lost": ["I lost my card", "my card was stolen", "can't find my bank card anywhere",
                  "someone took my wallet with the card", "block my lost card please",
                  "card missing since yesterday", "he perdido mi tarjeta", "j'ai perdu ma carte"],
    "card_limit": ["what is my card limit", "raise my spending limit", "how much can I spend per day",
                   "increase the limit on my card", "daily withdrawal limit?", "limit too low for rent",
                   "¿cuál es el límite de mi tarjeta?", "quel est le plafond de ma carte"],
}  # fmt: skip


def own_intents(extra: dict[str, list[str]] | None = None) -> None:
    """A deployment's own intents: the shipped ones off, these on."""
    Intent.objects.update(enabled=False)
    for code, phrases in {**OWN, **(extra or {})}.items():
        intent, _ = Intent.objects.update_or_create(
            code=code, defaults={"name": code, "enabled": True}
        )
        for text in phrases:
            TrainingPhrase.objects.get_or_create(
                intent=intent, text=text, defaults={"language": detect_language(text)}
            )


@pytest.fixture(autouse=True)
def model_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.ASSISTANT_MODEL_DIR = tmp_path
    runtime.forget()
    yield tmp_path
    runtime.forget()


@pytest.mark.django_db
def test_a_run_trains_validates_caches_and_is_served(model_dir: Path) -> None:
    own_intents()
    run = training_run_execute()
    assert run is not None
    assert run.status == TrainingRun.Status.READY
    assert (run.intents, run.phrases) == (2, 16)
    assert run.languages == {"en": 12, "es": 2, "fr": 2}
    assert run.validation["held_out"] == 2  # 15% of each intent's eight phrases
    assert 0.0 <= run.validation["accuracy"] <= 1.0
    assert run.activated_at is not None
    assert cached_path(model_dir, run.fingerprint).exists()
    served = runtime.get_assistant().model
    assert served.version == run.fingerprint
    assert set(served.classes) == set(OWN)
    assert served.predict("block my lost card please").intent == "card_lost"
    assert training_run_execute() is None  # that data is trained: nothing to do


@pytest.mark.django_db
def test_the_current_model_answers_until_the_new_one_is_ready(model_dir: Path) -> None:
    own_intents()
    first = training_run_execute()
    assert first is not None
    old = runtime.get_assistant().model
    own_intents({"branch_hours": ["when is the branch open", "opening hours of your branches",
                                  "is the branch open on saturday", "what time do you close",
                                  "branch times", "are you open at lunchtime"]})  # fmt: skip
    assert runtime.get_assistant().model is old  # data changed, nothing trained yet
    second = training_run_execute()
    assert second is not None
    assert second.fingerprint == fingerprint(training_examples()) != first.fingerprint
    deadline = time.monotonic() + 20
    while runtime.get_assistant().model.version != second.fingerprint:
        assert time.monotonic() < deadline, "the new model was never swapped in"
        time.sleep(0.05)  # loaded in a background thread, then swapped in one step
    assert "branch_hours" in runtime.get_assistant().model.classes


@pytest.mark.django_db
def test_a_failed_training_is_recorded_and_the_current_model_keeps_serving() -> None:
    own_intents()
    first = training_run_execute()
    assert first is not None
    served = runtime.get_assistant().model
    Intent.objects.filter(code="card_limit").update(enabled=False)  # one class cannot train
    with pytest.raises(ValueError, match="two enabled intents"):
        training_run_execute()
    failed = TrainingRun.objects.get(status=TrainingRun.Status.FAILED)
    assert "At least two enabled intents with phrases are needed" in failed.error
    assert runtime.get_assistant().model is served


@pytest.mark.django_db
def test_the_celery_task_trains_the_current_data() -> None:
    own_intents()
    assert training_run.apply().get() == fingerprint(training_examples())
    assert TrainingRun.objects.get().status == TrainingRun.Status.READY


@pytest.mark.django_db(transaction=True)
def test_saves_in_a_row_train_once_in_a_background_process(settings: Any) -> None:
    """The embedded default: a burst of changes waits out the debounce, then one run trains
    in a separate process while this one goes on."""
    settings.ASSISTANT_TRAIN_IN = "background"
    settings.ASSISTANT_TRAIN_DEBOUNCE_SECONDS = 3.0
    own_intents()
    limit = Intent.objects.get(code="card_limit")
    for text in ["card limit abroad", "limit for online payments", "can I pay more than 500"]:
        with transaction.atomic():
            TrainingPhrase.objects.create(intent=limit, text=text)
            training_run_soon()
    assert not TrainingRun.objects.exists()  # nothing trained on the saving thread
    training_wait(timeout=180)
    (run,) = TrainingRun.objects.all()
    assert run.status == TrainingRun.Status.READY
    assert run.phrases == 19
    assert run.fingerprint == fingerprint(training_examples())


@pytest.mark.django_db
def test_a_model_found_on_disk_is_recorded_as_the_served_run(model_dir: Path) -> None:
    """Trained by a command or another deployment of the same data: admin shows it, and other
    processes serve it, without training it again."""
    own_intents()
    load_or_train(training_examples(), model_dir)
    assert not TrainingRun.objects.exists()
    served = runtime.get_assistant().model
    run = TrainingRun.objects.get()
    assert (run.status, run.fingerprint) == (TrainingRun.Status.READY, served.version)
    assert run.activated_at is not None
    assert (run.intents, run.phrases) == (2, 16)


@pytest.mark.django_db
def test_with_two_intents_topics_still_tell_messages_apart() -> None:
    own_intents()
    model = load_or_train(training_examples(), settings.ASSISTANT_MODEL_DIR)
    lost, limit = model.topic_probabilities(["I lost my card", "raise my spending limit"])
    assert lost.argmax() != limit.argmax()
    assert question_similarities(model, "I lost my card", ["raise my spending limit"])[0] < 0.3
