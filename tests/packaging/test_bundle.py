"""The desktop bundle: `packaging/build.py` builds it with PyInstaller, and the bundle's own
program passes the self-test of each mode, holds what the modes read at run time and nothing
of the server.

Slow (a build takes about half a minute on 2 cores), so it runs only with TRESEN_BUILD_BUNDLE=1.
CI does not set it: `.ci/run` builds the bundle in a step of its own and runs the bundle's
self-tests there, so the test suite need not build it a second time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = sys.platform == "win32"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        os.environ.get("TRESEN_BUILD_BUNDLE") != "1",
        reason="builds the bundle (30 s and more); set TRESEN_BUILD_BUNDLE=1 (.ci/run builds it "
        "in a step of its own)",
    ),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(folder / "dist"),
            "--work",
            str(folder / "work"),
        ],
        check=True,
        timeout=800,
    )
    return folder / "dist" / "tresen"


def run(bundle: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("TRESEN_KIOSK_TOKEN", None)
    program = bundle / ("tresen.exe" if WINDOWS else "tresen")
    return subprocess.run(
        [str(program), *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("mode", "lines"),
    [
        ("clerk", ["ok translations de,en", "ok window clerkWindow drawn 1280x800"]),
        ("pickup", ["ok scanning a receipt's QR code reads back"]),
        (
            "supervisor",
            ["ok charts QtCharts drew 320x200", "ok window supervisorWindow drawn 1280x720"],
        ),
        ("kiosk", ["ok translations de,en,tr,ar,ru,uk", "ok window kioskWindow drawn 1080x1920"]),
    ],
)
def test_the_bundle_passes_the_self_test_of_each_mode(
    bundle: Path, tmp_path: Path, mode: str, lines: list[str]
) -> None:
    done = run(bundle, tmp_path, mode, "--self-test")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout.splitlines()
    assert "ok fonts Noto Sans, Noto Sans Arabic" in out
    assert "ok desktop bundle without server packages" in out
    for line in lines:
        assert line in out, out
    assert out[-1].startswith("self-test passed")


def test_the_pickup_desks_camera_has_a_backend_in_the_bundle(bundle: Path, tmp_path: Path) -> None:
    done = run(bundle, tmp_path, "pickup", "--self-test", "--camera")
    assert done.returncode == 0, done.stdout + done.stderr
    (camera,) = [line for line in done.stdout.splitlines() if " camera " in line]
    assert camera.startswith(("ok camera 'default'", "note camera 'default' configured"))


def test_a_broken_printer_address_fails_in_the_bundle_too(bundle: Path, tmp_path: Path) -> None:
    done = run(bundle, tmp_path, "kiosk", "--self-test", "--printer", "lpt://1")
    assert done.returncode == 1
    assert "FAIL printer Unknown printer type 'lpt'" in done.stdout


def test_the_bundle_holds_what_the_modes_read_and_nothing_of_the_server(bundle: Path) -> None:
    internal = bundle / "_internal"
    for part in (
        "resources/translations/de.po",
        "resources/translations/uk.po",
        "resources/fonts/NotoSansArabic-Regular.ttf",
        "resources/fonts/OFL.txt",
        "resources/demo_site.toml",
        "escpos/capabilities.json",
        "tzdata/zoneinfo/Europe/Berlin",
    ):
        assert (internal / part).is_file(), part
    names = {path.name for path in internal.rglob("*")}
    assert not {"central_server", "fastapi", "uvicorn", "alembic"} & names
    assert not [name for name in names if "WebEngine" in name or "Qt6Pdf" in name]


def test_the_bundle_runs_the_desktop_modes_only(bundle: Path, tmp_path: Path) -> None:
    done = run(bundle, tmp_path, "server")
    assert done.returncode == 2
    assert "the server (tresen server, admin, demo) is not part of it" in done.stdout
    assert run(bundle, tmp_path, "kiosk", "--help").stdout.startswith("usage: tresen kiosk")
