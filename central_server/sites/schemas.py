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
