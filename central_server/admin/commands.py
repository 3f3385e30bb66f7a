"""``tresen admin`` commands: users, passwords, device tokens. Secrets are printed once and
never logged."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central_server.auth import tokens
from central_server.auth.principal import DEVICE_KINDS, USER_ROLES
from central_server.auth.service import forget_tokens
from central_server.db import Database
from central_server.models import AuthToken, Device, Site, User, user_sites
from central_server.models._types import utcnow


class AdminError(ValueError):
    """A command cannot be carried out; the message says why. Nothing was changed."""


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _site(session: Session, slug: str) -> Site:
    site = session.scalars(select(Site).where(Site.slug == slug)).one_or_none()
    if site is None:
        raise AdminError(f"there is no site {slug!r}; load it first with `tresen admin apply`")
    return site


def _device(session: Session, site: Site, name: str) -> Device | None:
    query = select(Device).where(Device.site_id == site.id, Device.name == name)
    return session.scalars(query).one_or_none()


def add_user(
    db: Database,
    username: str,
    password: str,
    roles: list[str],
    sites: list[str],
    display_name: str = "",
) -> None:
    unknown = sorted(set(roles) - {r.value for r in USER_ROLES})
    if unknown or not roles:
        raise AdminError(f"roles must be some of clerk, pickup, supervisor, admin; got {roles}")
    with db.write_session() as session:
        if session.scalars(select(User).where(User.username == username)).first():
            raise AdminError(f"user {username!r} exists already")
        site_rows = [_site(session, slug) for slug in sites]
        user = User(
            username=username,
            display_name=display_name,
            roles=sorted(set(roles)),
            password_hash=tokens.hash_password(password),
            active=True,
        )
        session.add(user)
        session.flush()
        for site in site_rows:
            session.execute(user_sites.insert().values(user_id=user.id, site_id=site.id))


def reset_password(db: Database, username: str, password: str) -> None:
    """Set a new password and end every sign-in of the user."""
    with db.write_session() as session:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            raise AdminError(f"there is no user {username!r}")
        user.password_hash = tokens.hash_password(password)
        session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
    forget_tokens(db)  # at once in this process; other processes within seconds


def issue_device_token(db: Database, site_slug: str, name: str, kind: str) -> str:
    """A new token for the device (created if new); any earlier token stops working."""
    if kind not in {k.value for k in DEVICE_KINDS}:
        known = ", ".join(sorted(k.value for k in DEVICE_KINDS))
        raise AdminError(f"a device is one of {known}, not {kind!r}")
    token = tokens.new_token()
    with db.write_session() as session:
        site = _site(session, site_slug)
        device = _device(session, site, name)
        if device is None:
            device = Device(site_id=site.id, name=name, kind=kind)
            session.add(device)
        elif device.kind != kind:
            raise AdminError(f"device {name!r} is a {device.kind}, not a {kind}")
        device.token_hash = tokens.digest(token)
        device.revoked_at = None
    forget_tokens(db)
    return token


def revoke_device_token(db: Database, site_slug: str, name: str) -> None:
    with db.write_session() as session:
        device = _device(session, _site(session, site_slug), name)
        if device is None:
            raise AdminError(f"there is no device {name!r} at {site_slug}")
        device.token_hash = None
        device.revoked_at = utcnow()
    forget_tokens(db)
