"""Packaging tests run headless: Qt's offscreen platform, the real commands as subprocesses."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
