from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from central_server.deps import DbDep, PrincipalDep
from central_server.sites import service
from central_server.sites.schemas import ServicePublic, SitePublic
from resources.i18n import CITIZEN_LANGUAGES, best_language

router = APIRouter(tags=["sites"])


@router.get("/sites/{site}", response_model=SitePublic)
def get_site(site: str, db: DbDep, principal: PrincipalDep) -> SitePublic:
    """The site's name (for titles and printed tickets) and time zone."""
    return service.get_site(db, site, principal)


@router.get("/sites/{site}/services", response_model=list[ServicePublic])
def list_services(
    site: str,
    db: DbDep,
    principal: PrincipalDep,
    lang: str | None = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> list[ServicePublic]:
    """The site's active services; ``name`` and ``hint`` in ``lang`` (or Accept-Language)."""
    language = (
        lang if lang in CITIZEN_LANGUAGES else best_language(accept_language, CITIZEN_LANGUAGES)
    )
    return service.list_services(db, site, principal, language)
