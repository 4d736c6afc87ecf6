"""Bulk import of phrases: all rows or none, duplicates reported, each bad row with its line."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from assistant.importing import ImportFormatError, phrases_import
from assistant.models import Intent, TrainingPhrase
from helpdesk.configcache import Area

pytestmark = pytest.mark.django_db

CSV = """intent,text,language,intent_name
card_lost,I lost my card,en,Lost or stolen card
card_lost,he perdido mi tarjeta,es,
card_lost,my card was stolen yesterday,,
order_status,where is parcel 4411,en,
"""


def test_a_csv_creates_the_intents_it_names_and_every_phrase(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        report = phrases_import(content=CSV, file_format="csv")
    assert report.ok
    assert (report.added, report.intents_created) == (4, ["card_lost"])
    lost = Intent.objects.get(code="card_lost")
    assert (lost.name, lost.enabled, lost.shipped, lost.handling) == (
        "Lost or stolen card", True, False, "answer",
    )  # fmt: skip
    languages = dict(TrainingPhrase.objects.filter(intent=lost).values_list("text", "language"))
    assert languages == {
        "I lost my card": "en",
        "he perdido mi tarjeta": "es",
        "my card was stolen yesterday": "en",  # detected, none given
    }
    # One retrain for the whole file, after it committed (besides announcing the change).
    retrains = [job for job in queued if not isinstance(getattr(job, "__self__", None), Area)]
    assert len(retrains) == 1


def test_importing_the_same_file_again_changes_nothing_and_says_so() -> None:
    phrases_import(content=CSV, file_format="csv")
    again = phrases_import(content=CSV, file_format="csv")
    assert again.ok
    assert again.added == 0
    assert [line for line, _ in again.duplicates] == [2, 3, 4, 5]
    assert TrainingPhrase.objects.count() == 4


def test_one_bad_row_imports_nothing_and_every_problem_has_its_line() -> None:
    content = "\n".join(
        [
            json.dumps({"intent": "card_lost", "text": "lost my card"}),
            json.dumps({"intent": "Bad Code!", "text": "x"}),
            "not json at all",
            json.dumps({"intent": "card_lost", "text": ""}),
            json.dumps({"intent": "card_lost", "text": "hi", "language": "it"}),
            json.dumps({"intent": "card_lost", "text": "hi", "colour": "red"}),
            json.dumps({"intent": "card_lost", "text": "nul \u0000 here"}),
            json.dumps({"intent": "card_lost", "text": "x" * 501}),
            json.dumps(["a", "list"]),
        ]
    )
    report = phrases_import(content=content, file_format="jsonl")
    assert not report.ok
    assert report.errors == [
        (2, "intent 'Bad Code!' is not a code (lower-case letters, digits, underscores)"),
        (3, "not valid JSON"),
        (4, "no text"),
        (5, "language 'it' is not one of de, en, es, fr"),
        (6, "unknown field 'colour'"),
        (7, "control characters in the text"),
        (8, "text longer than 500 characters"),
        (9, "not a JSON object"),
    ]
    assert not TrainingPhrase.objects.exists()
    assert not Intent.objects.filter(code="card_lost").exists()


def test_a_phrase_already_taught_as_another_intent_is_refused() -> None:
    phrases_import(content=CSV, file_format="csv")
    report = phrases_import(content="intent,text\nrefund,I lost my card\n", file_format="csv")
    assert report.errors == [(2, "already a phrase of intent 'card_lost'")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text\nhello\n", "missing: intent"),
        ("intent,text,colour\nx,y,z\n", "Unknown columns: colour"),
        ("intent,text\n", "The file has no rows."),
    ],
)
def test_a_file_that_cannot_be_read_says_why(content: str, message: str) -> None:
    with pytest.raises(ImportFormatError, match=message):
        phrases_import(content=content, file_format="csv")


def test_a_dry_run_checks_without_writing() -> None:
    report = phrases_import(content=CSV, file_format="csv", dry_run=True)
    assert (report.ok, report.added) == (True, 4)
    assert not TrainingPhrase.objects.exists()


def test_the_command_imports_and_reports_and_fails_loudly(tmp_path: Path) -> None:
    good = tmp_path / "phrases.csv"
    good.write_text(CSV)
    out = StringIO()
    call_command("import_phrases", str(good), stdout=out)
    assert "4 phrase(s) imported, 0 already known, 1 new intent(s): card_lost." in out.getvalue()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"intent": "card_lost", "text": "fine"}\n{"intent": "", "text": "x"}\n')
    errors = StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 1 row"):
        call_command("import_phrases", str(bad), stdout=StringIO(), stderr=errors)
    assert "line 2: no intent" in errors.getvalue()
    with pytest.raises(CommandError, match=r"Name the file \.csv or \.jsonl"):
        call_command("import_phrases", str(tmp_path / "phrases.txt"))
