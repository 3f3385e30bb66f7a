"""The demo site (``--demo`` only): site ``demo`` from ``resources/demo_site.toml``."""

from __future__ import annotations

import logging

from central_server.admin import site_file
from central_server.db import Database
from resources import path

log = logging.getLogger("tresen.admin")

DEMO_FILE = "demo_site.toml"


def load(db: Database) -> None:
    changes = site_file.apply(db, site_file.read(path(DEMO_FILE)))
    if changes:
        log.info("demo site loaded: %d changes", len(changes))
