"""Opening hours of a service: ``{"mon": ["08:00-12:00", "13:00-18:00"], ...}``.

Pure functions. A weekday missing from the mapping is closed; an empty mapping is always open.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_range(text: str) -> tuple[time, time]:
    """``"08:00-12:30"`` to two times; raises ValueError on anything else."""
    start_text, sep, end_text = text.partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not a range like 08:00-12:00")
    start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    if end <= start:
        raise ValueError(f"{text!r} ends before it starts")
    return start, end


def validate(hours: dict[str, list[str]]) -> None:
    for day, ranges in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"{day!r} is not a weekday (mon..sun)")
        for text in ranges:
            parse_range(text)


def is_open(hours: Mapping[str, list[str]], local_now: datetime) -> bool:
    if not hours:
        return True
    now = local_now.time()
    for text in hours.get(WEEKDAYS[local_now.weekday()], []):
        start, end = parse_range(text)
        if start <= now < end:
            return True
    return False


def today_text(hours: Mapping[str, list[str]], local_now: datetime) -> str:
    """Today's opening hours as shown to a citizen, e.g. ``08:00-12:00, 13:00-18:00``."""
    return ", ".join(hours.get(WEEKDAYS[local_now.weekday()], []))
