from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from helpdesk.flows import turns_sweep, turns_take


@shared_task(
    name="helpdesk.tasks.email_send",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def email_send_task(to: str, subject: str, body: str) -> None:
    """One plain email (a customer's one-time code): retried while the mail server is away."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@shared_task(name="helpdesk.tasks.take_turns", acks_late=True, reject_on_worker_lost=True)
def take_turns_task(conversation_id: int) -> int:
    """Take the conversation's owed turns (a second delivery finds them done)."""
    return len(turns_take(conversation_id))


@shared_task(name="helpdesk.tasks.sweep_turns", acks_late=True)
def sweep_turns_task() -> int:
    """Take the turns owed for a few seconds that nobody is taking (see helpdesk.flows.owed)."""
    return turns_sweep()
