"""A site's configuration (services, desks with their services and state) kept per process.

Every ticket action and every reader needs the site's services and desks; they change rarely
(a desk signs on, pauses, signs off; ``tresen admin apply``). So each server process keeps
them, as plain immutable objects, per site and per ``Site.config_version``:

* The counter is bumped in the same transaction as any change of a service, a desk or a
  desk's services, by any process (a ``before_flush`` listener in ``central_server.models.sites``).
* The hot path reads the site's row anyway (writers lock it, readers look it up by slug), so
  comparing its ``config_version`` with the kept one costs no round trip. When they differ the
  configuration is read again (three small selects) in the caller's transaction.
* A transaction that changed the configuration itself reads it from the database and does not
  keep what it read: it may still roll back.

Writers that change a desk load the desk's row (``session.get``) and change that; the kept
objects are never changed in place.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.db import SHARED
from central_server.errors import N_, NotFound
from central_server.models import Desk, DeskService, Service, Site
from central_server.models.sites import config_changed_in

#: Name of the process's :class:`ConfigCache` in ``Database.shared``.
CONFIG_CACHE = "site_config"


@dataclass(frozen=True)
class ServiceInfo:
    """A service as the queue needs it. ``names``, ``hints`` and ``hours`` must not be changed."""

    id: int
    site_id: int
    key: str
    prefix: str
    names: Mapping[str, str]
    hints: Mapping[str, str]
    hours: Mapping[str, list[str]]
    target_wait_minutes: int
    default_service_minutes: int
    position: int
    active: bool
    daily_limit: int | None
    amber_share: float | None
    issuing_stopped_on: date | None
    issuing_stop_reason: str | None
    appointment_check_in_before_minutes: int
    appointment_check_in_after_minutes: int


@dataclass(frozen=True)
class DeskInfo:
    """A desk, its services in the desk's order, its state and who is signed on."""

    id: int
    site_id: int
    code: str
    name: str
    kind: str
    state: str
    signed_on_user_id: int | None
    service_ids: tuple[int, ...]


@dataclass(frozen=True)
class SiteConfig:
    """The services (in the site's order) and desks (in code order) of a site at
    ``version``."""

    site_id: int
    version: int
    services: Mapping[int, ServiceInfo]
    desks: Mapping[int, DeskInfo]

    def service(self, service_id: int) -> ServiceInfo:
        service = self.services.get(service_id)
        if service is None:
            raise NotFound(
                "service_not_found",
                N_("There is no service {service} at this site."),
                service=service_id,
            )
        return service

    def desk(self, code: str) -> DeskInfo:
        for desk in self.desks.values():
            if desk.code == code:
                return desk
        raise NotFound("desk_not_found", N_("There is no desk {desk} at this site."), desk=code)


class ConfigCache:
    """The newest configuration read of each site, in one process. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configs: dict[int, SiteConfig] = {}

    def get(self, site_id: int, version: int) -> SiteConfig | None:
        config = self._configs.get(site_id)
        return config if config is not None and config.version == version else None

    def put(self, config: SiteConfig) -> None:
        with self._lock:
            kept = self._configs.get(config.site_id)
            if kept is None or kept.version <= config.version:
                self._configs[config.site_id] = config

    def clear(self) -> None:
        with self._lock:
            self._configs.clear()


def site_config(session: Session, site: Site) -> SiteConfig:
    """The configuration of ``site`` as ``session`` sees it, from the process's cache when its
    ``config_version`` matches the site row's."""
    shared = session.info.get(SHARED)
    cache: ConfigCache | None = (
        shared.setdefault(CONFIG_CACHE, ConfigCache()) if shared is not None else None
    )
    changed_here = site.id in config_changed_in(session)
    if cache is not None and not changed_here:
        found = cache.get(site.id, site.config_version)
        if found is not None:
            return found
    config = read_config(session, site.id, site.config_version)
    if cache is not None and not changed_here:
        cache.put(config)
    return config


def read_config(session: Session, site_id: int, version: int) -> SiteConfig:
    """The site's configuration read from the database (Core selects, no ORM objects)."""
    service_table = Service.__table__
    desk_table = Desk.__table__
    link_table = DeskService.__table__
    services: dict[int, ServiceInfo] = {}
    service_rows = session.execute(
        select(service_table)
        .where(service_table.c.site_id == site_id)
        .order_by(service_table.c.position, service_table.c.prefix)
    ).mappings()
    for row in service_rows:
        services[row["id"]] = ServiceInfo(**{f: row[f] for f in _SERVICE_FIELDS})
    links: dict[int, list[int]] = {}
    link_rows = session.execute(
        select(link_table.c.desk_id, link_table.c.service_id)
        .join(desk_table, desk_table.c.id == link_table.c.desk_id)
        .where(desk_table.c.site_id == site_id)
        .order_by(link_table.c.desk_id, link_table.c.position)
    )
    for desk_id, service_id in link_rows:
        links.setdefault(desk_id, []).append(service_id)
    desks: dict[int, DeskInfo] = {}
    desk_rows = session.execute(
        select(desk_table).where(desk_table.c.site_id == site_id).order_by(desk_table.c.code)
    ).mappings()
    for row in desk_rows:
        fields: dict[str, Any] = {f: row[f] for f in _DESK_FIELDS}
        desks[row["id"]] = DeskInfo(**fields, service_ids=tuple(links.get(row["id"], ())))
    return SiteConfig(site_id=site_id, version=version, services=services, desks=desks)


_SERVICE_FIELDS = (
    "id",
    "site_id",
    "key",
    "prefix",
    "names",
    "hints",
    "hours",
    "target_wait_minutes",
    "default_service_minutes",
    "position",
    "active",
    "daily_limit",
    "amber_share",
    "issuing_stopped_on",
    "issuing_stop_reason",
    "appointment_check_in_before_minutes",
    "appointment_check_in_after_minutes",
)
_DESK_FIELDS = ("id", "site_id", "code", "name", "kind", "state", "signed_on_user_id")
