"""List the timers still to run, or run the due ones now (optionally as if it were later).

python manage.py timers                    the pending timers, soonest first
python manage.py timers --run              run what is due now (what beat's sweep does)
python manage.py timers --run --advance 15 run what is due in the next 15 minutes, as if
                                           the clock said so (to try the waiting path)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from escalation.models import Timer
from escalation.timers import timers_run_due


class Command(BaseCommand):
    help = "List pending timers, or run the due ones (optionally moving the clock forward)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", action="store_true", help="Run the due timers now.")
        parser.add_argument(
            "--advance", type=int, default=0, metavar="MINUTES", help="Run as if this much later."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now() + timedelta(minutes=options["advance"])
        if not options["run"]:
            for timer in Timer.objects.filter(done_at__isnull=True).order_by("due_at")[:100]:
                self.stdout.write(f"{timer.due_at:%Y-%m-%d %H:%M:%S} {timer.kind:18} {timer.key}")
            return
        outcomes = timers_run_due(now=now)
        for outcome in outcomes:
            self.stdout.write(outcome)
        self.stdout.write(self.style.SUCCESS(f"{len(outcomes)} timer(s) run as of {now:%H:%M:%S}."))
