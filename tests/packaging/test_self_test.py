"""`tresen MODE --self-test` from the source tree: the check IT runs on a machine it set up.

Each mode prints one line per check and exits 0 when none failed; a broken setting gives a
FAIL line with the reason and exit code 1. No server and no printer are needed (nor contacted).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

LANGUAGES = "de,en,tr,ar,ru,uk"


def self_test(tmp_path: Path, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("TRESEN_KIOSK_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "tresen", mode, "--self-test", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_file(tmp_path: Path, name: str, text: str) -> Path:
    file = tmp_path / "config" / "tresen" / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


COMMON = [
    r"ok qt 6\.\d+\.\d+, platform offscreen",
    r"note settings no file .+ \(defaults; the first start asks\)",
    r"ok server http://127\.0\.0\.1:8080, site demo \(not contacted\)",
    r"ok fonts Noto Sans, Noto Sans Arabic",
    r"ok desktop no server packages loaded",
]
EXPECTED = {
    "clerk": [
        r"ok translations de,en",
        rf"ok receipt 576x\d+ 1-bit \({LANGUAGES}\)",
        r"note printer none configured \(--printer, or printer in .+clerk\.json\)",
        r"ok window clerkWindow drawn 1280x800",
        r"self-test passed: 9 checks",
    ],
    "pickup": [
        r"ok translations de,en",
        rf"ok receipt 576x\d+ 1-bit \({LANGUAGES}\)",
        r"ok scanning a receipt's QR code reads back",
        r"note camera none configured .+",
        r"ok window pickupWindow drawn 1280x800",
        r"self-test passed: 10 checks",
    ],
    "supervisor": [
        r"ok translations de,en",
        r"ok charts QtCharts drew 320x200",
        r"ok export xlsx written and read back \(openpyxl\)",
        r"ok window supervisorWindow drawn 1280x720",
        r"self-test passed: 9 checks",
    ],
    "kiosk": [
        rf"ok translations {LANGUAGES}",
        r"note token none \(--token, \$TRESEN_KIOSK_TOKEN or token = \.\.\. in .+kiosk\.toml\)",
        rf"ok ticket 576x\d+ 1-bit \({LANGUAGES}\)",
        r"note printer none configured \(--printer, or printer = \.\.\. in .+kiosk\.toml\)",
        r"ok window kioskWindow drawn 1080x1920",
        r"self-test passed: 10 checks",
    ],
}


@pytest.mark.parametrize("mode", ["clerk", "pickup", "supervisor", "kiosk"])
def test_each_mode_checks_itself_without_a_server_and_says_so_line_by_line(
    tmp_path: Path, mode: str
) -> None:
    done = self_test(tmp_path, mode)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for pattern in COMMON + EXPECTED[mode]:
        assert any(re.fullmatch(pattern, line) for line in lines), (pattern, lines)
    assert all(re.match(r"(ok|note) \w+ |self-test passed", line) for line in lines), lines
    assert lines[-1].startswith("self-test passed")
    # Nothing was written where the mode keeps its data (the window's outbox was temporary).
    assert not (tmp_path / "data").exists()


def test_the_kiosk_checks_its_settings_file_and_never_shows_the_token(tmp_path: Path) -> None:
    file = settings_file(
        tmp_path,
        "kiosk.toml",
        'server = "https://tresen.stadt.example"\nsite = "mitte"\ntoken = "geheim-123"\n'
        'printer = "tcp://10.0.5.20:9100"\npaper_width_dots = 384\n',
    )
    done = self_test(tmp_path, "kiosk")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert f"ok settings {file}" in lines
    assert "ok server https://tresen.stadt.example, site mitte (not contacted)" in lines
    assert "ok token given (not shown)" in lines
    assert "ok printer tcp://10.0.5.20:9100 (not connected)" in lines
    assert any(re.fullmatch(rf"ok ticket 384x\d+ 1-bit \({LANGUAGES}\)", line) for line in lines)
    assert "geheim-123" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("mode", "name", "text"),
    [
        ("kiosk", "kiosk.toml", 'printer = "lpt://1"\n'),
        ("clerk", "clerk.json", json.dumps({"printer": "lpt://1"})),
    ],
)
def test_a_broken_printer_address_fails_with_the_reason(
    tmp_path: Path, mode: str, name: str, text: str
) -> None:
    settings_file(tmp_path, name, text)
    done = self_test(tmp_path, mode)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 1, lines
    assert failed[0].startswith("FAIL printer Unknown printer type 'lpt' in 'lpt://1'")
    assert "tcp://" in failed[0]  # how to write it instead
    assert re.fullmatch(r"self-test failed: 1 of \d+ checks", lines[-1])
    # The other checks still ran.
    assert any(line.startswith("ok window") for line in lines)


def test_a_printer_on_the_command_line_is_checked_too(tmp_path: Path) -> None:
    done = self_test(tmp_path, "clerk", "--printer", "serial:///dev/ttyS0?baud=fast")
    assert done.returncode == 1
    assert "FAIL printer 'serial:///dev/ttyS0?baud=fast': baud='fast'" in done.stdout


def test_a_settings_file_with_an_error_fails_naming_the_file_and_field(tmp_path: Path) -> None:
    file = settings_file(tmp_path, "kiosk.toml", 'paper_width_dots = "wide"\n')
    done = self_test(tmp_path, "kiosk", "--printer", "tcp://10.0.5.20:9100")
    assert done.returncode == 1
    (failed,) = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert failed.startswith(f"FAIL settings {file}: ") and "paper_width_dots" in failed
    # The command line still counts for the rest.
    assert "ok printer tcp://10.0.5.20:9100 (not connected)" in done.stdout


def test_an_unreadable_desk_settings_file_fails_as_the_desk_would(
    tmp_path: Path,
) -> None:
    file = settings_file(tmp_path, "pickup.json", "{not json")
    done = self_test(tmp_path, "pickup")
    assert done.returncode == 1
    assert f"FAIL settings {file}: not valid JSON" in done.stdout
