from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(
    name="helpdesk.tasks.email_send",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def email_send_task(to: str, subject: str, body: str) -> None:
    """One plain email (a customer's one-time code): retried while the mail server is away."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
