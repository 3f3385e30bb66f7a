"""``tresen <command>``: dispatches to the part that does the work.

::

    tresen server ...      the central server        (central_server.cli)
    tresen admin ...       administration            (central_server.cli)
    tresen clerk ...       the clerk workstation     (counter_app.clerk.app)
    tresen pickup ...      the quick-pickup desk     (counter_app.pickup.app)
    tresen kiosk ...       the lobby kiosk           (kiosk.app)
    tresen demo            the server with the demo site, plus a clerk window, a pickup
                           window and a kiosk window where there is a screen

    tresen clerk|pickup|kiosk --self-test
                           check this computer's setup for the mode, without a server;
                           one line per check, exit code 1 when one failed
"""

from __future__ import annotations

import sys

DESKTOP = {
    "clerk": "counter_app.clerk.app",
    "pickup": "counter_app.pickup.app",
    "kiosk": "kiosk.app",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else ""
    if command in DESKTOP:
        import importlib

        module = importlib.import_module(DESKTOP[command])
        return int(module.main(args[1:]))
    if command == "demo":
        from tresen import demo

        return demo.main(args[1:])
    if command in ("", "-h", "--help"):
        print(__doc__)
        return 0 if command else 2
    from central_server import cli

    return cli.main(args)
