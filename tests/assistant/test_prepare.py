"""manage.py prepare_assistant: the models ready before the first customer, with progress."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from assistant.intent import fingerprint
from assistant.management.commands.prepare_assistant import STEPS, ProgressBar
from assistant.models import TrainingRun
from assistant.selectors import training_examples


@pytest.mark.django_db
def test_a_run_after_the_first_finds_the_models_in_the_cache_and_serves_them(
    intent_model: object, cues: object
) -> None:
    out = io.StringIO()
    call_command("prepare_assistant", stdout=out)
    assert "The assistant is ready (loaded from the cache" in out.getvalue()
    served = TrainingRun.objects.get()
    assert (served.fingerprint, served.status) == (fingerprint(training_examples()), "ready")


def test_the_bar_moves_through_the_steps_and_never_passes_the_one_running() -> None:
    out = io.StringIO()
    bar = ProgressBar(OutputWrapper(out))
    steps = list(STEPS)
    bar(steps[0])
    bar.step_started -= 3600  # an hour into the first step: still not past its share
    assert bar.share() < STEPS[steps[0]]
    bar(steps[1])
    assert bar.share() >= STEPS[steps[0]]  # the first is done once the second starts
    assert out.getvalue().splitlines() == [f"  … {steps[0]}", f"  … {steps[1]}"]  # no terminal
