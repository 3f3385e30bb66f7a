"""The statistics of a site or of an organisation's sites: who may read them, which period,
and the figures (see ``central_server.statistics.figures`` for what each counts).

Who reads: the roles with ``Capability.READ_STATISTICS`` (supervisor, statistics) for the sites
they work at and every other site of those sites' organisations, nothing of another
organisation; an admin reads every site. Per-clerk figures (``by=clerk``) only where every
site asked for allows them in its site file (``staff_statistics = true``).

Where the figures come from: finished days are summed up once per site and day
(:func:`bring_up_to_date`, on the first request that needs them, a month per transaction) into
``figures``, per day and per month; a request reads whole months from month rows and the days
around them from day rows, each at the smallest level of detail that has what it asks for,
and today's tickets (and any day not summed up yet) from the tickets themselves. What no level
has (an hour split by desk or by clerk, a clerk's figures at one desk) is read from the
tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.errors import N_, Forbidden, InvalidInput, NotFound
from central_server.models import Site
from central_server.models._types import utcnow
from central_server.sites import repository as sites_repo
from central_server.statistics import figures as rules
from central_server.statistics import repository
from central_server.writes import Answer, perform

Group = Literal["day", "week", "month", "weekday", "hour", "weekday_hour"]
By = Literal["service", "desk", "clerk"]

#: The longest period one request covers.
MAX_DAYS = 366
#: From how many groups on the totals are read on their own rather than added up.
MANY_GROUPS = 200


@dataclass(frozen=True)
class Query:
    """What a request asks for, checked."""

    first: date
    last: date
    group: Group | None = None
    by: By | None = None
    service_id: int | None = None
    desk_id: int | None = None


def parse_period(first: str, last: str) -> tuple[date, date]:
    """``from`` and ``to`` as days; 422 with a clear message for a bad date, a reversed or a
    too long period."""
    days = []
    for name, text in (("from", first), ("to", last)):
        try:
            days.append(date.fromisoformat(text))
        except (TypeError, ValueError):
            raise InvalidInput(
                "bad_date",
                N_("{field} is not a date of the form YYYY-MM-DD: {value}"),
                field=name,
                value=text,
            ) from None
    start, end = days
    if start > end:
        raise InvalidInput(
            "period_reversed",
            N_("The period begins ({start}) after it ends ({end})."),
            start=start.isoformat(),
            end=end.isoformat(),
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(
            "period_too_long",
            N_("The period is {days} days long; at most {limit} days can be read at once."),
            days=(end - start).days + 1,
            limit=MAX_DAYS,
        )
    return start, end


def visible_sites(session: Session, principal: Principal) -> frozenset[int] | None:
    """The sites whose statistics ``principal`` may read: their own and their organisations'
    (None: every site, an admin)."""
    if principal.site_ids is None:
        return None
    organisations = repository.organisations_of(session, principal.site_ids)
    ids = set(principal.site_ids)
    for organisation in organisations:
        ids.update(s.id for s in repository.sites_of_organisation(session, organisation))
    return frozenset(ids)


def _require_reader(principal: Principal) -> None:
    if not principal.can(Capability.READ_STATISTICS):
        raise Forbidden(
            "forbidden_role",
            N_("Your role does not allow this."),
            capability=Capability.READ_STATISTICS.value,
        )


def site_statistics(
    db: Database,
    slug: str,
    principal: Principal,
    first: str,
    last: str,
    group: Group | None,
    by: By | None,
    service_id: int | None,
    desk_id: int | None,
    written: bool = False,
) -> dict[str, Any]:
    """The statistics of one site (``written``: see :func:`statistics`)."""
    _require_reader(principal)
    start, end = parse_period(first, last)
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        visible = visible_sites(session, principal)
        if visible is not None and site.id not in visible:
            require(principal, Capability.READ_STATISTICS, site.id)  # 403 forbidden_site
        sites = [site]
        organisation = _organisation(site)
    query = Query(start, end, group, by, service_id, desk_id)
    return statistics(db, sites, organisation, query, written)


def organisation_statistics(
    db: Database,
    organisation: str,
    principal: Principal,
    first: str,
    last: str,
    slugs: str | None,
    group: Group | None,
    by: By | None,
    service_id: int | None,
    desk_id: int | None,
    written: bool = False,
) -> dict[str, Any]:
    """The statistics of an organisation's sites together (all, or those ``slugs`` names,
    comma-separated). A user may read only an organisation one of their sites belongs to:
    another organisation is refused as if it did not exist to them (403)."""
    _require_reader(principal)
    start, end = parse_period(first, last)
    with db.read_session() as session:
        members = repository.sites_of_organisation(session, organisation)
        visible = visible_sites(session, principal)
        if visible is not None and not any(s.id in visible for s in members):
            raise Forbidden(
                "forbidden_organisation",
                N_("You may not read the figures of organisation {organisation}."),
                organisation=organisation,
            )
        members = organisation_sites(members, organisation, slugs)
        org = _organisation(members[0])
    query = Query(start, end, group, by, service_id, desk_id)
    return statistics(db, members, org, query, written)


def organisation_sites(members: list[Site], organisation: str, slugs: str | None) -> list[Site]:
    """The sites of ``organisation`` (``members``) a request covers: all, or those ``slugs``
    names (comma-separated), each of which must be one of them."""
    if not members:
        raise NotFound(
            "organisation_not_found",
            N_("There is no organisation {organisation}."),
            organisation=organisation,
        )
    if not slugs:
        return members
    wanted = [s.strip() for s in slugs.split(",") if s.strip()]
    by_slug = {s.slug: s for s in members}
    strangers = [s for s in wanted if s not in by_slug]
    if strangers:
        raise InvalidInput(
            "site_not_in_organisation",
            N_("Not sites of organisation {organisation}: {sites}"),
            organisation=organisation,
            sites=", ".join(strangers),
        )
    return [by_slug[s] for s in dict.fromkeys(wanted)]


def _organisation(site: Site) -> dict[str, str] | None:
    if site.organisation is None:
        return None
    return {"slug": site.organisation, "name": site.organisation_name or site.organisation}


def local_today(site: Site) -> date:
    return utcnow().astimezone(ZoneInfo(site.timezone)).date()


def bring_up_to_date(
    db: Database, site: Site, until: date, first: date | None = None
) -> date | None:
    """Sum up the site's days up to ``until`` (at most yesterday) that are not summed up yet;
    returns the site's ``figures_until`` afterwards. Nothing when no day from ``first`` on could
    be read from summed-up rows (a request for today only reads today's tickets)."""
    until = min(until, local_today(site) - timedelta(days=1))
    if site.figures_until is not None and site.figures_until >= until:
        return site.figures_until
    if first is not None and until < first:
        return site.figures_until
    done = site.figures_until
    while done is None or done < until:
        done = _sum_up_next(db, site.id, until)
    return done


def sum_up_all(db: Database, slug: str | None = None) -> list[tuple[str, date | None]]:
    """Sum up every finished day of every site (or of ``slug``'s): ``tresen admin
    sum-up-figures``, so that no statistics request after an upgrade waits for it."""
    with db.read_session() as session:
        if slug is None:
            sites = list(session.scalars(select(Site).order_by(Site.slug)))
        else:
            sites = [sites_repo.site_by_slug(session, slug)]
    reached = []
    for site in sites:
        reached.append((site.slug, bring_up_to_date(db, site, local_today(site))))
        fill_written_answers(db, site.id)
    return reached


def fill_written_answers(db: Database, site_id: int, batch: int = 5000) -> int:
    """Write the figures of the site's rows summed up before rows kept them (see
    ``Figure.answer``), a batch per transaction; how many were written."""
    written = 0
    while True:
        with db.write_session() as session:
            done = repository.fill_answers(session, site_id, batch)
        written += done
        if done < batch:
            return written


def _sum_up_next(db: Database, site_id: int, until: date) -> date:
    """Sum up the site's next month (from the first of the month of the first day not summed
    up, to its end or ``until``), under the site's lock: its day rows, and its month rows
    anew."""
    reached: list[date] = []

    def change(session: Session, site: Site) -> Answer:
        done = site.figures_until
        if done is not None and done >= until:  # another request did it meanwhile
            reached.append(done)
            return 204, None
        if done is None:
            first_day = repository.first_ticket_day(session, site.id)
            if first_day is None or first_day > until:
                site.figures_until = until
                reached.append(until)
                return 204, None
            start = first_day.replace(day=1)
        else:
            start = (done + timedelta(days=1)).replace(day=1)
        end = min(until, _month_end(start))
        zone = ZoneInfo(site.timezone)
        targets = {
            s.id: s.target_wait_minutes for s in repository.services_of(session, [site.id]).values()
        }
        rows = repository.ticket_rows(session, site.id, start, end)
        facts = [rules.fact(r, zone, targets.get(r.service_id, 0)) for r in rows]
        facts += repository.missed_appointments(session, site.id, start, end)
        cells = rules.sum_levels(facts, per_clerk=site.staff_statistics)
        repository.replace_figures(session, site.id, start, cells)
        site.figures_until = end
        reached.append(end)
        return 204, None

    perform(db, None, site_id, None, None, change)
    return reached[-1]


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WrittenGroup:
    """A group whose figures were written when its row was summed up (``Figure.answer``): the
    endpoint writes it as ``{"key": .., by: item, ..figures}`` without making them again."""

    key: str
    by: str
    item: dict[str, Any]
    figures: bytes


def statistics(
    db: Database,
    sites: Sequence[Site],
    organisation: dict[str, str] | None,
    query: Query,
    written: bool = False,
) -> dict[str, Any]:
    """The answer for ``sites`` (read in another session: plain values used only).

    With ``written`` (the endpoints, which write JSON), the groups of a period by day and
    service that summed-up rows hold are :class:`WrittenGroup` s with the figures each row
    wrote when it was summed up, where every row has them: an organisation's year is 30,000
    groups, and making their figures again was most of its time (bench/README.md, issue 14)."""
    site_ids = [s.id for s in sites]
    staff_off = [s.slug for s in sites if not s.staff_statistics]
    if query.by == "clerk" and staff_off:
        raise Forbidden(
            "staff_statistics_off",
            N_(
                "Figures per clerk are switched off for {sites} "
                "(staff_statistics in the site file)."
            ),
            sites=", ".join(staff_off),
        )
    needed = frozenset(
        name
        for name, wanted in (
            ("hour", query.group in ("hour", "weekday_hour")),
            ("weekday", query.group in ("weekday", "weekday_hour")),
            ("service", query.by == "service" or query.service_id is not None),
            ("desk", query.by == "desk" or query.desk_id is not None),
            ("clerk", query.by == "clerk"),
        )
        if wanted
    )
    by = query.by
    month_level = None if query.group in ("day", "week") else rules.level_for("month", needed)
    day_level = rules.level_for("day", needed)
    summed_until: date | None = None
    if month_level is not None or day_level is not None:
        reached = [bring_up_to_date(db, s, query.last, query.first) for s in sites]
        # A site with nothing summed up yet has no rows to read: all is read from the tickets.
        summed_until = None if None in reached else min(r for r in reached if r is not None)
    summed_end = min(query.last, summed_until) if summed_until is not None else None
    cells: dict[tuple[str | None, int | None], rules.Cell] = {}
    stored: list[tuple[str, int, bytes]] = []
    # the groups by day and service (or desk) are each one row at the day level that has them
    use_written = (
        written
        and query.group == "day"
        and day_level in repository.ANSWERED_LEVELS
        and rules.LEVELS[day_level][1] == {query.by}
    )
    with db.read_session() as session:
        services = repository.services_of(session, site_ids)
        desks = repository.desks_of(session, site_ids)
        if query.service_id is not None and query.service_id not in services:
            raise InvalidInput(
                "unknown_service",
                N_("There is no service {service} at the sites asked for."),
                service=query.service_id,
            )
        if query.desk_id is not None and query.desk_id not in desks:
            raise InvalidInput(
                "unknown_desk",
                N_("There is no desk {desk} at the sites asked for."),
                desk=query.desk_id,
            )

        # the stretches of the period read from summed-up rows, as (level, first, last): read
        # and added up together below, so that a group's rows of whole months and of the days
        # around them are added up once, as arrays
        stretches: list[tuple[int, date, date]] = []

        def days(first: date, last: date) -> None:
            """The days ``first`` .. ``last``: summed-up day rows, else the tickets."""
            if first > last:
                return
            if day_level is not None:
                stretches.append((day_level, first, last))
            else:
                for site in sites:
                    _add_live(session, site, first, last, query, services, desks, cells)

        if summed_end is not None and summed_end >= query.first:
            full_first = (
                query.first if query.first.day == 1 else _month_end(query.first) + timedelta(1)
            )
            full_last = (
                summed_end.replace(day=1)
                if summed_end == _month_end(summed_end)
                else summed_end.replace(day=1) - timedelta(days=1)
            )
            if month_level is not None and full_first <= full_last:
                # whole months from their month rows; the days around them from day rows
                stretches.append((month_level, full_first, full_last.replace(day=1)))
                days(query.first, full_first - timedelta(days=1))
                days(_month_end(full_last) + timedelta(days=1), summed_end)
            else:
                found = (
                    repository.stored_answers(
                        session,
                        site_ids,
                        day_level,
                        query.first,
                        summed_end,
                        query.service_id,
                        query.desk_id,
                    )
                    if use_written and day_level is not None
                    else None
                )
                if found is None:
                    days(query.first, summed_end)
                else:
                    stored = found
            live_from = summed_end + timedelta(days=1)
        else:
            live_from = query.first
        repository.add_summed(
            session, cells, site_ids, stretches, query.group, by, query.service_id, query.desk_id
        )
        if live_from <= query.last:
            for site in sites:
                _add_live(session, site, live_from, query.last, query, services, desks, cells)
        # Many groups (a year by day and service): their totals are read at the level that has
        # them in a few rows, not added up from every group.
        many = (
            len(cells) + len(stored) > MANY_GROUPS
            and (query.group is not None or query.by is not None)
            and query.by != "clerk"
        ) or bool(stored)
        answer = _answer(
            session, sites, organisation, query, cells, services, desks, site_ids, not many, stored
        )
    if many:
        whole = replace(query, group=None, by=None)
        answer["totals"] = statistics(db, sites, organisation, whole)["totals"]
    return answer


def _add_live(
    session: Session,
    site: Site,
    first: date,
    last: date,
    query: Query,
    services: dict[int, Any],
    desks: dict[int, Any],
    cells: dict[tuple[str | None, int | None], rules.Cell],
) -> None:
    """Add the site's tickets of ``first`` .. ``last`` straight from the tickets."""
    zone = ZoneInfo(site.timezone)
    by_attr = {"service": "service_id", "desk": "desk_id", "clerk": "clerk_id", None: None}[
        query.by
    ]
    if query.service_id is not None and services[query.service_id].site_id != site.id:
        return  # the service asked for is another site's: none of this site's tickets count
    if query.desk_id is not None and desks[query.desk_id].site_id != site.id:
        return
    rows = repository.ticket_rows(session, site.id, first, last, query.service_id, query.desk_id)
    facts = [
        rules.fact(row, zone, service.target_wait_minutes if service else 0)
        for row in rows
        for service in (services.get(row.service_id),)
    ]
    facts += repository.missed_appointments(session, site.id, first, last)
    for one in facts:
        if query.service_id is not None and one.service_id != query.service_id:
            continue
        if query.desk_id is not None and one.desk_id != query.desk_id:
            continue
        key = (
            rules.group_key(query.group, one.day, one.hour),
            getattr(one, by_attr) if by_attr else None,
        )
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = rules.Cell()
        cell.add_fact(one)


def _answer(
    session: Session,
    sites: Sequence[Site],
    organisation: dict[str, str] | None,
    query: Query,
    cells: dict[tuple[str | None, int | None], rules.Cell],
    services: dict[int, Any],
    desks: dict[int, Any],
    site_ids: Sequence[int],
    add_totals: bool = True,
    stored: Sequence[tuple[str, int, bytes]] = (),
) -> dict[str, Any]:
    totals = rules.Cell()
    if add_totals:
        for cell in cells.values():
            totals.merge(cell)
    slugs = {s.id: s.slug for s in sites}
    clerks = repository.clerks_of(session, site_ids) if query.by == "clerk" else {}

    named_once: dict[int, tuple[str, dict[str, Any]]] = {}

    def by_value(item_id: int | None) -> tuple[str, dict[str, Any]] | None:
        """The service, desk or clerk a group is of; made once per item and shared by its
        groups (a year by day and service has 261 groups of each service)."""
        if query.by is None or item_id is None:
            return None
        named = named_once.get(item_id)
        if named is None:
            named = named_once[item_id] = name_of(item_id)
        return named

    def name_of(item_id: int) -> tuple[str, dict[str, Any]]:
        if query.by == "service":
            s = services.get(item_id)
            if s is None:
                return ("", {"id": item_id, "prefix": "", "name": "", "names": {}, "site": None})
            name = s.names.get("de") or s.key
            return (
                name,
                {
                    "id": s.id,
                    "prefix": s.prefix.upper(),
                    "name": name,
                    "names": dict(s.names),
                    "site": slugs.get(s.site_id),
                },
            )
        if query.by == "desk":
            d = desks.get(item_id)
            if d is None:  # tickets never at a desk
                return ("", {"id": item_id or None, "name": "", "code": None, "site": None})
            name = d.name or d.code
            return (name, {"id": d.id, "name": name, "code": d.code, "site": slugs.get(d.site_id)})
        user = clerks.get(item_id)
        name = (user.display_name or user.username) if user else ""
        return (name, {"id": item_id or None, "name": name})

    groups: list[tuple[tuple[str, str, int], dict[str, Any] | WrittenGroup]] = []
    for day, stored_id, figures in stored:
        named = by_value(stored_id)
        assert named is not None and query.by is not None  # by day and service or desk
        written = WrittenGroup(day, query.by, named[1], figures)
        groups.append(((day, named[0], stored_id), written))
    if query.group is not None or query.by is not None:
        for (key, item_id), cell in cells.items():
            if not cell.counts.get("arrivals") and not cell.counts.get("appointment_missed"):
                continue
            named = by_value(item_id)
            entry: dict[str, Any] = (
                {"key": key, query.by or "": named[1], **cell.answer()}
                if named is not None
                else {"key": key, **cell.answer()}
            )
            groups.append(((key or "", named[0] if named else "", item_id or 0), entry))
        groups.sort(key=lambda g: g[0])
    goals = {s.service_level_goal for s in sites}
    return {
        "sites": [{"slug": s.slug, "name": s.name} for s in sites],
        "organisation": organisation,
        "from": query.first.isoformat(),
        "to": query.last.isoformat(),
        "group": query.group,
        "by": query.by,
        "service_level_goal": goals.pop() if len(goals) == 1 else min(goals),
        "totals": totals.answer(),
        "groups": [entry for _, entry in groups],
    }
