"""manage.py retrain_assistant: train the model for the current data here, now."""

from typing import Any

from django.core.management.base import BaseCommand

from assistant.selectors import current_run
from assistant.services import training_run_execute


class Command(BaseCommand):
    help = "Train the assistant's model for the current intents and phrases (if not ready)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = training_run_execute() or current_run()
        if run is None:
            self.stdout.write("Another process is training this data right now.")
            return
        accuracy = run.validation.get("accuracy")
        self.stdout.write(
            self.style.SUCCESS(
                f"Model {run.fingerprint} {run.status}: {run.phrases} phrases, {run.intents} "
                f"intents" + (f", held-out accuracy {accuracy:.1%}" if accuracy else "") + "."
            )
        )
