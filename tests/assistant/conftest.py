import pytest
from django.conf import settings

from assistant.catalogue import shipped_training_set
from assistant.cues import CueModel, load_or_train_cues
from assistant.intent import IntentModel, load_or_train


@pytest.fixture(scope="session")
def intent_model() -> IntentModel:
    """The shipped model, trained once per run (or loaded from the disk cache)."""
    return load_or_train(shipped_training_set(), settings.ASSISTANT_MODEL_DIR)


@pytest.fixture(scope="session")
def cues() -> CueModel:
    """The shipped cue model (asks for a person, mood), trained once or loaded."""
    return load_or_train_cues(settings.ASSISTANT_MODEL_DIR)
