"""`tresen clerk` as IT rolls it out: the real command, signing in from the environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support.live_server import LiveServer


def test_tresen_clerk_signs_in_from_the_environment_and_becomes_usable(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "tresen.sqlite3"
    shutil.copyfile(sqlite_template, database)
    server = LiveServer(f"sqlite:///{database}")
    server.start()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TRESEN_PASSWORD": "demo",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tresen",
            "clerk",
            "--server",
            server.url,
            "--site",
            "demo",
            "--user",
            "clerk3",
            "--desk",
            "3",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        began = time.monotonic()
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "desk 3 usable" in line:
                break
            assert time.monotonic() - began < 60, "".join(lines)
        desks = server.client(server.login("supervisor")).get("/sites/demo/desks").json()
        desk3 = next(d for d in desks if d["code"] == "3")
        assert (desk3["state"], desk3["signed_on_user"]) == ("open", "clerk3")
        saved = json.loads((tmp_path / "config" / "tresen" / "clerk.json").read_text("utf-8"))
        assert saved["user"] == "clerk3"
        assert saved["desk"] == "3"
        assert "password" not in saved
        assert set(saved) == {
            "server",
            "site",
            "user",
            "desk",
            "language",
            "printer",
            "paper_width_dots",
        }
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr is not None:
            process.stderr.close()
        server.stop()
