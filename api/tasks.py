"""Thin Celery tasks for webhooks: ids in, the work in api.webhooks."""

from celery import shared_task

from api import webhooks


@shared_task(name="api.tasks.deliver_webhook", acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(delivery_id: int) -> str:
    """Post one delivery (idempotent: a delivered one is never sent again) and queue its retry.
    The retry message is a shortcut: beat's sweep sends it anyway once it is due."""
    attempt = webhooks.delivery_attempt(delivery_id=delivery_id)
    if attempt.retry_in is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=attempt.retry_in)
    return attempt.outcome


@shared_task(name="api.tasks.sweep_webhooks", acks_late=True)
def sweep_webhooks() -> int:
    """Beat: send every delivery that is due and that no worker holds."""
    due = webhooks.deliveries_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)
