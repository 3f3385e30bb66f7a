from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from central_server.db import Database
from central_server.errors import N_, NotFound
from central_server.models import Service, Site

_SITE_BY_SLUG = select(Site).where(Site.slug == bindparam("slug"))


def site_by_slug(session: Session, slug: str) -> Site:
    site = session.scalars(_SITE_BY_SLUG, {"slug": slug}).one_or_none()
    if site is None:
        raise NotFound("site_not_found", N_("There is no site {site}."), site=slug)
    return site


def site_id(db: Database, slug: str) -> int:
    """The site's id. A slug never changes its site, so the answer is kept for the process."""
    found = db.known_sites.get(slug)
    if found is None:
        with db.read_session() as session:
            found = site_by_slug(session, slug).id
        db.known_sites[slug] = found
    return found


def services_of(session: Session, site_id: int, active_only: bool = False) -> list[Service]:
    query = select(Service).where(Service.site_id == site_id)
    if active_only:
        query = query.where(Service.active)
    return list(session.scalars(query.order_by(Service.position, Service.prefix)))
