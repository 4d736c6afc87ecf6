from celery import shared_task

from helpdesk.assistant.runtime import get_assistant


@shared_task(name="helpdesk.tasks.assistant_prepare", acks_late=True)
def assistant_prepare() -> str:
    """Train (or load) the model for the current training data, so that chat processes find it
    in the disk cache instead of training inside a customer's turn."""
    return get_assistant().model.version
