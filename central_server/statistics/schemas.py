"""The statistics answer (agreed with the supervisor window: names are a contract)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Minutes(BaseModel):
    mean: float | None = Field(description="mean in minutes (exact seconds); null: none measured")
    p50: float | None = Field(description="median, in whole minutes (nearest rank)")
    p80: float | None
    p95: float | None


class EstimateError(BaseModel):
    p50: float | None = Field(
        description="|wait told at issue - actual wait|, whole minutes, nearest rank"
    )
    p90: float | None


class Kinds(BaseModel):
    walk_in: int
    appointment: int
    urgent: int
    offline: int = Field(description="issued offline by a kiosk (also counted by priority)")


class Feedback(BaseModel):
    count: int
    mean: float | None = Field(description="mean score, 1 (bad) to 5 (very good)")


class Figures(BaseModel):
    arrivals: int = Field(description="tickets issued in the period (online and offline)")
    served: int = Field(description="finished, any outcome (status done)")
    no_show: int = Field(description="tickets marked as no-show at the desk")
    appointment_missed: int = Field(
        description="appointments not checked in by the end of their window (no ticket)"
    )
    cancelled: int
    transferred: int = Field(description="tickets transferred at least once")
    wait_minutes: Minutes = Field(description="first call - queued, of the called tickets")
    handling_minutes: Minutes = Field(description="finished - started, of the served tickets")
    service_level: float | None = Field(
        description="0..1: share of called tickets whose wait was within their service's target"
    )
    estimate_error_minutes: EstimateError
    kinds: Kinds = Field(description="arrivals by kind")
    outcomes: dict[str, int] = Field(description="served tickets by outcome word")
    feedback: Feedback


class NamedSite(BaseModel):
    slug: str
    name: str


class Organisation(BaseModel):
    slug: str
    name: str


class ServiceRef(BaseModel):
    id: int
    prefix: str
    name: str = Field(description="the German name")
    names: dict[str, str] = Field(description="the name in each language, by language code")
    site: str | None = Field(description="the site's slug")


class DeskRef(BaseModel):
    id: int | None = Field(description="null: tickets that never reached a desk")
    name: str
    code: str | None
    site: str | None


class ClerkRef(BaseModel):
    id: int | None = Field(description="null: tickets no clerk served")
    name: str


class Group(Figures):
    key: str | None = Field(
        description="day YYYY-MM-DD, week YYYY-Www, month YYYY-MM, weekday 1..7 (Monday 1), "
        "hour 00..23 or weekday_hour 1-09 (local time); null when only split by"
    )
    service: ServiceRef | None = None
    desk: DeskRef | None = None
    clerk: ClerkRef | None = None


class Statistics(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sites: list[NamedSite]
    organisation: Organisation | None
    from_: str = Field(alias="from", description="first day, YYYY-MM-DD")
    to: str = Field(description="last day, YYYY-MM-DD")
    group: str | None
    by: str | None
    service_level_goal: float = Field(description="the share of the site file aimed for")
    totals: Figures
    groups: list[Group] = Field(
        description="sorted by key, then by the split's name; groups without tickets (and "
        "without missed appointments) left out"
    )
