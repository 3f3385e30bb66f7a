from __future__ import annotations

from pydantic import BaseModel, Field

from resources.vocabulary import MAX_WEEKS, DocumentKind


class SitePublic(BaseModel):
    slug: str
    name: str
    timezone: str


class ServiceDocument(BaseModel):
    kind: DocumentKind = Field(description="a pickup document kind, e.g. passport")
    detail: str = Field(description="free text that goes with it, e.g. Fiktionsbescheinigung")
    weeks: int = Field(
        ge=0, le=MAX_WEEKS, description="how many weeks it usually takes to arrive; 0: not known"
    )


class ChecklistStep(BaseModel):
    id: str = Field(description="stable, as the case's steps_done records it")
    names: dict[str, str] = Field(description="the step in each language, by language code")


class ServicePublic(BaseModel):
    id: int
    key: str
    prefix: str
    name: str
    hint: str
    names: dict[str, str]
    hints: dict[str, str]
    hours: dict[str, list[str]]
    open_now: bool
    hours_today: str
    target_wait_minutes: int
    checklist: list[ChecklistStep] = Field(description="the steps a clerk ticks off (site file)")
    documents: list[ServiceDocument] = Field(
        description="what the service orders for a citizen, most usual first (site file)"
    )
    waiting: int
    issuing: bool = Field(
        description="tickets are issued today: not stopped by a supervisor, and the daily "
        "contingent not used up (opening hours: open_now)"
    )
    stopped_message: dict[str, str] | None = Field(
        description="while it issues no tickets today: what the kiosk shows, in every citizen "
        "language"
    )
    daily_limit: int | None = Field(description="the day's contingent (site file); null: none")
    left_today: int | None = Field(description="tickets left of today's contingent")
