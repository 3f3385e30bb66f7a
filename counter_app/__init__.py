"""The desktop application (PySide6): the clerk workstation and the quick-pickup desk.

``core/`` is Qt-free (API client, live-event reader, outbox, settings) and serves every mode.
Built in issues #3 (clerk) and #5 (pickup).
"""
