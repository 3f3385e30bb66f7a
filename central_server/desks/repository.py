"""The statements of the desk rules: a desk by its code, who is signed on where."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.errors import N_, NotFound
from central_server.models import Desk, User


def desk_by_code(session: Session, site_id: int, code: str) -> Desk:
    query = select(Desk).where(Desk.site_id == site_id, Desk.code == code)
    desk = session.scalars(query).one_or_none()
    if desk is None:
        raise NotFound("desk_not_found", N_("There is no desk {desk} at this site."), desk=code)
    return desk


def username(session: Session, user_id: int | None) -> str | None:
    """The user name of ``user_id`` (None for nobody)."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.username if user else None


def usernames(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """User id -> user name, in one query."""
    if not user_ids:
        return {}
    query = select(User.id, User.username).where(User.id.in_(user_ids))
    return {user_id: name for user_id, name in session.execute(query)}


def other_desks_of(session: Session, site_id: int, user_id: int, desk_id: int) -> list[Desk]:
    """The desks of the site other than ``desk_id`` where ``user_id`` is signed on."""
    query = select(Desk).where(
        Desk.site_id == site_id, Desk.signed_on_user_id == user_id, Desk.id != desk_id
    )
    return list(session.scalars(query))
