from celery import shared_task

from escalation.services import handoff_refresh


@shared_task(name="escalation.tasks.handoff_refresh", acks_late=True)
def handoff_refresh_task(conversation_id: int) -> int | None:
    """Bring the conversation's handoff package up to date (idempotent: safe to run twice)."""
    package = handoff_refresh(conversation_id=conversation_id)
    return package.version if package else None
