"""``tresen demo``: the server on its own SQLite file with the demo site, and, where there is a
screen, a clerk window signed on at desk 1, a quick-pickup window signed on at desk 6, the
supervisor's window (at no desk: it follows what the others do, live) and a kiosk window whose
printer writes its raw ESC/POS bytes to ``kiosk-printer.bin`` in the data folder. Ctrl+C ends
everything."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from platformdirs import user_data_path

from counter_app.core.screen import has_screen
from tresen.health import wait_until_up


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tresen demo",
        description="the server with the demo site on its own SQLite file (demo.sqlite3 in the "
        "user's data folder), plus a clerk window at desk 1, a quick-pickup window at desk 6, "
        "the supervisor's window and a kiosk window where there is a screen; Ctrl+C ends "
        "everything",
    )
    parser.add_argument("--port", type=int, default=8080, help="the server's port (default 8080)")
    parser.add_argument("--no-windows", action="store_true", help="only the server")
    args = parser.parse_args(argv)
    folder = user_data_path("tresen", appauthor=False, ensure_exists=True)
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "central_server.cli",
            "server",
            "--demo",
            "--db",
            f"sqlite:///{folder / 'demo.sqlite3'}",
            "--port",
            str(args.port),
        ]
    )
    windows: list[subprocess.Popen[bytes]] = []
    try:
        if not wait_until_up(url, process=server):
            print("the demo server did not start; see the messages above", file=sys.stderr)
            return 1
        print(
            f"\nTresen demo: {url}  (API documentation: {url}/docs)\n"
            "users clerk1-clerk4, pickup1, supervisor (password demo); "
            "kiosk token demo-kiosk, display token demo-display\n",
            flush=True,
        )
        if has_screen() and not args.no_windows:
            env = {**os.environ, "TRESEN_PASSWORD": "demo"}
            windows.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tresen",
                        "clerk",
                        "--server",
                        url,
                        "--site",
                        "demo",
                        "--user",
                        "clerk1",
                        "--desk",
                        "1",
                    ],
                    env=env,
                )
            )
            windows.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tresen",
                        "pickup",
                        "--server",
                        url,
                        "--site",
                        "demo",
                        "--user",
                        "pickup1",
                        "--desk",
                        "6",
                    ],
                    env=env,
                )
            )
            windows.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tresen",
                        "supervisor",
                        "--server",
                        url,
                        "--site",
                        "demo",
                        "--user",
                        "supervisor",
                    ],
                    env=env,
                )
            )
            windows.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tresen",
                        "kiosk",
                        "--server",
                        url,
                        "--site",
                        "demo",
                        "--token",
                        "demo-kiosk",
                        "--printer",
                        (folder / "kiosk-printer.bin").as_uri(),
                        "--windowed",
                        "--size",
                        "1280x800",
                    ]
                )
            )
        else:
            print("no screen here: running the server only", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in [*windows, server]:
            if process.poll() is None:
                process.terminate()
        for process in [*windows, server]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
