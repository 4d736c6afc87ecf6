"""The customer chat's catalogues (locale/): complete, consistent, and what Django reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from helpdesk.checks import translations_compiled_check

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["es", "fr", "de"]
MSGFMT = shutil.which("msgfmt")


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def msgids(language: str) -> set[str]:
    """Every msgid (its first line, enough to tell them apart) of the language's catalogue."""
    text = catalogue(language).read_text(encoding="utf-8")
    return set(re.findall(r'^msgid "(.*)"\n(?:"(.*)"\n)?', text, re.M))


def test_every_chat_language_has_a_catalogue_and_english_needs_none() -> None:
    assert {code for code, _ in settings.LANGUAGES} == {"en", *LANGUAGES}
    assert sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po")) == (
        sorted(LANGUAGES)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_chat_string_is_translated_nothing_is_fuzzy_and_the_placeholders_match(
    language: str,
) -> None:
    """msgfmt --check also refuses a translation whose %(name)s placeholders differ."""
    assert MSGFMT is not None, "GNU gettext's msgfmt is missing: apt-get install gettext"
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(catalogue(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr


def test_the_three_catalogues_hold_the_same_strings() -> None:
    assert msgids("es") == msgids("fr") == msgids("de")


@pytest.mark.parametrize(
    ("language", "english", "translated"),
    [
        ("es", "Write a message…", "Escribe un mensaje…"),
        ("fr", "Write a message…", "Écrivez un message…"),
        ("de", "Write a message…", "Nachricht schreiben…"),
    ],
)
def test_django_reads_the_compiled_catalogues(language: str, english: str, translated: str) -> None:
    """The .mo are compiled at install (`make install`); without them the chat is English."""
    with translation.override(language):
        assert translation.gettext(english) == translated


def test_a_catalogue_left_uncompiled_or_changed_since_is_reported(
    tmp_path: Path, settings: Any
) -> None:
    po = tmp_path / "es" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(catalogue("es").read_text(encoding="utf-8"), encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    [missing] = translations_compiled_check()
    assert (missing.id, missing.msg) == (
        "helpdesk.W005",
        "The chat's translations are not compiled for: es.",
    )
    po.with_suffix(".mo").write_bytes(b"")
    assert translations_compiled_check() == []
