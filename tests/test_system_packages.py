"""The desk windows open on a Linux desktop: every library that Qt's X11 platform plugin (xcb)
and its OpenGL integrations load is on this machine, as ``scripts/system_packages.sh``
installs them. Without one of them Qt cannot open a window at all ("could not load the Qt
platform plugin xcb"), although the offscreen tests pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="Qt's xcb platform plugin and ldd exist on Linux only; the Windows and macOS "
    "wheels bring their own platform libraries",
)


def _xcb_libraries() -> list[Path]:
    pyside = pytest.importorskip("PySide6", reason="the desktop extra is not installed")
    qt = Path(pyside.__file__).resolve().parent / "Qt"
    found = [
        qt / "plugins" / "platforms" / "libqxcb.so",
        *sorted((qt / "lib").glob("libQt6XcbQpa.so.*")),
        *sorted((qt / "plugins" / "xcbglintegrations").glob("*.so")),
    ]
    assert found[0].exists(), f"PySide6 has no xcb platform plugin at {found[0]}"
    assert len(found) > 1, f"PySide6 has no libQt6XcbQpa in {qt / 'lib'}"
    return found


def test_every_library_of_qts_x11_platform_plugin_is_installed() -> None:
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("no ldd on this machine")
    missing = {}
    for library in _xcb_libraries():
        report = subprocess.run(
            [ldd, str(library)], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        lost = sorted({line.split()[0] for line in report.splitlines() if "not found" in line})
        if lost:
            missing[library.name] = lost
    assert not missing, (
        f"Qt's X11 platform plugin cannot load {missing}: run scripts/system_packages.sh "
        "as root (or add the Debian package of each to it)"
    )
