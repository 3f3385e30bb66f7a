"""``tresen <command>``: dispatches to the part that does the work.

Each command is listed once in :data:`COMMANDS`, with the line ``tresen --help`` shows for it;
the module that does its work parses the rest of the command line and has its own ``--help``.
"""

from __future__ import annotations

import importlib
import sys
from typing import NamedTuple


class Command(NamedTuple):
    module: str
    summary: str


COMMANDS: dict[str, Command] = {
    "server": Command("central_server.cli", "run the central server"),
    "admin": Command("central_server.cli", "administration: site files, users, device tokens"),
    "demo": Command("tresen.demo", "the demo site on its own server, with desk and kiosk windows"),
    "clerk": Command("counter_app.clerk.app", "the clerk workstation"),
    "pickup": Command("counter_app.pickup.app", "the quick-pickup desk"),
    "supervisor": Command(
        "counter_app.supervisor.app", "the supervisor's window: live board, steering, statistics"
    ),
    "kiosk": Command("kiosk.app", "the lobby kiosk"),
}

#: The desktop modes and their modules (the desktop bundle holds these alone).
DESKTOP = {name: COMMANDS[name].module for name in ("clerk", "pickup", "supervisor", "kiosk")}

#: The commands that pass the whole command line on (their parser knows its command name).
_WHOLE_LINE = frozenset({"server", "admin"})


USAGE = "usage: tresen COMMAND [options]"


def usage() -> str:
    """The text of ``tresen --help``: every command with one line saying what it does."""
    width = max(len(name) for name in COMMANDS)
    lines = [USAGE, "", "Tresen: queue and case flow for citizen-service centres.", "", "commands:"]
    lines += [f"  {name:<{width}}  {command.summary}" for name, command in COMMANDS.items()]
    lines += [
        "",
        "tresen COMMAND --help shows the options of a command.",
        "tresen clerk|pickup|supervisor|kiosk --self-test checks this computer's setup for the",
        "mode, without a server: one line per check, exit code 1 when one failed.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else ""
    if command in ("-h", "--help"):
        print(usage())
        return 0
    if command not in COMMANDS:
        problem = f"unknown command {command!r}" if command else "no command given"
        print(
            f"{USAGE}\ntresen: error: {problem}; the commands are {', '.join(COMMANDS)} "
            "(tresen --help says what each does)",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(COMMANDS[command].module)
    return int(module.main(args if command in _WHOLE_LINE else args[1:]))
