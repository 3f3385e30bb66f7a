"""The rules of offline numbers without a server: where a lease starts, how online drawing
skips leased ranges, and which issue times an uploaded ticket may have."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from central_server.queue_rules import (
    OFFLINE_FIRST_NUMBER,
    NumberRange,
    lease_range,
    next_free_number,
)
from central_server.tickets.offline import CLOCK_SKEW, STATUS_TOKEN, issued_at_problem

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_first_lease_of_a_day_starts_at_900() -> None:
    assert lease_range(20, [], 0) == NumberRange(900, 919)
    assert lease_range(1, [], 37) == NumberRange(900, 900)
    assert OFFLINE_FIRST_NUMBER == 900


def test_a_lease_follows_the_earlier_leases_and_a_counter_in_the_high_range() -> None:
    earlier = [NumberRange(900, 919), NumberRange(920, 924)]
    assert lease_range(5, earlier, 120) == NumberRange(925, 929)
    # The counter below 899 does not matter; at 899 or above, the lease starts past it.
    assert lease_range(5, [], 898) == NumberRange(900, 904)
    assert lease_range(5, [], 899) == NumberRange(900, 904)
    assert lease_range(5, [], 900) == NumberRange(901, 905)
    assert lease_range(5, earlier, 1203) == NumberRange(1204, 1208)


def test_a_lease_needs_at_least_one_number() -> None:
    with pytest.raises(ValueError):
        lease_range(0, [], 0)
    with pytest.raises(ValueError):
        NumberRange(5, 4)


def test_online_drawing_jumps_over_leased_ranges() -> None:
    leased = [NumberRange(920, 924), NumberRange(900, 919), NumberRange(930, 939)]
    assert next_free_number(0, leased) == 1
    assert next_free_number(898, leased) == 899
    assert next_free_number(899, leased) == 925  # 900..919 and 920..924 touch
    assert next_free_number(925, leased) == 926
    assert next_free_number(929, leased) == 940
    assert next_free_number(940, leased) == 941


def test_leases_and_online_numbers_never_meet() -> None:
    """Leases and online draws in any order over a day: every number is given once."""
    rng = random.Random(4)
    for _run in range(50):
        leases: list[NumberRange] = []
        online: list[int] = []
        counter = rng.choice([0, 850, 895, 899, 905])
        for _step in range(200):
            if rng.random() < 0.1:
                leases.append(lease_range(rng.randint(1, 30), leases, counter))
            else:
                counter = next_free_number(counter, leases)
                online.append(counter)
        leased = [n for r in leases for n in range(r.first, r.last + 1)]
        assert len(leased) == len(set(leased)), "leases overlap"
        assert len(online) == len(set(online)), "an online number was drawn twice"
        assert not set(leased) & set(online), "an online number is in a lease"
        assert all(n >= OFFLINE_FIRST_NUMBER for n in leased)


DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "issued_at",
    [
        datetime(2026, 12, 1, 10, 15, 2, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2026, 11, 30, 23, 0, 0, tzinfo=UTC),  # 00:00 in Berlin
        NOW + CLOCK_SKEW,  # the kiosk's clock runs a little ahead
    ],
)
def test_issue_times_that_fit(issued_at: datetime) -> None:
    assert issued_at_problem(issued_at, NOW, BERLIN, DAY) is None


@pytest.mark.parametrize(
    ("issued_at", "why"),
    [
        (datetime(2026, 12, 1, 10, 15), "time zone"),
        (NOW + CLOCK_SKEW + timedelta(seconds=1), "future"),
        (datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC), "day"),  # 23:59:59 in Berlin
        (datetime(2026, 12, 2, 0, 30, tzinfo=BERLIN), "future"),
        (datetime(1, 1, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")), "day"),
    ],
)
def test_issue_times_that_do_not_fit(issued_at: datetime, why: str) -> None:
    problem = issued_at_problem(issued_at, NOW, BERLIN, DAY)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("a" * 22, True),
        ("Ab0_-" * 12 + "Ab0_", True),
        ("a" * 21, False),
        ("a" * 65, False),
        ("a" * 21 + "+", False),
        ("a" * 21 + "ä", False),
        ("a" * 22 + "\n", False),
    ],
)
def test_status_tokens_made_by_the_kiosk(token: str, ok: bool) -> None:
    assert bool(STATUS_TOKEN.fullmatch(token)) is ok
