"""Build the desktop bundle: ``python packaging/build.py [--self-test] [--clean]``.

Runs PyInstaller with ``packaging/tresen.spec`` and leaves one folder, ``dist/tresen/``, with the
program ``tresen`` (``tresen.exe`` and ``tresen-window.exe`` on Windows) and everything it needs:
copy that folder to the machines. Prints the bundle's size and the build time. With
``--self-test`` it then runs ``tresen MODE --self-test`` of the bundle for each mode (offscreen
where there is no screen) and fails if one fails. Works on Linux and on Windows, with the Python
of the virtual environment that has Tresen's desktop extra and PyInstaller installed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from counter_app.core.screen import has_screen

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "tresen.spec"
MODES = ("clerk", "pickup", "supervisor", "kiosk")


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def program(bundle: Path) -> Path:
    return bundle / ("tresen.exe" if sys.platform == "win32" else "tresen")


def build(dist: Path, work: Path, clean: bool = False) -> Path:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    if clean:
        command.append("--clean")
    subprocess.run([*command, str(SPEC)], cwd=ROOT, check=True)
    return dist / "tresen"


def self_test(bundle: Path) -> bool:
    env = dict(os.environ)
    if not has_screen():
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    passed = True
    for mode in MODES:
        print(f"== {program(bundle).name} {mode} --self-test", flush=True)
        done = subprocess.run([str(program(bundle)), mode, "--self-test"], env=env, timeout=120)
        passed = passed and done.returncode == 0
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's cache"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--self-test", action="store_true", help="then run the bundle's self-test of each mode"
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    bundle = build(args.dist.resolve(), args.work.resolve(), args.clean)
    seconds = time.monotonic() - began
    size = folder_size(bundle)
    print(f"bundle {bundle}: {size / 2**20:.0f} MiB, built in {seconds:.0f} s")
    print(f"run it: {program(bundle)} clerk|pickup|supervisor|kiosk [--self-test]")
    if args.self_test and not self_test(bundle):
        print("a self-test of the bundle failed (see the FAIL lines above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
