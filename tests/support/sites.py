"""Changing the sites of a running test server the way IT does: by applying a site file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from central_server import migrate
from central_server.admin import demo, site_file
from central_server.db import Database
from resources import path
from resources.i18n import CITIZEN_LANGUAGES


def names(text: str) -> dict[str, str]:
    """The same name in every citizen language (a site file needs all of them)."""
    return {lang: f"{text} ({lang})" for lang in CITIZEN_LANGUAGES}


def demo_spec() -> dict[str, Any]:
    """The demo site file as plain data, to extend and apply again."""
    return site_file.read(path("demo_site.toml")).model_dump(mode="json")


def extend_demo(
    db: Database, *, desks: Sequence[dict[str, Any]] = (), users: Sequence[dict[str, Any]] = ()
) -> list[str]:
    """Add desks and users to the demo site; everything already there stays as it is."""
    spec = demo_spec()
    spec["desks"].extend(desks)
    spec["users"].extend(users)
    return site_file.apply(db, site_file.SiteFile.model_validate(spec))


def add_clerk_desks(db: Database, codes: list[str], services: list[str] | None = None) -> list[str]:
    """Front-office desks ``codes`` serving A, B, C and one clerk ``clerk-<code>`` for each.

    Returns the user names, in the order of ``codes``.
    """
    services = services or ["A", "B", "C"]
    users = [f"clerk-{code}" for code in codes]
    extend_demo(
        db,
        desks=[
            {"code": code, "name": f"Platz {code}", "kind": "front_office", "services": services}
            for code in codes
        ],
        users=[
            {"username": user, "display_name": user, "roles": ["clerk"], "password": "demo"}
            for user in users
        ],
    )
    return users


SECOND_SITE = "zweigstelle"
SECOND_KIOSK_TOKEN = "zweig-kiosk-token"
SECOND_DISPLAY_TOKEN = "zweig-display-token"


def add_second_site(db: Database) -> None:
    """Site ``zweigstelle`` with service Z, desk Z1, its own clerk ``zclerk`` and devices."""
    spec = {
        "site": {"slug": SECOND_SITE, "name": "Bürgeramt Zweigstelle"},
        "services": [{"key": "registration", "prefix": "Z", "names": names("Anmeldung")}],
        "desks": [{"code": "Z1", "name": "Platz Z1", "kind": "front_office", "services": ["Z"]}],
        "users": [
            {"username": "zclerk", "display_name": "Zweig", "roles": ["clerk"], "password": "demo"},
            {
                "username": "zsupervisor",
                "display_name": "Zweig TL",
                "roles": ["supervisor"],
                "password": "demo",
            },
        ],
        "devices": [
            {"name": "zweig-kiosk", "kind": "kiosk", "token": SECOND_KIOSK_TOKEN},
            {"name": "zweig-display", "kind": "display", "token": SECOND_DISPLAY_TOKEN},
        ],
    }
    site_file.apply(db, site_file.SiteFile.model_validate(spec))


def demo_database(folder: Path, name: str = "demo.sqlite3") -> str:
    """A new SQLite database in ``folder`` holding the demo site, as ``tresen server --demo``
    makes it; its URL. For benchmarks and screenshot scripts, which run outside pytest."""
    url = f"sqlite:///{folder / name}"
    db = Database(url)
    migrate.upgrade(db.engine)
    demo.load(db)
    db.dispose()
    return url
