"""Settings of a desktop program, declared once, stored as JSON in the platform's config folder.

The password is never stored.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TypeVar

from platformdirs import user_config_path, user_data_path
from pydantic import BaseModel, Field, ValidationError

log = logging.getLogger("tresen.settings")


class DeskSettings(BaseModel):
    server: str = Field("http://127.0.0.1:8080", description="address of the central server")
    site: str = Field("demo", description="site slug")
    user: str = Field("", description="user name of the last sign-in")
    desk: str = Field("", description="desk code of the last sign-in")
    language: str = Field("de", description="language of the window: de or en")
    printer: str = Field(
        "", description="the desk's receipt printer (ESC/POS URI, e.g. tcp://10.0.5.21:9100)"
    )
    paper_width_dots: int = Field(576, ge=200, le=1000, description="576 for 80 mm, 384 for 58 mm")


def config_file(mode: str) -> Path:
    return user_config_path("tresen", appauthor=False, ensure_exists=True) / f"{mode}.json"


def data_folder() -> Path:
    return user_data_path("tresen", appauthor=False, ensure_exists=True)


Settings = TypeVar("Settings", bound=DeskSettings)


def load(path: Path, model: type[Settings] = DeskSettings) -> Settings:  # type: ignore[assignment]
    """The settings in ``path`` as ``model`` (a mode may add fields); defaults when the file is
    missing or unreadable."""
    try:
        return model.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return model()
    except (OSError, ValueError, ValidationError) as exc:
        log.warning("settings file %s unreadable (%s); using defaults", path, exc)
        return model()


def save(path: Path, settings: DeskSettings) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(path)
