import pytest
from django.conf import settings

from assistant.catalogue import shipped_training_set
from assistant.intent import IntentModel, load_or_train


@pytest.fixture(scope="session")
def intent_model() -> IntentModel:
    """The shipped model, trained once per run (or loaded from the disk cache)."""
    return load_or_train(shipped_training_set(), settings.ASSISTANT_MODEL_DIR)
