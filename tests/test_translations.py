"""Every text a person reads is in the one catalogue, translated into the languages its
readers need: staff messages in German and English, citizen messages in all six languages."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import requests
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from resources.i18n import CITIZEN_LANGUAGES, STAFF_LANGUAGES, best_language, gettext_for

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "resources" / "translations"
KEYWORDS = {"N_": None, "_": None, "pgettext": ((1, "c"), 2), "N_citizen": ((1, "c"), 2)}
PACKAGES = ("central_server", "counter_app", "kiosk", "resources")


def _messages_in_source() -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.exists():
            continue
        for _file, _line, message, _comments, context in extract_from_dir(
            str(folder), [("**.py", "python")], keywords=KEYWORDS
        ):
            found.add((context, message if isinstance(message, str) else message[0]))
    return found


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (FOLDER / f"{language}.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


SOURCE = _messages_in_source()


def test_the_source_has_messages_to_translate() -> None:
    assert (None, "Please sign in first.") in SOURCE


@pytest.mark.parametrize("language", CITIZEN_LANGUAGES)
def test_every_message_is_translated_for_its_readers(language: str) -> None:
    catalog = _catalog(language)
    missing = []
    for context, message in sorted(SOURCE, key=lambda m: (m[0] or "", m[1])):
        needed = context == "citizen" or language in STAFF_LANGUAGES
        if not needed:
            continue
        entry = catalog.get(message, context=context)
        if entry is None or not entry.string:
            missing.append(message)
    assert not missing, f"{language}.po lacks translations for: {missing}"


@pytest.mark.parametrize("language", CITIZEN_LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    wrong = [
        message.id
        for message in _catalog(language)
        if message.id
        and message.string
        and _placeholders(message.id) != _placeholders(message.string)
    ]
    assert not wrong, f"{language}.po changes the {{placeholders}} of: {wrong}"


def test_german_is_the_default_and_english_is_offered() -> None:
    assert best_language(None) == "de"
    assert best_language("en-GB,en;q=0.9") == "en"
    assert best_language("fr-FR, en;q=0.5") == "en"
    assert best_language("tr", CITIZEN_LANGUAGES) == "tr"
    assert gettext_for("de")("Please sign in first.") == "Bitte zuerst anmelden."


def test_server_errors_speak_the_callers_language(server) -> None:
    url = f"{server.url}/api/v1/sites/demo/queue"
    german = requests.get(url, timeout=10)
    english = requests.get(url, headers={"Accept-Language": "en"}, timeout=10)
    assert german.status_code == english.status_code == 401
    assert german.json()["message"] == "Bitte zuerst anmelden."
    assert english.json()["message"] == "Please sign in first."
    assert german.json()["code"] == english.json()["code"] == "not_signed_in"
