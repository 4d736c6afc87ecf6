"""Bulk import of training phrases (and the intents they name) from CSV or JSON Lines.

Each row has `intent` and `text`, optionally `language` (en, es, fr, de; detected when empty)
and `intent_name` (the name of an intent the file creates). Every row is checked before anything
is written: one bad row and nothing is imported, each bad row reported with its line number and
the reason. Phrases already known (in the database or earlier in the file) are reported and
skipped, never an error, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from assistant.language import detect_language
from assistant.models import Intent, TrainingPhrase
from assistant.services import training_run_soon
from helpdesk.models import LANGUAGE_CHOICES

FIELDS = {"intent", "text", "language", "intent_name"}
LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}
CODE = re.compile(r"^[a-z0-9][a-z0-9_]{0,49}$")
MAX_TEXT = 500
MAX_ROWS = 100_000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Row:
    line: int
    intent: str
    text: str
    language: str
    intent_name: str = ""


@dataclass
class ImportReport:
    added: int = 0
    intents_created: list[str] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line, text)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFormatError(ValueError):
    """The file as a whole cannot be read (not CSV or JSON Lines, missing columns)."""


def phrases_import(*, content: str, file_format: str, dry_run: bool = False) -> ImportReport:
    """Check every row, then import all of them in one transaction, or none."""
    rows, report = parse(content, file_format)
    if report.errors:
        return report
    new_rows = _new_phrases(rows, report)
    if report.errors or dry_run:
        report.added = 0 if report.errors else len(new_rows)
        return report
    with transaction.atomic():
        intents = _intents_for(new_rows, report)
        TrainingPhrase.objects.bulk_create(
            TrainingPhrase(intent=intents[row.intent], text=row.text, language=row.language)
            for row in new_rows
        )
        report.added = len(new_rows)
        if new_rows:
            training_run_soon()
    return report


def parse(content: str, file_format: str) -> tuple[list[Row], ImportReport]:
    report = ImportReport()
    if file_format == "csv":
        records = _csv_records(content)
    elif file_format == "jsonl":
        records = _jsonl_records(content, report)
    else:
        raise ImportFormatError(f"Unknown format {file_format!r}: use csv or jsonl.")
    rows: list[Row] = []
    for line, record in records:
        if len(rows) + len(report.errors) >= MAX_ROWS:
            raise ImportFormatError(f"More than {MAX_ROWS:,} rows: split the file.")
        row = _row(line, record, report)
        if row is not None:
            rows.append(row)
    if not rows and not report.errors:
        raise ImportFormatError("The file has no rows.")
    report.errors.sort()
    return rows, report


def format_of(filename: str) -> str:
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise ImportFormatError("Name the file .csv or .jsonl so its format is known.")


def _csv_records(content: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(content))
    columns = {name.strip() for name in reader.fieldnames or []}
    missing = {"intent", "text"} - columns
    if missing:
        raise ImportFormatError(
            f"The first line must name the columns; missing: {', '.join(sorted(missing))}."
        )
    unknown = columns - FIELDS
    if unknown:
        raise ImportFormatError(
            f"Unknown columns: {', '.join(sorted(unknown))} (known: {', '.join(sorted(FIELDS))})."
        )
    records = []
    for record in reader:
        extra = record.pop(None, None)
        cleaned = {(key or "").strip(): value for key, value in record.items()}
        if extra:
            cleaned["__extra__"] = extra
        records.append((reader.line_num, cleaned))
    return records


def _jsonl_records(content: str, report: ImportReport) -> list[tuple[int, dict[str, Any]]]:
    records = []
    for line, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):
            report.errors.append((line, "not valid JSON"))
            continue
        if not isinstance(record, dict):
            report.errors.append((line, "not a JSON object"))
            continue
        records.append((line, record))
    return records


def _row(line: int, record: dict[str, Any], report: ImportReport) -> Row | None:
    reason = _problem(record)
    if reason:
        report.errors.append((line, reason))
        return None
    text = " ".join(str(record["text"]).split())
    language = str(record.get("language") or "").strip().lower() or detect_language(text)
    return Row(
        line=line,
        intent=str(record["intent"]).strip(),
        text=text,
        language=language,
        intent_name=" ".join(str(record.get("intent_name") or "").split())[:200],
    )


def _problem(record: dict[str, Any]) -> str:
    """Why a row cannot be imported, or '' when it can."""
    if "__extra__" in record:
        return "more values than columns"
    unknown = set(record) - FIELDS
    if unknown:
        return f"unknown field {sorted(unknown)[0]!r}"
    values = {key: record.get(key) for key in FIELDS}
    if any(value is not None and not isinstance(value, str) for value in values.values()):
        return "every value must be text"
    intent, text = (values["intent"] or "").strip(), " ".join((values["text"] or "").split())
    if not intent:
        return "no intent"
    if not CODE.match(intent):
        return f"intent {intent[:60]!r} is not a code (lower-case letters, digits, underscores)"
    if not text:
        return "no text"
    if len(text) > MAX_TEXT:
        return f"text longer than {MAX_TEXT} characters"
    if CONTROL.search(text) or CONTROL.search(values["intent_name"] or ""):
        return "control characters in the text"
    language = (values["language"] or "").strip().lower()
    if language and language not in LANGUAGES:
        return f"language {language[:20]!r} is not one of {', '.join(sorted(LANGUAGES))}"
    return ""


def _new_phrases(rows: list[Row], report: ImportReport) -> list[Row]:
    """The rows not known yet; a text already taught as another intent is an error."""
    texts = {row.text.casefold() for row in rows}
    known: dict[str, str] = {}
    for text, code in TrainingPhrase.objects.values_list("text", "intent__code").iterator():
        if text.casefold() in texts:
            known[text.casefold()] = code
    new = []
    for row in rows:
        key = row.text.casefold()
        if key not in known:
            known[key] = row.intent
            new.append(row)
        elif known[key] == row.intent:
            report.duplicates.append((row.line, row.text))
        else:
            report.errors.append((row.line, f"already a phrase of intent {known[key]!r}"))
    return new


def _intents_for(rows: list[Row], report: ImportReport) -> dict[str, Intent]:
    codes = {row.intent for row in rows}
    intents = {intent.code: intent for intent in Intent.objects.filter(code__in=codes)}
    for row in rows:
        if row.intent not in intents:
            intents[row.intent] = Intent.objects.create(
                code=row.intent, name=row.intent_name or row.intent.replace("_", " ").capitalize()
            )
            report.intents_created.append(row.intent)
    return intents
