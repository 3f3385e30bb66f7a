"""``tresen --help`` and the help of every command, as a person reads them in a terminal: the
real command in a child process. Plain text (no reStructuredText markup), every command listed,
every printer address the printers accept named where a printer is asked for."""

from __future__ import annotations

import pytest

from counter_app.printers.uri import SCHEMES
from tests.support.server_process import run_tresen

#: The commands a person can run; a new one belongs here and in ``tresen --help``.
COMMANDS = ("server", "admin", "demo", "clerk", "pickup", "supervisor", "kiosk")


def _plain(text: str) -> None:
    assert "::" not in text.replace("://", ""), text
    assert "``" not in text, text
    assert "Traceback" not in text, text


def test_tresen_help_lists_every_command_with_one_line() -> None:
    result = run_tresen("--help")
    assert result.returncode == 0, result.stderr
    _plain(result.stdout)
    lines = result.stdout.splitlines()
    for command in COMMANDS:
        line = next((line for line in lines if line.split()[:1] == [command]), None)
        assert line is not None, f"{command} missing in:\n{result.stdout}"
        assert len(line.split()) > 2, line  # a line that says what it does
    # What -h says is the same.
    assert run_tresen("-h").stdout == result.stdout


@pytest.mark.parametrize("given", ["bogus", "clerck", ""])
def test_an_unknown_command_names_the_real_ones(given: str) -> None:
    result = run_tresen(*([given] if given else []))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    if given:
        assert repr(given) in error
    for command in COMMANDS:
        assert command in error, error


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_plain_help(command: str) -> None:
    result = run_tresen(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: tresen {command}")
    _plain(result.stdout)


@pytest.mark.parametrize("command", ["clerk", "kiosk"])
def test_the_printer_help_names_every_printer_address(command: str) -> None:
    result = run_tresen(command, "--help")
    assert result.returncode == 0, result.stderr
    # argparse wraps at spaces only, so each address stays whole.
    for scheme in SCHEMES:
        assert f"{scheme}://" in result.stdout, f"{scheme}:// missing in:\n{result.stdout}"
    assert "file:///" in result.stdout


def test_the_server_help_names_its_settings_from_the_environment() -> None:
    from central_server.config import ServerSettings

    result = run_tresen("server", "--help")
    assert result.returncode == 0, result.stderr
    for name in ServerSettings.model_fields:
        assert f"TRESEN_{name.upper()}" in result.stdout
    assert "postgresql+psycopg://" in result.stdout
