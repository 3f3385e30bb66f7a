"""Whether a window can be shown here: asked by the desktop modes, by ``tresen demo`` before it
opens windows and by the packaging's self-test, so Qt-free.

Not with Qt's ``offscreen`` or ``minimal`` platform (chosen by ``$QT_QPA_PLATFORM``, or the
running application's, where there is one), and on Linux only with an X11 or Wayland display.
"""

from __future__ import annotations

import os
import sys

#: Qt platforms that show nothing: nobody can answer a dialog there.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal"})


def has_screen(platform: str | None = None) -> bool:
    """Whether windows can be shown; ``platform`` is the running Qt application's platform name
    (``QGuiApplication.platformName()``), else ``$QT_QPA_PLATFORM`` decides."""
    if platform is None:
        platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS:
        return False
    return sys.platform in ("win32", "darwin") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
