from celery import shared_task

from agents.services import presence_sweep as presence_sweep_service


@shared_task(name="agents.tasks.presence_sweep", acks_late=True)
def presence_sweep() -> int:
    return presence_sweep_service()
