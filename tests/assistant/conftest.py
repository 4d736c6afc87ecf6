import pytest
from django.conf import settings

from helpdesk.assistant.intent import IntentModel, builtin_examples, load_or_train


@pytest.fixture(scope="session")
def intent_model() -> IntentModel:
    """The shipped model, trained once per run (or loaded from the disk cache)."""
    return load_or_train(builtin_examples(), settings.ASSISTANT_MODEL_DIR)
