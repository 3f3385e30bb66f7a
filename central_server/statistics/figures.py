"""What one ticket adds to the figures, and how figures add up: plain Python, no I/O.

A ticket counts on its local day of issue (``Ticket.day``) and in the local hour it was issued,
for its service (the last one, after a move or transfer), the desk that had it last and the
clerk who served it last. What it adds (:class:`Fact`):

* ``arrivals`` 1, and one of ``walk_in`` / ``appointment`` / ``urgent`` by its priority;
  ``offline`` 1 if a kiosk issued it offline (a walk-in, appointment or urgent ticket too);
* ``served`` (finished, any outcome), ``no_show`` or ``cancelled`` by its final status;
  ``transferred`` 1 if it was transferred at least once;
* once called: ``called`` 1, its wait (first call - queued, in seconds), and ``within_target``
  1 if that wait was at most its service's target; the wait in whole minutes (rounded down)
  as a value of ``WAIT``; with an estimate given at issue, |estimate - wait| in whole minutes
  as a value of ``ESTIMATE_ERROR``;
* once served (started and finished, status done): ``handled`` 1, its handling time (finished
  - started, the last desk's) and its value of ``HANDLING`` in whole minutes; its outcome's
  number (:data:`OUTCOME_WORDS`) as a value of ``OUTCOME``;
* its citizen's feedback score (1-5) as a value of ``FEEDBACK``.

Percentiles are read from these per-minute histograms by nearest rank: p50 is the smallest
whole minute at or below which at least half the values lie. A histogram bar is one number,
``measure << 16 | value`` (values above 65535 count as 65535), so a summed-up row keeps its
histograms as one packed array (:func:`pack`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from resources.vocabulary import Outcome, Priority, TicketStatus

COUNTS = (
    "arrivals",
    "served",
    "no_show",
    "cancelled",
    "transferred",
    "called",
    "within_target",
    "handled",
    "walk_in",
    "appointment",
    "urgent",
    "offline",
    "appointment_missed",
)
SUMS = ("wait_seconds", "handling_seconds")
KIND_OF_PRIORITY = {
    Priority.NORMAL.value: "walk_in",
    Priority.APPOINTMENT.value: "appointment",
    Priority.URGENT.value: "urgent",
}
WAIT, HANDLING, ESTIMATE_ERROR, FEEDBACK, OUTCOME = 1, 2, 3, 4, 5
#: The outcome words by their number in a bar (value of measure OUTCOME); new words go last.
OUTCOME_WORDS = tuple(o.value for o in Outcome)
_OUTCOME_NUMBER = {word: number for number, word in enumerate(OUTCOME_WORDS)}
_TOP = 0xFFFF


def bar(measure: int, value: int) -> int:
    return measure << 16 | min(max(value, 0), _TOP)


#: Levels of detail the figures are summed up at: level -> (grain, dimensions). Day grain: one
#: row per local day (``day``; its weekday is known); month grain: one per month (``day`` the
#: first). A request reads, for each stretch of its period, the smallest level holding what it
#: groups, splits and filters by; what no level holds (an hour with a desk or a clerk) is read
#: from the tickets.
LEVELS: dict[int, tuple[str, frozenset[str]]] = {
    0: ("day", frozenset()),
    1: ("day", frozenset({"hour"})),
    2: ("day", frozenset({"service"})),
    # the days around whole months of a year split by hour and service
    7: ("day", frozenset({"hour", "service"})),
    10: ("month", frozenset()),
    11: ("month", frozenset({"hour"})),
    12: ("month", frozenset({"service"})),
    13: ("month", frozenset({"weekday"})),
    14: ("month", frozenset({"weekday", "hour"})),
    15: ("month", frozenset({"hour", "service"})),
    22: ("month", frozenset({"weekday", "hour", "service"})),
    16: ("month", frozenset({"service", "desk"})),
    # by desk with a split in time (the supervisor's charts split by desk: hours and days);
    # day rows by hour and desk serve short periods and the days around whole months
    4: ("day", frozenset({"desk"})),
    5: ("day", frozenset({"hour", "desk"})),
    18: ("month", frozenset({"hour", "desk"})),
    19: ("month", frozenset({"weekday", "hour", "desk"})),
    # per clerk, only for a site whose site file allows figures per clerk: a year of a site in
    # 12 rows a clerk, not 50,000 tickets
    3: ("day", frozenset({"clerk"})),
    6: ("day", frozenset({"hour", "clerk"})),
    17: ("month", frozenset({"clerk"})),
    20: ("month", frozenset({"hour", "clerk"})),
    21: ("month", frozenset({"weekday", "hour", "clerk"})),
}


def level_for(grain: str, needed: frozenset[str]) -> int | None:
    """The smallest level of ``grain`` that has every dimension in ``needed`` (a day-grain row
    knows its weekday); None: none has."""
    have_free = frozenset({"weekday"}) if grain == "day" else frozenset()
    fitting = [
        (len(dims), level)
        for level, (g, dims) in LEVELS.items()
        if g == grain and needed <= dims | have_free
    ]
    return min(fitting)[1] if fitting else None


@dataclass(slots=True)
class Fact:
    """What one ticket adds (see the module)."""

    day: date
    hour: int
    service_id: int
    desk_id: int
    clerk_id: int
    counts: dict[str, float]
    bars: list[int]


@dataclass(frozen=True, slots=True)
class TicketRow:
    """The columns of a ticket (with its case's outcome and its feedback) the figures read."""

    site_id: int
    service_id: int
    day: date
    created_at: datetime
    queued_at: datetime
    first_called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    status: str
    priority: str
    issued_offline: bool
    transfer_count: int
    desk_id: int | None
    served_by_user_id: int | None
    estimated_wait_minutes: int | None
    outcome: str | None
    feedback: int | None


def fact(row: TicketRow, zone: ZoneInfo, target_minutes: int) -> Fact:
    counts: dict[str, float] = {"arrivals": 1, KIND_OF_PRIORITY.get(row.priority, "walk_in"): 1}
    bars: list[int] = []
    if row.issued_offline:
        counts["offline"] = 1
    if row.status == TicketStatus.DONE:
        counts["served"] = 1
    elif row.status == TicketStatus.NO_SHOW:
        counts["no_show"] = 1
    elif row.status == TicketStatus.CANCELLED:
        counts["cancelled"] = 1
    if row.transfer_count:
        counts["transferred"] = 1
    if row.first_called_at is not None:
        wait = max(0.0, (row.first_called_at - row.queued_at).total_seconds())
        counts["called"] = 1
        counts["wait_seconds"] = wait
        if wait <= target_minutes * 60:
            counts["within_target"] = 1
        bars.append(bar(WAIT, int(wait // 60)))
        if row.estimated_wait_minutes is not None:
            bars.append(bar(ESTIMATE_ERROR, int(abs(row.estimated_wait_minutes - wait / 60))))
    if (
        row.status == TicketStatus.DONE
        and row.started_at is not None
        and row.finished_at is not None
    ):
        handling = max(0.0, (row.finished_at - row.started_at).total_seconds())
        counts["handled"] = 1
        counts["handling_seconds"] = handling
        bars.append(bar(HANDLING, int(handling // 60)))
    if row.status == TicketStatus.DONE and row.outcome in _OUTCOME_NUMBER:
        bars.append(bar(OUTCOME, _OUTCOME_NUMBER[row.outcome]))
    if row.feedback is not None:
        bars.append(bar(FEEDBACK, int(row.feedback)))
    return Fact(
        day=row.day,
        hour=row.created_at.astimezone(zone).hour,
        service_id=row.service_id,
        desk_id=row.desk_id or 0,
        clerk_id=row.served_by_user_id or 0,
        counts=counts,
        bars=bars,
    )


@dataclass(slots=True)
class Cell:
    """Figures added up: counts and sums, and the histograms' bars (bar -> count).

    A cell made of one summed-up row (most cells of a fine split: a day and a service of one
    site) keeps that row's packed bars as they came, already in order, and answers from them
    without building a dictionary: a year split by day and service is 30,000 such cells."""

    counts: dict[str, float] = field(default_factory=dict)
    bars: dict[int, int] = field(default_factory=dict)
    _packed: array[int] | None = None

    def add_fact(self, one: Fact) -> None:
        counts = self.counts
        for name, amount in one.counts.items():
            counts[name] = counts.get(name, 0) + amount
        bars = self._unpacked()
        for code in one.bars:
            bars[code] = bars.get(code, 0) + 1

    def add_counts(self, counts: Iterable[tuple[str, float]]) -> None:
        """Add counts and sums; a count of 0 may be kept (every reader reads a missing count
        as 0), so that a cell of one row takes the row's counts as they come."""
        mine = self.counts
        if not mine:
            self.counts = dict(counts)
            return
        for name, amount in counts:
            if amount:
                mine[name] = mine.get(name, 0) + amount

    def add_packed(self, packed: bytes) -> None:
        """Add the histograms of a summed-up row (see :func:`pack`)."""
        numbers = array("I")
        numbers.frombytes(packed)
        if not self.bars and self._packed is None:
            self._packed = numbers
            return
        bars = self._unpacked()
        get = bars.get
        for code, count in zip(numbers[::2], numbers[1::2], strict=True):
            bars[code] = get(code, 0) + count

    def merge(self, other: Cell) -> None:
        self.add_counts(other.counts.items())
        bars = self._unpacked()
        get = bars.get
        for code, count in other._ordered_bars():
            bars[code] = get(code, 0) + count

    def _unpacked(self) -> dict[int, int]:
        """The bars as a dictionary, to add to (a kept packed row moves into it first)."""
        if self._packed is not None:
            packed, self._packed = self._packed, None
            self.bars = dict(zip(packed[::2], packed[1::2], strict=True))
        return self.bars

    def _ordered_bars(self) -> Iterable[tuple[int, int]]:
        if self._packed is not None:
            return zip(self._packed[::2], self._packed[1::2], strict=True)
        return self.bars.items()

    def packed(self) -> bytes:
        """The histograms as a summed-up row keeps them (see :func:`pack`)."""
        if self._packed is not None:
            return self._packed.tobytes()
        return pack(self.bars)

    def histograms(self) -> dict[int, dict[int, int]]:
        """The bars by measure: measure -> value -> count (one pass)."""
        found: dict[int, dict[int, int]] = {}
        for code, count in self._ordered_bars():
            found.setdefault(code >> 16, {})[code & _TOP] = count
        return found

    def answer(self) -> dict[str, Any]:
        """The figures as the API answers them (``FIGURES`` of the statistics answer).

        One pass, no helper calls per figure: a year split by day and service answers 30,000
        cells, and this is most of its time (bench/README.md, issue 14). The bars lie in
        ascending order, so a measure's bars lie together (the measure is the bar's high half),
        its values in order; a percentile is found by bisection on the running counts."""
        get = self.counts.get
        called, handled = int(get("called", 0)), int(get("handled", 0))
        if self._packed is not None:
            codes: Sequence[int] = self._packed[::2]
            running = list(accumulate(self._packed[1::2]))
        else:
            codes = sorted(self.bars)
            bars = self.bars
            running = list(accumulate([bars[code] for code in codes]))
        # where each measure's bars begin: wait's are codes[at_wait:at_handling], and so on
        at_wait = bisect_left(codes, WAIT << 16)
        at_handling = bisect_left(codes, HANDLING << 16, at_wait)
        at_error = bisect_left(codes, ESTIMATE_ERROR << 16, at_handling)
        at_feedback = bisect_left(codes, FEEDBACK << 16, at_error)
        at_outcome = bisect_left(codes, OUTCOME << 16, at_feedback)
        past_outcome = bisect_left(codes, (OUTCOME + 1) << 16, at_outcome)
        wait = _percentiles(codes, running, at_wait, at_handling, _P3)
        handling = _percentiles(codes, running, at_handling, at_error, _P3)
        error = _percentiles(codes, running, at_error, at_feedback, _P2)
        given = feedback_sum = 0
        before = running[at_feedback - 1] if at_feedback else 0
        for at in range(at_feedback, at_outcome):
            count = running[at] - before
            given += count
            feedback_sum += (codes[at] & _TOP) * count
            before = running[at]
        outcomes = {}
        before = running[at_outcome - 1] if at_outcome else 0
        for at in range(at_outcome, past_outcome):
            number = codes[at] & _TOP
            if number < len(OUTCOME_WORDS):
                outcomes[OUTCOME_WORDS[number]] = running[at] - before
            before = running[at]
        within = int(get("within_target", 0))
        return {
            "arrivals": int(get("arrivals", 0)),
            "served": int(get("served", 0)),
            "no_show": int(get("no_show", 0)),
            "appointment_missed": int(get("appointment_missed", 0)),
            "cancelled": int(get("cancelled", 0)),
            "transferred": int(get("transferred", 0)),
            "wait_minutes": {
                "mean": round(get("wait_seconds", 0) / 60 / called, 2) if called else None,
                "p50": wait[0],
                "p80": wait[1],
                "p95": wait[2],
            },
            "handling_minutes": {
                "mean": (round(get("handling_seconds", 0) / 60 / handled, 2) if handled else None),
                "p50": handling[0],
                "p80": handling[1],
                "p95": handling[2],
            },
            "service_level": round(within / called, 4) if called else None,
            "estimate_error_minutes": {"p50": error[0], "p90": error[1]},
            "kinds": {
                "walk_in": int(get("walk_in", 0)),
                "appointment": int(get("appointment", 0)),
                "urgent": int(get("urgent", 0)),
                "offline": int(get("offline", 0)),
            },
            "outcomes": outcomes,
            "feedback": {
                "count": given,
                "mean": round(feedback_sum / given, 2) if given else None,
            },
        }


_P3 = (50, 80, 95)
_P2 = (50, 90)
_NONE3 = (None, None, None)


def _percentiles(
    codes: Sequence[int], running: list[int], first: int, end: int, ps: tuple[int, ...]
) -> Sequence[float | None]:
    """The nearest-rank percentiles ``ps`` of the bars ``first`` .. ``end`` (one measure's),
    as :func:`percentiles`: the smallest value whose running count reaches ceil(p % of all)."""
    if first == end:
        return _NONE3
    before = running[first - 1] if first else 0
    total = running[end - 1] - before
    found = []
    for p in ps:
        rank = before - (-p * total // 100)  # ceil(p % of total), counted from ``first``
        found.append(float(codes[bisect_left(running, rank, first, end)] & _TOP))
    return found


def pack(bars: Mapping[int, int]) -> bytes:
    """The histograms' bars as one array of (bar, count) pairs."""
    numbers = array("I")
    for code in sorted(bars):
        numbers.append(code)
        numbers.append(bars[code])
    return numbers.tobytes()


def percentile(bars: Mapping[int, int], p: int) -> float | None:
    """The nearest-rank ``p``-th percentile of a histogram (value -> count); None if empty."""
    return percentiles(bars, (p,))[f"p{p}"]


def percentiles(bars: Mapping[int, int], ps: tuple[int, ...]) -> dict[str, float | None]:
    """The nearest-rank percentiles ``ps`` (ascending) of a histogram, as ``{"p50": ...}``:
    the smallest value at or below which at least p % of the counts lie."""
    total = sum(bars.values())
    if total == 0:
        return {f"p{p}": None for p in ps}
    ranks = [(p, max(1, -(-p * total // 100))) for p in ps]  # ceil, in whole numbers
    found: dict[str, float | None] = {}
    seen = 0
    at = 0
    for value in sorted(bars):
        seen += bars[value]
        while at < len(ranks) and seen >= ranks[at][1]:
            found[f"p{ranks[at][0]}"] = float(value)
            at += 1
        if at == len(ranks):
            break
    return found


#: The key of a summed-up row: (level, day, hour, weekday, service, desk, clerk).
RowKey = tuple[int, date, int, int, int, int, int]


#: The levels that hold figures per clerk: summed up only for a site whose site file allows
#: figures per clerk (``staff_statistics``); elsewhere they are not kept at all.
CLERK_LEVELS = frozenset(level for level, (_, dims) in LEVELS.items() if "clerk" in dims)


def sum_levels(facts: Iterable[Fact], per_clerk: bool = False) -> dict[RowKey, Cell]:
    """The facts summed up at every level of :data:`LEVELS` (day grain: per day; month grain:
    per month, keyed by its first day), those per clerk only with ``per_clerk``; a dimension a
    level leaves out is -1 (hour) or 0."""
    cells: dict[RowKey, Cell] = {}
    levels = [
        (level, grain, dims)
        for level, (grain, dims) in LEVELS.items()
        if per_clerk or level not in CLERK_LEVELS
    ]
    for one in facts:
        month = one.day.replace(day=1)
        for level, grain, dims in levels:
            key = (
                level,
                one.day if grain == "day" else month,
                one.hour if "hour" in dims else -1,
                one.day.isoweekday() if grain == "day" or "weekday" in dims else 0,
                one.service_id if "service" in dims else 0,
                one.desk_id if "desk" in dims else 0,
                one.clerk_id if "clerk" in dims else 0,
            )
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = Cell()
            cell.add_fact(one)
    return cells


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def group_key(group: str | None, day: date, hour: int) -> str | None:
    """The key of a group (see the statistics answer) for a day and local hour."""
    if group is None:
        return None
    if group == "day":
        return day.isoformat()
    if group == "week":
        return week_of(day)
    if group == "month":
        return f"{day.year}-{day.month:02d}"
    if group == "weekday":
        return str(day.isoweekday())
    if group == "hour":
        return f"{hour:02d}"
    if group == "weekday_hour":
        return f"{day.isoweekday()}-{hour:02d}"
    raise ValueError(group)
