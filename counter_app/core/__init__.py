"""The Qt-free core of the desktop programs. Never imports PySide6 (import-linter checks)."""
