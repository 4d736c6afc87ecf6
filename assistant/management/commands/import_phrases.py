"""manage.py import_phrases FILE: training phrases (and the intents they name) in bulk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistant.importing import ImportFormatError, format_of, phrases_import


class Command(BaseCommand):
    help = (
        "Import training phrases from a CSV (header: intent,text[,language,intent_name]) or "
        "JSON Lines file. All rows or none; phrases already known are skipped and reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="default: by extension")
        parser.add_argument("--dry-run", action="store_true", help="check only")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            file_format = options["format"] or format_of(path.name)
            content = path.read_text(encoding="utf-8-sig")
            report = phrases_import(
                content=content, file_format=file_format, dry_run=options["dry_run"]
            )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        except ImportFormatError as error:
            raise CommandError(str(error)) from None
        for line, text in report.duplicates[:20]:
            self.stdout.write(f"line {line}: already known, skipped: {text}")
        if len(report.duplicates) > 20:
            self.stdout.write(f"... and {len(report.duplicates) - 20} more already known")
        if not report.ok:
            for line, reason in report.errors:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(f"Nothing imported: {len(report.errors)} row(s) to fix.")
        verb = "would be imported" if options["dry_run"] else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.added} phrase(s) {verb}, {len(report.duplicates)} already known, "
                f"{len(report.intents_created)} new intent(s)"
                + (f": {', '.join(report.intents_created)}" if report.intents_created else "")
                + "."
            )
        )
