"""The server's settings, declared once. Each can be set as ``TRESEN_<NAME>`` in the environment."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The backends Tresen is built and tested for.
DATABASE_BACKENDS = ("sqlite", "postgresql")
_DATABASE_FORMS = "a SQLite file's path, sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"


def default_database_url() -> str:
    folder: Path = user_data_path("tresen", appauthor=False, ensure_exists=True)
    return f"sqlite:///{folder / 'tresen.sqlite3'}"


def database_url(value: str) -> str:
    """The SQLAlchemy URL for ``value``: a URL as it is, a plain path as a SQLite file.

    A path may be relative (to the current folder) or start with ``~``; it becomes absolute, so
    the server finds the same file whatever folder it later runs in. Raises ``ValueError`` with
    one line for a person when the value cannot name a database Tresen can use: an unknown
    scheme, or a SQLite file whose folder does not exist or that is a folder itself.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = value.strip()
    if not text:
        raise ValueError(f"no database given; write {_DATABASE_FORMS}")
    if "://" not in text:
        return f"sqlite:///{_sqlite_file(Path(text).expanduser())}"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        # Not echoed: a database address may hold a password.
        raise ValueError(f"the database address cannot be read; write {_DATABASE_FORMS}") from None
    backend = url.drivername.partition("+")[0]
    if backend not in DATABASE_BACKENDS:
        raise ValueError(f"Tresen cannot use {backend!r} databases; write {_DATABASE_FORMS}")
    database = url.database or ""
    if (
        backend == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
    ):
        _sqlite_file(Path(database))
    return text


def proxy_addresses(value: str) -> list[str]:
    """The IP addresses and networks in ``value`` (comma-separated), or ``["*"]`` for all.

    Raises ``ValueError`` for an entry that is neither: uvicorn would take it as a name that
    never matches, and every client of the proxy would count as the proxy.
    """
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if "*" in entries:
        return ["*"]
    addresses: list[str] = []
    for entry in entries:
        try:
            # uvicorn takes networks only without host bits: 10.0.0.5/24 becomes 10.0.0.0/24.
            if "/" in entry:
                addresses.append(str(ipaddress.ip_network(entry, strict=False)))
            else:
                addresses.append(str(ipaddress.ip_address(entry)))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24 or *)"
            ) from None
    return addresses


def ip_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The IP addresses and networks in ``value`` (comma-separated), as networks; ``loopback``
    stands for 127.0.0.0/8 and ::1.

    Raises ``ValueError`` for an entry that is neither.
    """
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for entry in (entry.strip() for entry in value.split(",")):
        if not entry:
            continue
        if entry.lower() == "loopback":
            networks += [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network "
                "(e.g. 10.0.0.5, 10.0.0.0/24 or loopback)"
            ) from None
    return networks


def _sqlite_file(path: Path) -> Path:
    path = path.absolute()
    if path.is_dir():
        raise ValueError(
            f"{path} is a folder; name the SQLite file in it, e.g. {path / 'tresen.sqlite3'}"
        )
    if not path.parent.is_dir():
        raise ValueError(f"the folder {path.parent} of the SQLite file does not exist")
    return path


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRESEN_")

    db: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL or the path of a SQLite file; a SQLite file in the user's "
        "data folder by default, postgresql+psycopg://user@host/db for a city",
    )

    @field_validator("db")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return database_url(value)

    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8080, description="port to listen on")
    workers: int = Field(
        1,
        ge=1,
        description="server processes sharing the port; more than 1 only on PostgreSQL (SQLite "
        "is the embedded database of one office and is written by one process)",
    )
    demo: bool = Field(False, description="load the demo site on start")
    token_hours: float = Field(12.0, description="how long a sign-in stays valid (one shift)")
    failed_logins_per_minute: int = Field(
        5, ge=1, description="failed sign-ins for one user name a minute before 429"
    )
    failed_logins_per_address_per_minute: int = Field(
        30,
        ge=1,
        description="failed sign-ins from one client address a minute (whatever the user names) "
        "before 429; high, since a whole office may share one address",
    )
    forwarded_allow_ips: str = Field(
        "",
        description="the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers "
        "are believed, comma-separated IP addresses or networks (10.0.0.5, 10.0.0.0/24) or *; "
        "none by default. Behind a proxy, name it here, or every client counts as the proxy",
    )

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies(cls, value: str) -> str:
        return ",".join(proxy_addresses(value))

    request_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="seconds a client has to send its whole request (headers and body) once it "
        "began; a connection that takes longer is closed",
    )
    idempotency_hours: float = Field(48.0, description="how long retried requests are recognised")
    event_poll_seconds: float = Field(
        5.0,
        gt=0,
        description="how often each site's event reader looks into the database unasked, once "
        "for all the site's live streams: a safety net, and on SQLite how changes made by "
        "tresen admin reach open streams. Streams are woken at once by their own process and, "
        "on PostgreSQL, by every process (LISTEN/NOTIFY)",
    )
    pickup_purge_days: int = Field(
        30,
        ge=0,
        description="days after a pickup was handed over, cancelled or expired until the "
        "holder's name and the case reference are erased (the pickup's status stays for the "
        "statistics)",
    )
    case_purge_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="days after a ticket finished (done, no-show or cancelled) until its case "
        "notes, case reference and forwarding reason are erased, 1 to 3650 (checked every "
        "hour); the authority's case file holds the record, and the ticket's times, steps and "
        "outcome stay for the statistics",
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
    metrics_allow: str = Field(
        "loopback",
        description="who may read /metrics (Prometheus) without the token: comma-separated IP "
        "addresses or networks (10.0.7.5, 10.0.7.0/24) or loopback (127.0.0.0/8 and the IPv6 "
        "loopback address); empty for nobody",
    )

    @field_validator("metrics_allow")
    @classmethod
    def _metrics_allow(cls, value: str) -> str:
        ip_networks(value)  # refused at start, in one line, when an entry is no address
        return value

    metrics_token: str = Field(
        "",
        repr=False,  # never in a printed or logged ServerSettings
        description="a token that lets anyone who sends it (Authorization: Bearer TOKEN) read "
        "/metrics from any address; none by default. Never logged",
    )

    def metrics_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The networks of ``metrics_allow``."""
        return ip_networks(self.metrics_allow)
