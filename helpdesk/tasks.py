import threading
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready
from django.conf import settings
from django.core.mail import send_mail
from django.db import close_old_connections

from helpdesk.flows import turns_sweep, turns_take
from helpdesk.flows.warmup import turns_warm_up


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


# -- a worker loads the assistant before its first turn ------------------------------------


@worker_process_init.connect
def _assistant_loaded_in_each_child(**_: object) -> None:
    """A worker takes the assistant's turns (TURN_RUNNER=celery): each pool child loads the
    model as it starts, in the background, so its first turn finds it loaded (or waits for it,
    never loads it twice) and its other tasks never wait."""
    _preload_in_background()


@worker_ready.connect
def _assistant_loaded_in_a_single_process_worker(sender: Any = None, **_: object) -> None:
    """The same for a worker whose main process runs the tasks (--pool=solo or threads)."""
    pool = getattr(sender, "pool", None)
    if pool is not None and not type(pool).__module__.endswith("prefork"):
        _preload_in_background()


def _preload_in_background() -> None:
    threading.Thread(target=turns_warm_up, name="warm-up", daemon=True).start()


# -- a task's database connection ----------------------------------------------------------


@task_prerun.connect
@task_postrun.connect
def _connection_back_to_the_pool(sender: Any = None, **_: object) -> None:
    """Before and after each task in a worker, as around each web request: the connection goes
    back to the pool (no round trip), or is closed if it broke or is too old; the next query
    takes one from the pool. (Celery's own closing, which closed the pool too, is spaced out in
    helpdesk.celery.) Not for an eager task: it runs inside its caller's transaction."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
