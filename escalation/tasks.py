from celery import shared_task

from escalation.services import handoff_refresh
from escalation.timers import timer_run, timers_dispatch


@shared_task(name="escalation.tasks.handoff_refresh", acks_late=True)
def handoff_refresh_task(conversation_id: int) -> int | None:
    """Bring the conversation's handoff package up to date (idempotent: safe to run twice)."""
    package = handoff_refresh(conversation_id=conversation_id)
    return package.version if package else None


@shared_task(name="escalation.tasks.run_timer", acks_late=True, reject_on_worker_lost=True)
def run_timer_task(timer_id: int) -> str:
    """Run one timer row (idempotent: a second delivery finds it done)."""
    return timer_run(timer_id=timer_id)


@shared_task(name="escalation.tasks.sweep_timers", acks_late=True)
def sweep_timers_task() -> int:
    """Beat: lease the due timers and send a task for each."""
    return timers_dispatch()
