"""A settings file with an error stops every desktop mode with one line that names the file,
the setting and what is wrong (exit code 2), never with a traceback, and never by going on with
defaults (which would sign on at the wrong server or site without a word)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FILES = {"kiosk": "kiosk.toml", "clerk": "clerk.json", "pickup": "pickup.json"}


def start(tmp_path: Path, mode: str, text: str, *args: str) -> tuple[Path, str]:
    """``tresen MODE`` with ``text`` as its settings file: the file and what it said."""
    file = tmp_path / "config" / "tresen" / FILES[mode]
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TRESEN_KIOSK_TOKEN": "secret-kiosk-token-4711",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tresen", mode, "--no-setup", *args]
        if mode == "kiosk"
        else [sys.executable, "-m", "tresen", mode, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "secret-kiosk-token-4711" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one line
    return file, lines[0]


def settings(mode: str, **values: object) -> str:
    if mode == "kiosk":
        return "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
    return json.dumps(values)


@pytest.mark.parametrize("mode", FILES)
def test_a_file_that_is_not_toml_or_json_names_the_file(tmp_path: Path, mode: str) -> None:
    file, said = start(tmp_path, mode, "server = http://tresen\n{")
    assert said.startswith(f"tresen {mode}: cannot start: {file}: not valid ")


@pytest.mark.parametrize("mode", FILES)
def test_the_servers_address_typed_as_the_site_names_the_key(tmp_path: Path, mode: str) -> None:
    file, said = start(tmp_path, mode, settings(mode, site="http://tresen.stadt.local:8080"))
    assert f"{file}: site: 'http://tresen.stadt.local:8080' is an address, not a site" in said


@pytest.mark.parametrize("mode", FILES)
def test_a_slash_in_the_site_names_the_key(tmp_path: Path, mode: str) -> None:
    file, said = start(tmp_path, mode, settings(mode, site="mitte/2"))
    assert f"{file}: site: 'mitte/2' is not a site's short name (small letters a-z" in said


@pytest.mark.parametrize("mode", FILES)
def test_a_wrong_type_names_the_key(tmp_path: Path, mode: str) -> None:
    file, said = start(tmp_path, mode, settings(mode, paper_width_dots="wide", server=8080))
    assert f"{file}: " in said
    assert "server: Input should be a valid string" in said
    assert "paper_width_dots: Input should be a valid integer" in said


@pytest.mark.parametrize("mode", FILES)
def test_a_misspelt_setting_is_named(tmp_path: Path, mode: str) -> None:
    file, said = start(tmp_path, mode, settings(mode, sever="http://tresen.stadt.local:8080"))
    assert said.endswith(f"{file}: sever: not a known setting (misspelt?)")


@pytest.mark.parametrize("mode", ["clerk", "pickup"])
def test_a_json_file_that_is_not_an_object_is_refused(tmp_path: Path, mode: str) -> None:
    file, said = start(tmp_path, mode, '["http://tresen.stadt.local:8080", "mitte"]')
    assert said.endswith(f"{file}: not valid JSON: not a set of key = value")


@pytest.mark.parametrize("mode", FILES)
def test_a_site_on_the_command_line_is_checked_too(tmp_path: Path, mode: str) -> None:
    _file, said = start(tmp_path, mode, settings(mode, site="mitte"), "--site", "mitte/../x")
    assert "the command line: site: 'mitte/../x' is not a site's short name" in said
