from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.models import Service
from central_server.models._types import utcnow
from central_server.sites import hours, repository
from central_server.sites.schemas import ServicePublic, SitePublic
from central_server.steering import issuing
from central_server.tickets import repository as tickets_repo
from resources.i18n import DEFAULT_LANGUAGE


def get_site(db: Database, slug: str, principal: Principal) -> SitePublic:
    with db.read_session() as session:
        site = repository.site_by_slug(session, slug)
        require(principal, Capability.READ_SERVICES, site.id)
        return SitePublic(slug=site.slug, name=site.name, timezone=site.timezone)


def list_services(
    db: Database, slug: str, principal: Principal, language: str
) -> list[ServicePublic]:
    """The site's active services with names in ``language`` (German where one is missing),
    and whether each issues tickets today (``central_server.steering.issuing``)."""
    with db.read_session() as session:
        site = repository.site_by_slug(session, slug)
        require(principal, Capability.READ_SERVICES, site.id)
        local_now = utcnow().astimezone(ZoneInfo(site.timezone))
        today = local_now.date()
        waiting = Counter(t.service_id for t in tickets_repo.queued_tickets(session, site.id))
        offered = repository.services_of(session, site.id, active_only=True)
        issued = tickets_repo.issued_on(session, site.id, today, {s.prefix for s in offered})
        answer = []
        for s in offered:
            given = issued.get(s.prefix, 0)
            not_issuing = issuing.why_not_issuing(s, today, given) is not None
            answer.append(_public(s, language, local_now, waiting[s.id], not_issuing, given))
        return answer


def _public(
    s: Service, language: str, local_now: datetime, waiting: int, not_issuing: bool, given: int
) -> ServicePublic:
    return ServicePublic(
        id=s.id,
        key=s.key,
        prefix=s.prefix,
        name=s.names.get(language) or s.names.get(DEFAULT_LANGUAGE, s.key),
        hint=s.hints.get(language) or s.hints.get(DEFAULT_LANGUAGE, ""),
        names=s.names,
        hints=s.hints,
        hours=s.hours,
        open_now=hours.is_open(s.hours, local_now),
        hours_today=hours.today_text(s.hours, local_now),
        target_wait_minutes=s.target_wait_minutes,
        checklist=s.checklist,
        documents=s.documents,
        waiting=waiting,
        issuing=not not_issuing,
        stopped_message=issuing.messages(s) if not_issuing else None,
        daily_limit=s.daily_limit,
        left_today=issuing.left_today(s, given),
    )
