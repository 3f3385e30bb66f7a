"""A site described in one TOML file, loaded with ``tresen admin apply FILE``.

Applying is idempotent: the file states how the site should be, and applying it twice changes
nothing the second time. Services are matched by ``key``, desks by ``code``, users by
``username``, devices by ``name``. A service that is no longer in the file is switched off, not
deleted (old tickets refer to it). A user's password is set only when the user is new; use
``tresen admin reset-password`` to change it. A device token in the file is meant for the demo
only; real tokens come from ``tresen admin issue-device-token`` and are printed once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.auth import tokens
from central_server.auth.service import forget_tokens
from central_server.db import Database
from central_server.events import log as event_log
from central_server.models import Desk, DeskService, Device, Service, Site, User, user_sites
from central_server.sites import hours as hours_rules
from central_server.statistics import repository as statistics_repository
from central_server.writes import lock_site
from resources.i18n import CITIZEN_LANGUAGES
from resources.vocabulary import MAX_WEEKS, DeskKind, DeviceKind, DocumentKind

Texts = dict[str, str]


class SiteFileError(ValueError):
    """The file cannot be applied; the message says where and why. Nothing was changed."""


def _all_languages(texts: Texts, what: str) -> Texts:
    missing = [lang for lang in CITIZEN_LANGUAGES if not texts.get(lang, "").strip()]
    if missing:
        raise ValueError(f"{what} is missing in: {', '.join(missing)}")
    return texts


class _Entry(BaseModel):
    # A key the file misspells (``daily_limt``) must not be ignored in silence: the office would
    # believe a rule holds that nobody applied.
    model_config = ConfigDict(extra="forbid")


class ChecklistStep(_Entry):
    id: str = Field(min_length=1, max_length=64)
    names: Texts


class DocumentEntry(_Entry):
    """A document a service orders for the citizen, as the clerk's "document ordered" dialog
    suggests it: ``kind`` is one of the pickup's document kinds, ``detail`` the free text that
    goes with it on the shelf (e.g. "Fiktionsbescheinigung"), ``weeks`` how long it usually
    takes to arrive (0: not known)."""

    kind: DocumentKind
    detail: str = Field("", max_length=200)
    weeks: int = Field(0, ge=0, le=MAX_WEEKS)


class ServiceEntry(_Entry):
    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    prefix: str = Field(pattern=r"^[A-Z]$")
    names: Texts
    hints: Texts = Field(default_factory=dict)
    hours: dict[str, list[str]] = Field(default_factory=dict)
    target_wait_minutes: int = Field(20, ge=1, le=600)
    default_service_minutes: int = Field(10, ge=1, le=600)
    checklist: list[ChecklistStep] = Field(default_factory=list)
    #: What the service orders, most usual first: the first is preselected at the desk.
    documents: list[DocumentEntry] = Field(default_factory=list, max_length=20)
    active: bool = True
    #: The day's contingent: after this many tickets of the service today, no more are issued.
    daily_limit: int | None = Field(None, ge=1, le=9999)
    #: From this share of the target wait the longest wait shows amber (default: the site's).
    amber_share: float | None = Field(None, gt=0, le=1)
    #: An appointment of the service is checked in at the kiosk from this many minutes before
    #: its time ...
    appointment_check_in_before_minutes: int = Field(30, ge=0, le=24 * 60)
    #: ... to this many minutes after it (both edges included).
    appointment_check_in_after_minutes: int = Field(10, ge=0, le=24 * 60)

    @field_validator("names")
    @classmethod
    def _names(cls, v: Texts) -> Texts:
        return _all_languages(v, "the name")

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        hours_rules.validate(v)
        return v

    @field_validator("documents")
    @classmethod
    def _documents(cls, v: list[DocumentEntry]) -> list[DocumentEntry]:
        seen = [(d.kind.value, d.detail) for d in v]
        twice = sorted({" ".join(filter(None, k)) for k in seen if seen.count(k) > 1})
        if twice:
            raise ValueError(f"document given twice: {', '.join(twice)}")
        return v


class DeskEntry(_Entry):
    code: str = Field(min_length=1, max_length=32)
    name: str = ""
    kind: DeskKind = DeskKind.FRONT_OFFICE
    services: list[str] = Field(default_factory=list, description="service prefixes, in order")


class UserEntry(_Entry):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = ""
    roles: list[Literal["clerk", "pickup", "supervisor", "admin", "statistics"]] = Field(
        min_length=1
    )
    password: str | None = Field(None, description="initial password (demo and first set-up)")


class DeviceEntry(_Entry):
    name: str = Field(min_length=1, max_length=64)
    kind: DeviceKind
    token: str | None = Field(None, min_length=8, description="demo only")


class SiteEntry(_Entry):
    slug: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9\-]+$")
    name: str = Field(min_length=1)
    timezone: str = "Europe/Berlin"
    #: The supervisor's board: from this share of a service's target wait its longest wait
    #: shows amber (red once past the target).
    amber_share: float = Field(0.8, gt=0, le=1)
    #: The board's alert for an open desk without a ticket while people wait for it, after
    #: this many minutes.
    desk_idle_minutes: int = Field(2, ge=1, le=240)
    #: Figures per clerk in the statistics: off unless the staff council agreed (Personalrat).
    staff_statistics: bool = False
    #: The share of tickets called within their service's target the office aims for.
    service_level_goal: float = Field(0.8, gt=0, le=1)
    #: A checked-in appointment is called from this many minutes before its time on.
    appointment_lead_minutes: int = Field(2, ge=0, le=120)
    #: At most this many due appointments are called in a row before a walk-in who waited
    #: past the service's target.
    appointments_in_a_row: int = Field(3, ge=1, le=100)
    #: A code checked in after its window: "refuse" it, or give a "walk_in" ticket marked late.
    late_appointments: Literal["refuse", "walk_in"] = "refuse"


class OrganisationEntry(BaseModel):
    """Who the site works for (e.g. the city of Bonn, served by Köln's service centre): its
    supervisors and statistics users read the figures of every site of the organisation, and
    nothing of another's; reports may cover all its sites together."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9\-]+$")
    name: str = Field(min_length=1, max_length=200)


class SiteFile(_Entry):
    site: SiteEntry
    organisation: OrganisationEntry | None = None
    services: Annotated[list[ServiceEntry], Field(min_length=1)]
    desks: list[DeskEntry] = Field(default_factory=list)
    users: list[UserEntry] = Field(default_factory=list)
    devices: list[DeviceEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> SiteFile:
        for label, values in (
            ("service key", [s.key for s in self.services]),
            ("service prefix", [s.prefix for s in self.services]),
            ("desk code", [d.code for d in self.desks]),
            ("user name", [u.username for u in self.users]),
            ("device name", [d.name for d in self.devices]),
        ):
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"{label} given twice: {', '.join(duplicates)}")
        prefixes = {s.prefix for s in self.services}
        for desk in self.desks:
            unknown = [p for p in desk.services if p not in prefixes]
            if unknown:
                raise ValueError(f"desk {desk.code} serves unknown services: {', '.join(unknown)}")
        return self


def read(path: Path) -> SiteFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SiteFileError(f"{path}: {exc}") from exc
    try:
        return SiteFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {_message(e)}" for e in exc.errors()]
        raise SiteFileError(f"{path} is not a valid site file:\n" + "\n".join(lines)) from exc


def _message(error: ErrorDetails) -> str:
    if error["type"] == "extra_forbidden":
        return 'unknown key (misspelt? README "Sites as files" lists the keys)'
    return error["msg"]


def apply(db: Database, spec: SiteFile) -> list[str]:
    """Make the database match ``spec``; returns what changed, one line each."""
    changes: list[str] = []
    with db.write_session() as session:
        site = session.scalars(select(Site).where(Site.slug == spec.site.slug)).one_or_none()
        if site is None:
            site = Site(
                slug=spec.site.slug,
                name=spec.site.name,
                timezone=spec.site.timezone,
                last_event_seq=0,
                amber_share=spec.site.amber_share,
                desk_idle_minutes=spec.site.desk_idle_minutes,
                staff_statistics=spec.site.staff_statistics,
                service_level_goal=spec.site.service_level_goal,
                appointment_lead_minutes=spec.site.appointment_lead_minutes,
                appointments_in_a_row=spec.site.appointments_in_a_row,
                late_appointments=spec.site.late_appointments,
            )
            session.add(site)
            session.flush()
            changes.append(f"site {site.slug} created")
        site = lock_site(session, site.id)
        if site.staff_statistics != spec.site.staff_statistics:
            # Figures per clerk are kept only while the site file allows them: switched off,
            # they go at once; either way the past is summed up again as it now must be.
            statistics_repository.forget_figures(session, site)
        _set(
            site,
            changes,
            f"site {site.slug}",
            name=spec.site.name,
            timezone=spec.site.timezone,
            amber_share=spec.site.amber_share,
            desk_idle_minutes=spec.site.desk_idle_minutes,
            staff_statistics=spec.site.staff_statistics,
            service_level_goal=spec.site.service_level_goal,
            appointment_lead_minutes=spec.site.appointment_lead_minutes,
            appointments_in_a_row=spec.site.appointments_in_a_row,
            late_appointments=spec.site.late_appointments,
            organisation=spec.organisation.slug if spec.organisation else None,
            organisation_name=spec.organisation.name if spec.organisation else None,
        )
        services = _apply_services(session, site, spec, changes)
        _apply_desks(session, site, spec, services, changes)
        _apply_users(session, site, spec, changes)
        _apply_devices(session, site, spec, changes)
        if changes:
            event_log.append(
                session, site, "site.configured", actor="admin", data={"changes": len(changes)}
            )
    forget_tokens(db)  # roles and sites of users may have changed
    return changes


def _set(obj: object, changes: list[str], label: str, **values: object) -> None:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for key in changed:
        setattr(obj, key, values[key])
    if changed:
        changes.append(f"{label}: {', '.join(changed)} updated")


def _apply_services(
    session: Session, site: Site, spec: SiteFile, changes: list[str]
) -> dict[str, Service]:
    existing = {
        s.key: s for s in session.scalars(select(Service).where(Service.site_id == site.id))
    }
    # Free prefixes first, so two services may swap letters in one apply.
    wanted_prefix = {s.key: s.prefix for s in spec.services}
    for key, service in existing.items():
        if wanted_prefix.get(key) != service.prefix:
            service.prefix = service.prefix.lower()
    session.flush()
    by_prefix: dict[str, Service] = {}
    for position, entry in enumerate(spec.services):
        found = existing.get(entry.key)
        if found is None:
            service = Service(site_id=site.id, key=entry.key)
            session.add(service)
            changes.append(f"service {entry.prefix} ({entry.key}) created")
            label = None
        else:
            service = found
            label = f"service {entry.prefix} ({entry.key})"
        values = dict(
            prefix=entry.prefix,
            names=entry.names,
            hints=entry.hints,
            hours=entry.hours,
            target_wait_minutes=entry.target_wait_minutes,
            default_service_minutes=entry.default_service_minutes,
            checklist=[step.model_dump() for step in entry.checklist],
            documents=[document.model_dump(mode="json") for document in entry.documents],
            position=position,
            active=entry.active,
            daily_limit=entry.daily_limit,
            amber_share=entry.amber_share,
            appointment_check_in_before_minutes=entry.appointment_check_in_before_minutes,
            appointment_check_in_after_minutes=entry.appointment_check_in_after_minutes,
        )
        if label is None:
            for key, value in values.items():
                setattr(service, key, value)
        else:
            _set(service, changes, label, **values)
        by_prefix[entry.prefix] = service
    for key, service in existing.items():
        if key not in wanted_prefix:
            service.prefix = service.prefix.lower()
            if service.active:
                service.active = False
                changes.append(f"service {key} switched off (no longer in the file)")
    session.flush()
    return by_prefix


def _apply_desks(
    session: Session, site: Site, spec: SiteFile, services: dict[str, Service], changes: list[str]
) -> None:
    existing = {d.code: d for d in session.scalars(select(Desk).where(Desk.site_id == site.id))}
    for entry in spec.desks:
        desk = existing.get(entry.code)
        if desk is None:
            desk = Desk(
                site_id=site.id, code=entry.code, name=entry.name, kind=entry.kind, state="closed"
            )
            session.add(desk)
            changes.append(f"desk {entry.code} created")
        else:
            _set(desk, changes, f"desk {entry.code}", name=entry.name, kind=entry.kind)
        wanted = [services[p].id for p in entry.services]
        if [link.service_id for link in desk.services] != wanted:
            desk.services.clear()
            session.flush()
            desk.services.extend(
                DeskService(service_id=sid, position=i) for i, sid in enumerate(wanted)
            )
            if entry.code in existing:
                changes.append(f"desk {entry.code}: services updated")
    for code in existing.keys() - {d.code for d in spec.desks}:
        changes.append(f"desk {code} is no longer in the file and was left as it is")


def _apply_users(session: Session, site: Site, spec: SiteFile, changes: list[str]) -> None:
    for entry in spec.users:
        user = session.scalars(select(User).where(User.username == entry.username)).one_or_none()
        if user is None:
            if entry.password is None:
                raise SiteFileError(
                    f"user {entry.username} is new and needs a password in the file "
                    "(or add them with `tresen admin add-user`)"
                )
            user = User(
                username=entry.username,
                display_name=entry.display_name,
                roles=sorted(entry.roles),
                password_hash=tokens.hash_password(entry.password),
                active=True,
            )
            session.add(user)
            session.flush()
            changes.append(f"user {entry.username} created")
        else:
            _set(
                user,
                changes,
                f"user {entry.username}",
                display_name=entry.display_name,
                roles=sorted(entry.roles),
            )
        linked = session.execute(
            select(user_sites).where(
                user_sites.c.user_id == user.id, user_sites.c.site_id == site.id
            )
        ).first()
        if linked is None:
            session.execute(user_sites.insert().values(user_id=user.id, site_id=site.id))
            if not any(c == f"user {entry.username} created" for c in changes):
                changes.append(f"user {entry.username} now works at {site.slug}")


def _apply_devices(session: Session, site: Site, spec: SiteFile, changes: list[str]) -> None:
    existing = {d.name: d for d in session.scalars(select(Device).where(Device.site_id == site.id))}
    for entry in spec.devices:
        device = existing.get(entry.name)
        if device is None:
            device = Device(site_id=site.id, name=entry.name, kind=entry.kind)
            session.add(device)
            changes.append(f"device {entry.name} ({entry.kind}) created")
        else:
            _set(device, changes, f"device {entry.name}", kind=entry.kind)
        if entry.token is not None and device.token_hash != tokens.digest(entry.token):
            device.token_hash = tokens.digest(entry.token)
            device.revoked_at = None
            changes.append(f"device {entry.name}: token set from the file")
