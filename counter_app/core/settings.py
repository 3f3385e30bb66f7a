"""Settings of a desktop program, declared once, stored as JSON in the platform's config folder.

The password is never stored. A settings file with an error stops the program with one line
that names the file, the setting and what is wrong (:class:`SettingsError`): a program that
went on with its defaults would sign on at the wrong server or site without a word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from platformdirs import user_config_path, user_data_path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

#: A site's short name as the site file declares it (``central_server.admin.site_file``).
SITE_SLUG = re.compile(r"[a-z0-9-]{1,64}")


class SettingsError(ValueError):
    """A settings file (or the command line) holds something the program cannot use; the
    message is one line: the file, the setting, the reason."""


def check_site(site: str) -> str:
    if not SITE_SLUG.fullmatch(site):
        if "://" in site or ":" in site:  # http://tresen:8080, tresen.stadt.local:8080
            raise ValueError(
                f"{site!r} is an address, not a site; the site is the short name from the "
                "site's file (e.g. mitte), the address belongs in server"
            )
        raise ValueError(
            f"{site!r} is not a site's short name (small letters a-z, digits and '-', e.g. mitte)"
        )
    return site


def check_server(server: str) -> str:
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{server!r} is not a server address; write it as http://HOST:PORT or https://HOST"
        )
    return server


Site = Annotated[str, AfterValidator(check_site)]
Server = Annotated[str, AfterValidator(check_server)]


class DeskSettings(BaseModel):
    # A misspelt setting is an error, not silently a default.
    model_config = ConfigDict(extra="forbid")

    server: Server = Field("http://127.0.0.1:8080", description="address of the central server")
    site: Site = Field("demo", description="site slug")
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


Settings = TypeVar("Settings", bound=BaseModel)


def reason(error: ValidationError) -> str:
    """A validation error in one line: ``key: what is wrong; key: ...``."""
    parts = []
    for item in error.errors(include_url=False):
        key = ".".join(str(part) for part in item["loc"]) or "the file"
        message = str(item["msg"])
        if item["type"] == "extra_forbidden":
            message = "not a known setting (misspelt?)"
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        parts.append(f"{key}: {message}")
    return "; ".join(parts)


def read_file(
    path: Path, model: type[Settings], parse: Callable[[str], Any] = json.loads
) -> Settings:
    """The settings in ``path`` as ``model``; the defaults when there is no file. Raises
    SettingsError naming the file and the setting when the file cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return model()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read: {exc}") from exc
    try:
        data = parse(text)
    except ValueError as exc:  # JSONDecodeError, TOMLDecodeError
        raise SettingsError(f"{path}: not valid {_format(path)}: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: not valid {_format(path)}: not a set of key = value")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(f"{path}: {reason(exc)}") from exc


def merged(saved: Settings, given: dict[str, Any], source: str = "the command line") -> Settings:
    """``saved`` with the values ``given`` (those not None or empty), checked as the file is.
    Raises SettingsError naming ``source`` and the setting."""
    chosen = {key: value for key, value in given.items() if value}
    try:
        return type(saved).model_validate({**saved.model_dump(), **chosen})
    except ValidationError as exc:
        raise SettingsError(f"{source}: {reason(exc)}" if source else reason(exc)) from exc


def load(path: Path, model: type[Settings] = DeskSettings) -> Settings:  # type: ignore[assignment]
    """The settings in ``path`` as ``model`` (a mode may add fields); defaults when the file is
    missing. Raises SettingsError when the file cannot be used."""
    return read_file(path, model)


def save(path: Path, settings: BaseModel) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(path)


def _format(path: Path) -> str:
    return "TOML" if path.suffix == ".toml" else "JSON"
