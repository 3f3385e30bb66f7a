"""The kiosk's settings, declared once: from a TOML/JSON file, then the command line.

The device token is a secret: it may stand in the file (readable by the kiosk's account only)
or come from ``$TRESEN_KIOSK_TOKEN``; it is never written back or logged. A file with an error
stops the start with one line naming the file and the setting (``SettingsError``).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from counter_app.core.settings import Server, Site, config_file, read_file


class KioskSettings(BaseModel):
    # A misspelt setting is an error, not silently a default.
    model_config = ConfigDict(extra="forbid")

    server: Server = Field("http://127.0.0.1:8080", description="address of the central server")
    site: Site = Field("demo", description="site slug")
    token: str = Field("", description="the kiosk's device token (tresen admin issue-device-token)")
    printer: str = Field(
        "", description="printer URI: tcp://, usb://, serial://, win32://, cups://, file://"
    )
    paper_width_dots: int = Field(576, ge=200, le=1000, description="576 for 80 mm, 384 for 58 mm")
    status_url: str = Field(
        "", description="public address for the ticket's QR link; the server's by default"
    )
    idle_seconds: int = Field(30, ge=5, le=600, description="back to German after this")
    windowed: bool = Field(False, description="a window instead of full screen")
    lease_size: int = Field(20, ge=1, le=100, description="offline numbers leased per service")


def default_file() -> Path:
    return config_file("kiosk").with_suffix(".toml")


def load(path: Path | None) -> KioskSettings:
    """The settings in ``path`` (TOML, or JSON for a ``.json`` file); defaults when there is no
    file. A file with an error raises SettingsError (a ValueError) naming the file and the
    setting, in one line."""
    path = path or default_file()
    return read_file(path, KioskSettings, json.loads if path.suffix == ".json" else tomllib.loads)
