"""Everything a turn loads, loaded before the first customer arrives.

A process that waited for its first message to load the assistant made that customer wait for
it: the letters of the four languages learned (3.5 s), the topic reader that compares a question
with the earlier ones, the boundaries' example matchers, and for a first handoff the teams'
public holidays and the Celery task modules it queues work with (0.7 s). The web server (at start-up, helpdesk.asgi) and each Celery worker
(helpdesk.tasks) run `turns_warm_up` in a background thread instead: it reads two made-up
messages as a turn would, stores nothing, and a first reply then comes as fast as the rest.
"""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections
from django.utils import timezone

from assistant.analysis import Earlier
from assistant.runtime import get_assistant
from escalation.selectors import policy_from_db
from helpdesk.flows.runner import TAKE_TURNS_TASK
from helpdesk.realtime import task_named
from routing.teams import desks, team_schedule

logger = logging.getLogger(__name__)

# Long enough for the language reader to weigh their letters (a message of one or two words
# with no telling word is taken to be in the customer's language, unread); the second follows
# the first, so it is compared with it as a conversation's second question is.
WARM_UP = ("Where is my order? It has not arrived yet.", "Can I send it back for a refund?")


def turns_warm_up() -> None:
    started = time.perf_counter()
    try:
        policy = policy_from_db()
        examples = {b.code: b.examples for b in policy.boundaries if b.examples}
        assistant = get_assistant()
        first = assistant.analyse(
            WARM_UP[0], customer_language="en", earlier=[], boundary_examples=examples
        )
        assistant.analyse(
            WARM_UP[1],
            customer_language="en",
            earlier=[Earlier(first.text, first.intent.intent, True, first.sentiment.score)],
            transcript=[("customer", first.text)],
            boundary_examples=examples,
        )
        task_named(TAKE_TURNS_TASK)  # imports the tasks modules, once per process
        for team in desks().teams:  # their holidays, computed once per process
            team_schedule(team, timezone.now())
        logger.info("The assistant is ready (%.1f s)", time.perf_counter() - started)
    except Exception:  # the first message will try again and report it
        logger.exception("Could not load the assistant before the first customer")
    finally:
        close_old_connections()
