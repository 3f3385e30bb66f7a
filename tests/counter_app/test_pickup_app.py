"""`tresen pickup` as IT rolls it out: the real command, signing in from the environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support.live_server import LiveServer


def test_tresen_pickup_signs_in_from_the_environment_and_becomes_usable(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """With ``--camera`` too: where no camera can be opened (here QtMultimedia is not even
    installed) the desk says so and works on with the scanner."""
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
    command = [sys.executable, "-m", "tresen", "pickup", "--server", server.url]
    command += ["--site", "demo", "--user", "pickup1", "--desk", "6", "--camera"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        began = time.monotonic()
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "desk 6 usable" in line:
                break
            assert time.monotonic() - began < 60, "".join(lines)
        log = "".join(lines)
        assert "tresen.camera WARNING no camera: " in log, log
        desks = server.client(server.login("supervisor")).get("/sites/demo/desks").json()
        desk6 = next(d for d in desks if d["code"] == "6")
        assert (desk6["state"], desk6["signed_on_user"]) == ("open", "pickup1")
        saved = json.loads((tmp_path / "config" / "tresen" / "pickup.json").read_text("utf-8"))
        assert (saved["user"], saved["desk"], saved["site"]) == ("pickup1", "6", "demo")
        assert saved["camera"] == "default"
        assert "password" not in saved  # the password is never stored
        assert not (tmp_path / "config" / "tresen" / "clerk.json").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr is not None:
            process.stderr.close()
        server.stop()
