"""The one message catalogue of Tresen.

Every text a person reads goes through here: the server's messages, the clerk's screens, the
kiosk, printed tickets and web pages. The catalogue is gettext: one ``.po`` file per language in
``resources/translations/``, with the English text as message id. Messages meant for citizens
carry the context ``citizen`` and exist in all six citizen languages; all others exist in the
staff languages German and English.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from functools import cache
from typing import Literal, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from resources import path

STAFF_LANGUAGES = ("de", "en")
#: A citizen's language, as the server takes and serves it (a ticket's ``language``).
CitizenLanguage = Literal["de", "en", "tr", "ar", "ru", "uk"]
CITIZEN_LANGUAGES: tuple[CitizenLanguage, ...] = get_args(CitizenLanguage)
RIGHT_TO_LEFT = frozenset({"ar"})
#: Each citizen language in its own name: the kiosk's language buttons, the "Ready yet?" page's
#: language links, the receipt language at the pickup desk.
NATIVE_NAMES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "ru": "Русский",
    "uk": "Українська",
}
assert tuple(NATIVE_NAMES) == CITIZEN_LANGUAGES
DEFAULT_LANGUAGE = "de"
#: The gettext context of every message a citizen reads (kiosk, printed tickets, web pages).
CITIZEN = "citizen"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language``; unknown languages fall back to the message ids."""
    po_file = path("translations", f"{language}.po")
    if language not in CITIZEN_LANGUAGES or not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(language: str):
    """A ``gettext`` function for ``language``."""
    return translations(language).gettext


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for translation"
    """Mark ``message`` for the staff catalogue; it is translated where it is shown."""
    return message


def N_citizen(context: str, message: str) -> str:  # noqa: N802 - gettext's marker style
    """Mark ``message`` for the citizens' catalogue: ``N_citizen("citizen", "Take a ticket")``.

    The context is written out because the extractor reads it from the source text."""
    assert context == CITIZEN
    return message


def citizen_gettext(language: str):
    """A function that renders a citizen message (context ``citizen``) in ``language``."""
    catalog = translations(language)
    return lambda message: catalog.pgettext(CITIZEN, message)


def best_language(accept_language: str | None, offered: Iterable[str] = STAFF_LANGUAGES) -> str:
    """The first language of an ``Accept-Language`` header that we offer, else German."""
    offered = tuple(offered)
    if not accept_language:
        return DEFAULT_LANGUAGE
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower().split("-")[0]))
    for _q, _i, language in sorted(weighted):
        if language in offered:
            return language
    return DEFAULT_LANGUAGE
