"""Extract every marked message into resources/translations/tresen.pot and update the .po files.

Run after adding or changing a message: ``.venv/bin/python scripts/update_translations.py``.
New messages arrive untranslated; tests/test_translations.py then names what is missing. In
``en.po`` a message is its own translation and is filled in here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resources.i18n import CITIZEN_LANGUAGES as LANGUAGES  # noqa: E402 - every language

FOLDER = ROOT / "resources" / "translations"
POT = FOLDER / "tresen.pot"


def extract() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "_",
            "-k",
            "pgettext:1c,2",
            "-k",
            "N_citizen:1c,2",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(POT),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )


def update(language: str) -> None:
    with POT.open("rb") as handle:
        template = read_po(handle)
    po_file = FOLDER / f"{language}.po"
    if po_file.exists():
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = read_po(POT.open("rb"), locale=language)
    catalog.update(template, no_fuzzy_matching=True)
    if language == "en":
        for message in catalog:
            if message.id and not message.string:
                message.string = message.id
    with po_file.open("wb") as handle:
        write_po(
            handle,
            catalog,
            omit_header=False,
            no_location=True,
            sort_output=True,
            ignore_obsolete=True,
            width=100,
        )


if __name__ == "__main__":
    extract()
    for code in LANGUAGES:
        update(code)
    print(f"updated {POT.relative_to(ROOT)} and {', '.join(LANGUAGES)}")
