"""Files every part of Tresen reads: translations, the demo site, later icons, sounds, fonts.

:func:`path` is the one way to find them, from the source tree and from a PyInstaller bundle.
"""

from __future__ import annotations

import sys
from pathlib import Path


def root() -> Path:
    """The folder that holds the resources."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The resource at ``parts`` below the resources folder, e.g. ``path("demo_site.toml")``."""
    return root().joinpath(*parts)
