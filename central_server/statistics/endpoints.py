"""Statistics of a site and of an organisation's sites: HTTP only; the rules are in
``service``."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from central_server.deps import MAX_ID, DbDep, PrincipalDep
from central_server.statistics import service
from central_server.statistics.schemas import Statistics

router = APIRouter(tags=["statistics"])


class StatisticsResponse(JSONResponse):
    """JSON written by pydantic-core (Rust) instead of the standard library: an
    organisation's year by day and service is 30,000 groups, 20 MB, which ``json.dumps`` takes
    0.5-0.8 s to write and pydantic-core 0.2 s (bench/README.md, issue 14)."""

    def render(self, content: Any) -> bytes:
        groups = content.get("groups") if isinstance(content, dict) else None
        if not groups or not any(isinstance(g, service.WrittenGroup) for g in groups):
            return pydantic_core.to_json(content)
        return _with_written_groups(content, groups)


def _with_written_groups(content: dict[str, Any], groups: list[Any]) -> bytes:
    """The answer's JSON, with the groups whose figures were written when their rows were
    summed up (:class:`service.WrittenGroup`) put in as written: ``{"key": .., "service":
    {..}, `` and the figures' own members."""
    items: dict[int, bytes] = {}  # a service's JSON, once for all its days
    parts = []
    for group in groups:
        if not isinstance(group, service.WrittenGroup):
            parts.append(pydantic_core.to_json(group))
            continue
        item = items.get(id(group.item))
        if item is None:
            item = items[id(group.item)] = pydantic_core.to_json(group.item)
        head = b'{"key":%b,"%b":%b,' % (
            pydantic_core.to_json(group.key),
            group.by.encode(),
            item,
        )
        parts.append(head + group.figures[1:])  # the figures without their opening brace
    rest = pydantic_core.to_json({k: v for k, v in content.items() if k != "groups"})
    return b'%b,"groups":[%b]}' % (rest[:-1], b",".join(parts))


FromQuery = Annotated[str, Query(alias="from", max_length=20, description="first day, YYYY-MM-DD")]
ToQuery = Annotated[
    str, Query(max_length=20, description="last day, YYYY-MM-DD (at most 366 days)")
]
GroupQuery = Annotated[service.Group | None, Query(description="split the period")]
ByQuery = Annotated[
    service.By | None,
    Query(description="split by service, desk or clerk (clerk: only with staff_statistics)"),
]
ServiceQuery = Annotated[
    int | None, Query(alias="service", ge=1, le=MAX_ID, description="only this service")
]
DeskQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this desk (its id)")]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "forbidden_role, forbidden_site (a site of another organisation), "
        "forbidden_organisation, staff_statistics_off (by=clerk where the site file does not "
        "allow figures per clerk)"
    },
    422: {
        "description": "bad_date, period_reversed (from after to), period_too_long (over 366 "
        "days), unknown_service, unknown_desk, site_not_in_organisation, invalid_input"
    },
}


@router.get("/sites/{site}/statistics", response_model=Statistics, responses=ERRORS)
def site_statistics(
    site: str,
    first: FromQuery,
    to: ToQuery,
    db: DbDep,
    principal: PrincipalDep,
    group: GroupQuery = None,
    by: ByQuery = None,
    service_id: ServiceQuery = None,
    desk: DeskQuery = None,
) -> StatisticsResponse:
    """The site's figures for a period: arrivals, served, no-shows, waits, handling times,
    service level, how accurate the estimates were, kinds, outcomes and citizens' feedback;
    in total and per group (supervisor, statistics; admin). Computed from the times the server
    recorded, never the clients'."""
    answer = service.site_statistics(
        db, site, principal, first, to, group, by, service_id, desk, written=True
    )
    return StatisticsResponse(answer)


@router.get(
    "/statistics",
    response_model=Statistics,
    responses={
        **ERRORS,
        404: {"description": "organisation_not_found (for an admin; others get 403)"},
    },
)
def organisation_statistics(
    organisation: Annotated[str, Query(min_length=1, max_length=64)],
    first: FromQuery,
    to: ToQuery,
    db: DbDep,
    principal: PrincipalDep,
    sites: Annotated[
        str | None, Query(max_length=2000, description="only these sites: slug,slug")
    ] = None,
    group: GroupQuery = None,
    by: ByQuery = None,
    service_id: ServiceQuery = None,
    desk: DeskQuery = None,
) -> StatisticsResponse:
    """The figures of an organisation's sites together (as for one site). A supervisor or
    statistics user reads only an organisation one of their sites belongs to."""
    answer = service.organisation_statistics(
        db, organisation, principal, first, to, sites, group, by, service_id, desk, written=True
    )
    return StatisticsResponse(answer)
