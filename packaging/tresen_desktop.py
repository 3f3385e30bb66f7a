"""The program of the desktop bundle: ``tresen clerk|pickup|supervisor|kiosk [...]``, as from the
source tree.

The bundle holds the four desktop modes only; the server (``tresen server``, ``admin``,
``demo``) is not in it and runs from a Python installation of Tresen.
"""

from __future__ import annotations

import sys

from tresen.cli import DESKTOP, main

USAGE = """\
tresen clerk ...       the clerk workstation
tresen pickup ...      the quick-pickup desk
tresen supervisor ...  the supervisor's window: live board, steering, statistics
tresen kiosk ...       the lobby kiosk
tresen MODE --help     the options of a mode
tresen MODE --self-test
                       check this computer's setup for MODE without a server; one line per check

This is the desktop bundle: the server (tresen server, admin, demo) is not part of it."""


def run(argv: list[str]) -> int:
    if argv and argv[0] in DESKTOP:
        return main(argv)
    print(USAGE)
    return 0 if argv[:1] in (["-h"], ["--help"]) else 2


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
