"""The language of a desktop window, switchable at run time.

Widgets keep message ids (marked with ``N_``) and render them in ``retranslate()``, which they
connect to ``Language.changed``: switching the language re-renders every open widget.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from resources.i18n import N_ as N_  # the one marker, re-exported for the desktop
from resources.i18n import gettext_for


class Language(QObject):
    changed = Signal(str)

    def __init__(self, code: str = "de", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.code = code

    def set(self, code: str) -> None:
        if code != self.code:
            self.code = code
            self.changed.emit(code)

    def __call__(self, message: str) -> str:
        return gettext_for(self.code)(message)
