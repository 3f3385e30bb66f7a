"""`tresen kiosk` as IT rolls it out: the real command, its settings file and its errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.live_server import LiveServer


def kiosk_command(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tresen", "kiosk", *args],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("TRESEN_KIOSK_TOKEN", None)
    env.update(extra)
    return env


def test_tresen_kiosk_starts_from_its_settings_file_and_reports_its_printer(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "tresen.sqlite3"
    shutil.copyfile(sqlite_template, database)
    server = LiveServer(f"sqlite:///{database}")
    server.start()
    with FakeEscposPrinter() as printer:
        settings = tmp_path / "kiosk.toml"
        settings.write_text(
            f'server = "{server.url}"\nsite = "demo"\nprinter = "{printer.uri}"\nwindowed = true\n',
            encoding="utf-8",
        )
        env = environment(tmp_path, TRESEN_KIOSK_TOKEN="demo-kiosk")
        process = kiosk_command("--config", str(settings), "--size", "1080x1920", env=env)
        supervisor = server.client(server.login("supervisor"))
        lines: list[str] = []
        try:
            began = time.monotonic()
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)
                if "kiosk ready" in line:
                    break
                assert time.monotonic() - began < 60, "".join(lines)
            assert "Bürgeramt Demo, 4 services" in lines[-1]

            def printer_state() -> str | None:
                devices = supervisor.get("/sites/demo/devices").json()
                return next(d["printer_state"] for d in devices if d["name"] == "lobby-kiosk")

            deadline = time.monotonic() + 20
            while printer_state() != "ready":
                assert time.monotonic() < deadline, "the kiosk did not report its printer"
                time.sleep(0.1)
            # It holds offline numbers: the server logged the lease.
            events = supervisor.get(
                "/sites/demo/events", params={"after": 0}, stream=True, timeout=5
            )
            seen = b""
            for chunk in events.iter_content(chunk_size=None):
                seen += chunk
                if b"numbers.leased" in seen or time.monotonic() > deadline:
                    break
            events.close()
            assert b"numbers.leased" in seen
        finally:
            process.terminate()
            process.wait(timeout=20)
            if process.stderr is not None:
                lines += process.stderr.readlines()
                process.stderr.close()
            server.stop()
    assert "demo-kiosk" not in "".join(lines)  # the device token never reaches the log


def test_a_bad_printer_address_is_refused_with_the_reason(tmp_path: Path) -> None:
    env = environment(tmp_path, TRESEN_KIOSK_TOKEN="demo-kiosk")
    process = kiosk_command("--printer", "lpt://1", env=env)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "lpt" in errors and "tcp://" in errors


def test_without_a_device_token_the_kiosk_says_how_to_get_one(tmp_path: Path) -> None:
    process = kiosk_command("--printer", "tcp://127.0.0.1:9", env=environment(tmp_path))
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "issue-device-token" in errors


def test_a_settings_file_with_an_error_names_the_file_and_the_field(tmp_path: Path) -> None:
    settings = tmp_path / "kiosk.toml"
    settings.write_text('paper_width_dots = "wide"\n', encoding="utf-8")
    process = kiosk_command("--config", str(settings), env=environment(tmp_path))
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert str(settings) in errors and "paper_width_dots" in errors


def test_an_unattended_kiosk_whose_token_the_server_refuses_stops_with_the_reason(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "tresen.sqlite3"
    shutil.copyfile(sqlite_template, database)
    server = LiveServer(f"sqlite:///{database}")
    server.start()
    try:
        env = environment(tmp_path, TRESEN_KIOSK_TOKEN="revoked-or-typo-7Qx2")
        process = kiosk_command(
            "--no-setup", "--server", server.url, "--site", "demo", "--windowed", env=env
        )
        _, errors = process.communicate(timeout=60)
        unknown_site = kiosk_command(
            "--no-setup",
            "--server",
            server.url,
            "--site",
            "nowhere",
            "--token",
            "demo-kiosk",
            env=environment(tmp_path),
        )
        _, site_errors = unknown_site.communicate(timeout=60)
    finally:
        server.stop()
    assert process.returncode == 2
    assert "refused this kiosk's device token" in errors
    assert "tresen admin issue-device-token demo NAME --kind kiosk" in errors
    assert "Traceback" not in errors
    assert "revoked-or-typo-7Qx2" not in errors  # never the token itself
    assert unknown_site.returncode == 2
    assert "knows no site 'nowhere'" in site_errors and "Traceback" not in site_errors
