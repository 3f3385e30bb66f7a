"""Reading a booking system's export: CSV or iCalendar (.ics), for ``tresen admin
import-appointments``. The appointments read are pushed like the booking system's own push
(``service.push``): idempotent, all or nothing.

CSV (UTF-8, comma-separated, a header line; the order of the columns is free)::

    external_id,code,service,starts_at,language
    ZMS-100234,4711-0815,registration,2026-12-04T10:15:00+01:00,tr

``service`` is the service's key (as in the site file) or its id; ``language`` may be empty or
left out. ``starts_at`` is ISO 8601; a time without an offset is the site's local time.

iCalendar: every ``VEVENT`` is one appointment.

* ``UID`` -> ``external_id``;
* ``DTSTART`` -> ``starts_at``: UTC (``...Z``), with ``TZID=Europe/Berlin``, or a floating time
  (the site's local time); an all-day date is refused (no appointment);
* ``SUMMARY`` -> the service: its key, its id, or its name in any language (as booking systems
  title an appointment with the service's name);
* ``DESCRIPTION`` lines ``Code: ...`` (or ``Vorgangsnummer:``, ``Buchungsnummer:``) -> ``code``
  and ``Language: tr`` (or ``Sprache:``) -> ``language``; other lines are ignored;
* ``STATUS:CANCELLED`` events are skipped (cancel with the API's DELETE).

Nothing else is read: names, e-mail addresses and notes of the citizen stay in the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from central_server.appointments import service
from central_server.appointments.schemas import AppointmentIn, AppointmentsPush, PushResult
from central_server.db import Database
from central_server.sites import repository as sites_repo

CSV_COLUMNS = ("external_id", "code", "service", "starts_at")
_CODE_KEYS = ("code", "vorgangsnummer", "buchungsnummer")
_LANGUAGE_KEYS = ("language", "sprache")


class AppointmentFileError(ValueError):
    """The file cannot be imported; the message says where and why. Nothing was changed."""


@dataclass(frozen=True)
class Services:
    """A site's services as the file may name them: key, id or a name -> id."""

    by_name: Mapping[str, int]

    @classmethod
    def of(cls, services: Iterable[tuple[int, str, Mapping[str, str]]]) -> Services:
        names: dict[str, int] = {}
        for service_id, key, translations in services:
            for text in translations.values():
                names.setdefault(text.strip().casefold(), service_id)
            names[str(service_id)] = service_id
            names[key.casefold()] = service_id
        return cls(names)

    def find(self, text: str) -> int | None:
        return self.by_name.get(text.strip().casefold())


def import_file(db: Database, slug: str, path: Path) -> tuple[PushResult, int]:
    """Push the file's appointments to the site ``slug``: what was created, updated and left
    unchanged, and how many cancelled events were skipped. Nothing changes on any error."""
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        zone = ZoneInfo(site.timezone)
        services = Services.of(
            (s.id, s.key, s.names) for s in sites_repo.services_of(session, site.id)
        )
    items, skipped = read(path, services, zone)
    try:
        body = AppointmentsPush(appointments=items)
    except ValidationError as exc:
        raise AppointmentFileError(f"{path}: {exc.errors()[0]['msg']}") from None
    _, answer = service.push(db, None, slug, None, body, None, actor="admin")
    return PushResult.model_validate(answer), skipped


def read(path: Path, services: Services, zone: ZoneInfo) -> tuple[list[AppointmentIn], int]:
    """The appointments of the file (by its ending: .csv or .ics) and how many cancelled
    events were skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AppointmentFileError(f"{path}: {exc}") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(text, services, zone, str(path)), 0
    if suffix in (".ics", ".ical", ".ifb"):
        return read_ics(text, services, zone, str(path))
    raise AppointmentFileError(f"{path}: not a .csv or .ics file")


def read_csv(text: str, services: Services, zone: ZoneInfo, name: str) -> list[AppointmentIn]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise AppointmentFileError(
            f"{name}: the header line lacks {', '.join(missing)} "
            f"(columns: {', '.join(CSV_COLUMNS)}, language)"
        )
    found: list[AppointmentIn] = []
    for row in reader:
        where = f"{name}:{reader.line_num}"
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        found.append(
            _appointment(
                where,
                external_id=values["external_id"],
                code=values["code"],
                service=values["service"],
                starts_at=_time(where, values["starts_at"], zone),
                language=values.get("language") or None,
                services=services,
            )
        )
    return found


def read_ics(
    text: str, services: Services, zone: ZoneInfo, name: str
) -> tuple[list[AppointmentIn], int]:
    found: list[AppointmentIn] = []
    skipped = 0
    event: list[tuple[str, dict[str, str], str]] | None = None
    started = 0
    for number, (key, params, value) in _content_lines(text):
        if key == "BEGIN" and value.upper() == "VEVENT":
            event, started = [], number
        elif key == "END" and value.upper() == "VEVENT" and event is not None:
            where = f"{name}:{started} (VEVENT)"
            appointment = _from_event(where, event, services, zone)
            if appointment is None:
                skipped += 1
            else:
                found.append(appointment)
            event = None
        elif event is not None:
            event.append((key, params, value))
    return found, skipped


def _from_event(
    where: str,
    event: list[tuple[str, dict[str, str], str]],
    services: Services,
    zone: ZoneInfo,
) -> AppointmentIn | None:
    props: dict[str, tuple[dict[str, str], str]] = {}
    for key, params, value in event:
        props.setdefault(key, (params, value))
    if props.get("STATUS", ({}, ""))[1].upper() == "CANCELLED":
        return None
    for needed in ("UID", "DTSTART", "SUMMARY", "DESCRIPTION"):
        if needed not in props:
            raise AppointmentFileError(f"{where}: no {needed}")
    fields: dict[str, str] = {}
    for line in _unescape(props["DESCRIPTION"][1]).splitlines():
        label, colon, rest = line.partition(":")
        if colon:
            fields.setdefault(label.strip().casefold(), rest.strip())
    code = next((fields[k] for k in _CODE_KEYS if fields.get(k)), "")
    if not code:
        raise AppointmentFileError(f"{where}: the DESCRIPTION has no line 'Code: ...'")
    language = next((fields[k] for k in _LANGUAGE_KEYS if fields.get(k)), None)
    params, start = props["DTSTART"]
    return _appointment(
        where,
        external_id=_unescape(props["UID"][1]),
        code=code,
        service=_unescape(props["SUMMARY"][1]),
        starts_at=_ics_time(where, params, start, zone),
        language=language,
        services=services,
    )


def _content_lines(text: str) -> Iterable[tuple[int, tuple[str, dict[str, str], str]]]:
    """(line number, (NAME, params, value)) of each unfolded content line (RFC 5545 3.1)."""
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + line[1:])
        elif line.strip():
            logical.append((number, line))
    for number, line in logical:
        head, colon, value = _split_value(line)
        if not colon:
            continue
        name, *raw_params = head.split(";")
        params = {}
        for raw in raw_params:
            key, _, param = raw.partition("=")
            params[key.upper()] = param.strip('"')
        yield number, (name.upper(), params, value)


def _split_value(line: str) -> tuple[str, str, str]:
    """The line split at its first colon outside a quoted parameter value."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], ":", line[index + 1 :]
    return line, "", ""


def _unescape(value: str) -> str:
    return re.sub(
        r"\\([nN,;\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value
    ).strip()


def _ics_time(where: str, params: Mapping[str, str], value: str, zone: ZoneInfo) -> datetime:
    if params.get("VALUE", "").upper() == "DATE" or re.fullmatch(r"\d{8}", value):
        raise AppointmentFileError(f"{where}: DTSTART {value} is a whole day, not an appointment")
    try:
        naive = datetime.strptime(value.rstrip("Zz"), "%Y%m%dT%H%M%S")
    except ValueError:
        raise AppointmentFileError(f"{where}: DTSTART {value!r} is not a time") from None
    if value.upper().endswith("Z"):
        return naive.replace(tzinfo=ZoneInfo("UTC"))
    if "TZID" in params:
        try:
            return naive.replace(tzinfo=ZoneInfo(params["TZID"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise AppointmentFileError(f"{where}: unknown time zone {params['TZID']!r}") from None
    return naive.replace(tzinfo=zone)


def _time(where: str, value: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise AppointmentFileError(
            f"{where}: starts_at {value!r} is not an ISO 8601 time (2026-12-04T10:15:00+01:00)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _appointment(
    where: str,
    *,
    external_id: str,
    code: str,
    service: str,
    starts_at: datetime,
    language: str | None,
    services: Services,
) -> AppointmentIn:
    service_id = services.find(service)
    if service_id is None:
        raise AppointmentFileError(f"{where}: there is no service {service!r} at the site")
    try:
        return AppointmentIn(
            external_id=external_id,
            code=code,
            service_id=service_id,
            starts_at=starts_at,
            language=language,
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise AppointmentFileError(f"{where}: {problems}") from None
