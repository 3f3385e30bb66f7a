from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central_server.models import AuthToken, Device, Site, User, user_sites


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def site_ids_of_user(session: Session, user_id: int) -> frozenset[int]:
    rows = session.scalars(select(user_sites.c.site_id).where(user_sites.c.user_id == user_id))
    return frozenset(rows)


def site_slugs_of_user(session: Session, user_id: int) -> list[str]:
    query = (
        select(Site.slug)
        .join(user_sites, user_sites.c.site_id == Site.id)
        .where(user_sites.c.user_id == user_id)
        .order_by(Site.slug)
    )
    return list(session.scalars(query))


def valid_token(session: Session, token_hash: str, now: datetime) -> tuple[AuthToken, User] | None:
    query = (
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == token_hash, AuthToken.expires_at > now, User.active)
    )
    row = session.execute(query).one_or_none()
    return (row[0], row[1]) if row else None


def device_by_token(session: Session, token_hash: str) -> Device | None:
    query = select(Device).where(Device.token_hash == token_hash, Device.revoked_at.is_(None))
    return session.scalars(query).one_or_none()


def delete_expired_tokens(session: Session, now: datetime) -> None:
    session.execute(delete(AuthToken).where(AuthToken.expires_at <= now))
