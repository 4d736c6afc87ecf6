from celery import shared_task

from assistant.services import training_run_execute


@shared_task(name="assistant.tasks.training_run", acks_late=True)
def training_run() -> str | None:
    """Train the model for the current data, unless it is ready or being trained elsewhere."""
    run = training_run_execute()
    return run.fingerprint if run else None
