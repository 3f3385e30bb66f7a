"""The citizen's language on the kiosk: one of six, switched at a touch, right to left for
Arabic. Widgets keep message ids (``N_citizen``) and render them in ``retranslate()``."""

from __future__ import annotations

from PySide6.QtCore import Qt

from counter_app.qt.i18n import Language
from resources.i18n import RIGHT_TO_LEFT, citizen_gettext


class CitizenLanguage(Language):
    def __call__(self, message: str) -> str:
        return citizen_gettext(self.code)(message)

    @property
    def direction(self) -> Qt.LayoutDirection:
        if self.code in RIGHT_TO_LEFT:
            return Qt.LayoutDirection.RightToLeft
        return Qt.LayoutDirection.LeftToRight
