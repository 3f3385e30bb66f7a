"""The server's settings, declared once. Each can be set as ``TRESEN_<NAME>`` in the environment."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    folder: Path = user_data_path("tresen", appauthor=False, ensure_exists=True)
    return f"sqlite:///{folder / 'tresen.sqlite3'}"


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRESEN_")

    db: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL; a SQLite file in the user's data folder by default, "
        "postgresql+psycopg://user@host/db for a city",
    )
    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8080, description="port to listen on")
    demo: bool = Field(False, description="load the demo site on start")
    token_hours: float = Field(12.0, description="how long a sign-in stays valid (one shift)")
    failed_logins_per_minute: int = Field(
        5, description="failed sign-ins per user name and per address before 429"
    )
    idempotency_hours: float = Field(48.0, description="how long retried requests are recognised")
    event_poll_seconds: float = Field(
        1.0,
        description="how often a live stream looks into the database for events written "
        "by another server process",
    )
    pickup_purge_days: int = Field(
        30,
        ge=0,
        description="days after a pickup was handed over, cancelled or expired until the "
        "holder's name and the case reference are erased (the pickup's status stays for the "
        "statistics)",
    )
    pickup_collect_days: int = Field(
        90,
        ge=1,
        description="days a ready document waits for its holder; a pickup not collected within "
        "them after it became ready expires (checked every hour)",
    )
    wrong_pickup_scans_per_minute: int = Field(
        10,
        ge=1,
        description="unknown or wrong pickup receipts one person or device may scan per minute "
        "before 429; reaching the limit is reported in the site's event log",
    )
    max_body_bytes: int = Field(
        256 * 1024,
        ge=1024,
        description="the largest request body accepted, in bytes; a larger one answers 413 "
        "before it is read whole. The largest valid request, a transfer with 20,000 characters "
        "of notes and 2,000 of reason, is up to 135 kB when its JSON writes every character as "
        "a \\uXXXX escape (as Python's json does for umlauts, Cyrillic or Arabic)",
    )
    public_url: str = Field(
        "", description="the address citizens' phones reach the server at, for ticket links"
    )
