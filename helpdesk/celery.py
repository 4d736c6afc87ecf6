import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fix-up closes every database connection before and after each task, and on a
# prefork worker with a psycopg pool closes the whole pool: each task then opened two new
# PostgreSQL connections (a server process forked for each), about a third of a turn's cost.
# The pool is already safe across the fork (helpdesk.dbpool); it now lives as long as the child,
# recycled every 10,000 tasks, and each task hands its connection back to it at the end
# (helpdesk.tasks, `_connection_back_to_the_pool`), as a web request does.
app.conf["CELERY_DB_REUSE_MAX"] = 5_000  # the fix-up closes after 2 x this many calls
app.autodiscover_tasks()
