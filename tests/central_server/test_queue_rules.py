"""Property-based tests of ``central_server.queue_rules`` (pure: no database, no server).

Each property is checked against a small, independent statement of the rule it tests (taken
from the module's docstrings), not against the module's own helpers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from central_server.queue_rules import (
    FINAL,
    PRIORITY_RANK,
    Action,
    DeskRule,
    Priority,
    QueuedTicket,
    Status,
    TransitionRefused,
    draw_order,
    estimate_waits,
    format_number,
    next_status,
    pick_next,
    queue_key,
    typical_service_minutes,
)

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
SERVICE_IDS = (1, 2, 3, 4, 5)
DESK_IDS = (1, 2, 3, 4)
RANK = {Priority.APPOINTMENT: 0, Priority.URGENT: 1, Priority.NORMAL: 2}

SETTINGS = settings(max_examples=200, deadline=None)


# Strategies ---------------------------------------------------------------------------------


@st.composite
def desks(draw: st.DrawFn, min_size: int = 1) -> list[DeskRule]:
    """1 to 4 desks, each with its own ordered subset of the services (possibly none: a back
    office that only gets transferred tickets), open or not."""
    ids = draw(st.lists(st.sampled_from(DESK_IDS), min_size=min_size, max_size=4, unique=True))
    return [
        DeskRule(
            id=desk_id,
            service_ids=tuple(
                draw(st.lists(st.sampled_from(SERVICE_IDS), max_size=4, unique=True))
            ),
            open=draw(st.booleans()),
        )
        for desk_id in ids
    ]


_ticket_fields = st.tuples(
    st.sampled_from(SERVICE_IDS),
    st.sampled_from(list(Priority)),
    st.integers(0, 6),
    st.none() | st.sampled_from((*DESK_IDS, 99)),
)


@st.composite
def tickets(draw: st.DrawFn, max_size: int = 25, targets: bool = True) -> list[QueuedTicket]:
    """Queued tickets with unique ids; few distinct times, so ties on priority and time are
    common; some transferred to one desk (possibly one that does not exist here)."""
    fields = draw(st.lists(_ticket_fields, max_size=max_size))
    numbers: dict[int, int] = defaultdict(int)
    result = []
    for ticket_id, (service, priority, slot, target) in enumerate(fields, start=1):
        numbers[service] += 1
        result.append(
            QueuedTicket(
                id=ticket_id,
                service_id=service,
                priority=priority,
                queued_at=T0 + timedelta(seconds=slot * 30),
                target_desk_id=target if targets else None,
                number=numbers[service],
            )
        )
    # The input order must not matter.
    draw(st.randoms(use_true_random=False)).shuffle(result)
    return result


# An independent statement of the rules --------------------------------------------------------


def may_call(desk: DeskRule, ticket: QueuedTicket) -> bool:
    """Its services, unless the ticket is meant for another desk; or transferred to it."""
    if ticket.target_desk_id is not None:
        return ticket.target_desk_id == desk.id
    return ticket.service_id in desk.service_ids


def calling_key(desk: DeskRule, ticket: QueuedTicket) -> tuple:
    """Priority class, then time waited, then the desk's order of its services, then number."""
    service_rank = (
        desk.service_ids.index(ticket.service_id)
        if ticket.service_id in desk.service_ids
        else len(desk.service_ids)
    )
    return (RANK[ticket.priority], ticket.queued_at, service_rank, ticket.number, ticket.id)


def callers(ticket: QueuedTicket, desk_list: Sequence[DeskRule]) -> frozenset[int]:
    return frozenset(d.id for d in desk_list if may_call(d, ticket))


def site_key(ticket: QueuedTicket) -> tuple:
    return (RANK[ticket.priority], ticket.queued_at, ticket.number, ticket.id)


# pick_next / draw_order ----------------------------------------------------------------------


@SETTINGS
@given(tickets(), desks(), st.data())
def test_desks_call_each_ticket_once_in_priority_then_time_order(
    pool: list[QueuedTicket], desk_list: list[DeskRule], data: st.DataObject
) -> None:
    """Desks take turns in a random order, each calling its next ticket (which leaves the
    queue), until no desk finds anybody."""
    waiting = list(pool)
    called: list[int] = []
    calls_at: dict[int, list[QueuedTicket]] = defaultdict(list)
    idle: set[int] = set()
    while len(idle) < len(desk_list):
        busy = [d for d in desk_list if d.id not in idle]
        desk = data.draw(st.sampled_from(busy), label="desk")
        chosen = pick_next(waiting, desk)
        if chosen is None:
            idle.add(desk.id)
            continue
        idle.clear()
        # A desk calls only tickets of its services or transferred to it.
        assert may_call(desk, chosen), (desk, chosen)
        # It calls the first ticket by the documented order among those it may call.
        expected = min(
            (t for t in waiting if may_call(desk, t)), key=lambda t: calling_key(desk, t)
        )
        assert chosen == expected
        assert chosen in waiting
        waiting.remove(chosen)
        called.append(chosen.id)
        calls_at[desk.id].append(chosen)

    # Nobody is called twice; nobody any desk may call is left behind.
    assert len(called) == len(set(called))
    assert all(not any(may_call(d, t) for d in desk_list) for t in waiting)
    assert sorted(called + [t.id for t in waiting]) == sorted(t.id for t in pool)
    # At every desk, calls come in priority class order, then by time waited.
    for desk_calls in calls_at.values():
        keys = [(RANK[t.priority], t.queued_at) for t in desk_calls]
        assert keys == sorted(keys)


@SETTINGS
@given(tickets(), desks())
def test_draw_order_is_the_documented_order_of_exactly_the_callable_tickets(
    pool: list[QueuedTicket], desk_list: list[DeskRule]
) -> None:
    for desk in desk_list:
        order = draw_order(pool, desk)
        assert order == sorted(
            (t for t in pool if may_call(desk, t)), key=lambda t: calling_key(desk, t)
        )
        assert pick_next(pool, desk) == (order[0] if order else None)


@SETTINGS
@given(tickets(), desks(min_size=2))
def test_a_ticket_transferred_to_one_desk_is_called_by_that_desk_only(
    pool: list[QueuedTicket], desk_list: list[DeskRule]
) -> None:
    for ticket in pool:
        for desk in desk_list:
            in_order = ticket in draw_order(pool, desk)
            if ticket.target_desk_id is not None:
                # even if the desk offers the ticket's service, or offers no service at all
                assert in_order == (ticket.target_desk_id == desk.id)
            else:
                assert in_order == (ticket.service_id in desk.service_ids)


def test_a_back_office_calls_only_what_was_transferred_to_it() -> None:
    back_office = DeskRule(id=5, service_ids=())
    front = DeskRule(id=1, service_ids=(1,))
    plain = QueuedTicket(1, 1, Priority.APPOINTMENT, T0)
    for_back = QueuedTicket(2, 1, Priority.NORMAL, T0 + timedelta(minutes=5), target_desk_id=5)
    assert pick_next([plain, for_back], back_office) == for_back
    assert pick_next([for_back], front) is None
    assert pick_next([plain], back_office) is None


# next_status --------------------------------------------------------------------------------

NON_FINAL = frozenset(Status) - {Status.DONE, Status.NO_SHOW, Status.CANCELLED}
#: The lifecycle as drawn in the module docstring: action -> (from statuses, to status).
LIFECYCLE: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.CALL: (frozenset({Status.WAITING, Status.TRANSFERRED}), Status.CALLED),
    Action.RECALL: (frozenset({Status.CALLED}), Status.CALLED),
    Action.NO_SHOW: (frozenset({Status.CALLED}), Status.NO_SHOW),
    Action.START: (frozenset({Status.CALLED}), Status.SERVING),
    Action.PARK: (frozenset({Status.SERVING}), Status.PARKED),
    Action.RESUME: (frozenset({Status.PARKED}), Status.SERVING),
    Action.FINISH: (frozenset({Status.SERVING}), Status.DONE),
    Action.CANCEL: (NON_FINAL, Status.CANCELLED),
    Action.TRANSFER: (
        frozenset(
            {Status.WAITING, Status.TRANSFERRED, Status.CALLED, Status.SERVING, Status.PARKED}
        ),
        Status.TRANSFERRED,
    ),
}


def test_the_final_statuses_are_done_no_show_and_cancelled() -> None:
    assert frozenset({Status.DONE, Status.NO_SHOW, Status.CANCELLED}) == FINAL


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_next_status_follows_the_lifecycle(status: Status, action: Action) -> None:
    allowed_from, to = LIFECYCLE[action]
    if status in allowed_from:
        assert next_status(status, action) == to
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(status, action)
        assert isinstance(refused.value, ValueError)
        assert refused.value.action == action
        assert refused.value.status == status
        assert refused.value.allowed_from == allowed_from


@pytest.mark.parametrize("status", sorted(FINAL))
def test_a_final_status_accepts_nothing(status: Status) -> None:
    for action in Action:
        with pytest.raises(TransitionRefused):
            next_status(status, action)


@SETTINGS
@given(st.lists(st.sampled_from(list(Action)), max_size=40))
def test_random_walks_stay_in_the_lifecycle(actions: list[Action]) -> None:
    """Apply actions to a new ticket; refused ones change nothing; nothing leaves a final
    status; no ticket ever becomes plain *waiting* again."""
    status = Status.WAITING
    for action in actions:
        allowed_from, to = LIFECYCLE[action]
        try:
            after = next_status(status, action)
        except TransitionRefused:
            assert status not in allowed_from
            continue
        assert status not in FINAL
        assert status in allowed_from
        assert after == to
        assert after != Status.WAITING
        status = after


def test_every_status_is_reachable_and_every_open_one_can_end() -> None:
    reachable = {Status.WAITING}
    frontier = [Status.WAITING]
    while frontier:
        status = frontier.pop()
        for action in Action:
            try:
                after = next_status(status, action)
            except TransitionRefused:
                continue
            if after not in reachable:
                reachable.add(after)
                frontier.append(after)
    assert reachable == set(Status)
    for status in NON_FINAL:
        assert next_status(status, Action.CANCEL) == Status.CANCELLED


# estimate_waits -----------------------------------------------------------------------------

#: Service times that add up exactly in floating point (multiples of 1/4 minute).
exact_minutes = st.dictionaries(
    st.sampled_from(SERVICE_IDS), st.integers(0, 240).map(lambda q: q / 4), max_size=5
)
#: Any service times a median of real durations could give.
any_minutes = st.dictionaries(
    st.sampled_from(SERVICE_IDS),
    st.floats(min_value=0, max_value=600, allow_nan=False, allow_infinity=False),
    max_size=5,
)


def documented_estimate(
    ticket: QueuedTicket,
    pool: Sequence[QueuedTicket],
    desk_list: Sequence[DeskRule],
    minutes: dict[int, float],
) -> tuple[int, int]:
    """``estimate_waits`` as its docstring states it, for a ticket some desk may call."""
    mine = callers(ticket, desk_list)
    ahead = [
        other
        for other in pool
        if site_key(other) < site_key(ticket) and callers(other, desk_list) & mine
    ]
    open_ids = {d.id for d in desk_list if d.open}
    parallel = len(mine & open_ids) or len(mine) or 1
    work = sum(minutes.get(other.service_id, 10.0) for other in ahead)
    return 1 + len(ahead), math.ceil(work / parallel)


@SETTINGS
@given(tickets(), desks(), exact_minutes)
def test_estimates_match_the_documented_definition(
    pool: list[QueuedTicket], desk_list: list[DeskRule], minutes: dict[int, float]
) -> None:
    estimates = estimate_waits(pool, desk_list, minutes)
    assert set(estimates) == {t.id for t in pool}
    for ticket in pool:
        if not callers(ticket, desk_list):
            continue  # nobody can call it: see test_a_ticket_no_desk_may_call_*
        got = estimates[ticket.id]
        assert (got.position, got.minutes) == documented_estimate(
            ticket, pool, desk_list, minutes
        ), ticket


@SETTINGS
@given(tickets(), desks(), any_minutes)
def test_positions_and_minutes_follow_the_queue_order(
    pool: list[QueuedTicket], desk_list: list[DeskRule], minutes: dict[int, float]
) -> None:
    estimates = estimate_waits(pool, desk_list, minutes)
    groups: dict[frozenset[int], list[QueuedTicket]] = defaultdict(list)
    for ticket in sorted(pool, key=site_key):
        groups[callers(ticket, desk_list)].append(ticket)
        estimate = estimates[ticket.id]
        assert estimate.position >= 1
        assert estimate.minutes >= 0
        # Nobody ahead: position 1 and no wait.
        if estimate.position == 1:
            assert estimate.minutes == 0
    for group, members in groups.items():
        if not group:
            continue
        # The first ticket of a desk group is next unless an earlier ticket competes for one
        # of its desks.
        first = members[0]
        competitors = [
            t for t in pool if site_key(t) < site_key(first) and callers(t, desk_list) & group
        ]
        assert (estimates[first.id].position == 1) == (not competitors)
        # Later in the queue order means a strictly later position and no shorter wait.
        positions = [estimates[t.id].position for t in members]
        waits = [estimates[t.id].minutes for t in members]
        assert all(a < b for a, b in pairwise(positions))
        assert waits == sorted(waits)


@SETTINGS
@given(tickets(targets=False), desks(), any_minutes)
def test_wait_grows_with_position_within_one_service(
    pool: list[QueuedTicket], desk_list: list[DeskRule], minutes: dict[int, float]
) -> None:
    estimates = estimate_waits(pool, desk_list, minutes)
    for service in SERVICE_IDS:
        mine = sorted(
            (estimates[t.id] for t in pool if t.service_id == service),
            key=lambda e: e.position,
        )
        positions = [e.position for e in mine]
        assert len(set(positions)) == len(positions)
        assert [e.minutes for e in mine] == sorted(e.minutes for e in mine)


@SETTINGS
@given(
    tickets(targets=False),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.floats(min_value=0.25, max_value=60, allow_nan=False),
)
def test_one_shared_queue_numbers_positions_one_to_n(
    pool: list[QueuedTicket], open_flags: list[bool], typical: float
) -> None:
    """Every desk serves every service: one queue, positions 1..n in the site-wide order, and
    someone behind k citizens waits at least as long as ceil(k * typical / desks)."""
    desk_list = [
        DeskRule(id=i + 1, service_ids=SERVICE_IDS, open=flag) for i, flag in enumerate(open_flags)
    ]
    minutes = dict.fromkeys(SERVICE_IDS, typical)
    estimates = estimate_waits(pool, desk_list, minutes)
    ordered = sorted(pool, key=queue_key)
    assert [estimates[t.id].position for t in ordered] == list(range(1, len(pool) + 1))
    parallel = sum(open_flags) or len(open_flags)
    for k, ticket in enumerate(ordered):
        expected = math.ceil(k * typical / parallel)
        assert abs(estimates[ticket.id].minutes - expected) <= 1  # float rounding only
        if k > 0:
            assert estimates[ticket.id].minutes >= 1


def test_a_ticket_no_desk_may_call_is_ranked_among_the_other_uncallable_ones() -> None:
    """Documents current behaviour where the docstring is silent: with D(T) empty, "some desk
    in D(T) may call U" never holds, so by the letter nobody is ahead; the code groups such
    tickets together (same empty desk set) and counts them against each other."""
    desk_list = [DeskRule(id=1, service_ids=(1,))]
    orphans = [QueuedTicket(i, 2, Priority.NORMAL, T0 + timedelta(minutes=i)) for i in (1, 2, 3)]
    estimates = estimate_waits(orphans, desk_list, {2: 5.0})
    assert [estimates[t.id].position for t in orphans] == [1, 2, 3]
    assert [estimates[t.id].minutes for t in orphans] == [0, 5, 10]


def test_an_appointment_due_later_does_not_lengthen_the_wait_walk_ins_are_told() -> None:
    """A walk-in is told the wait of the citizens who will be called before them: an
    appointment that becomes due after the walk-in's turn does not count; one that becomes due
    before it does (it is called first then)."""
    desk = [DeskRule(id=1, service_ids=(1,))]
    now = T0 + timedelta(minutes=30)
    walk_ins = [QueuedTicket(i, 1, Priority.NORMAL, T0 + timedelta(minutes=i)) for i in (1, 2, 3)]
    in_two_hours = QueuedTicket(
        10, 1, Priority.APPOINTMENT, now, appointment_at=now + timedelta(hours=2)
    )
    in_twelve_minutes = QueuedTicket(
        11, 1, Priority.APPOINTMENT, now, appointment_at=now + timedelta(minutes=12)
    )
    minutes = {1: 10.0}
    lead = timedelta(minutes=2)

    alone = estimate_waits(walk_ins, desk, minutes, now, lead)
    assert [alone[t.id].minutes for t in walk_ins] == [0, 10, 20]
    with_later = estimate_waits([*walk_ins, in_two_hours], desk, minutes, now, lead)
    assert [with_later[t.id].minutes for t in walk_ins] == [0, 10, 20]
    assert [with_later[t.id].position for t in walk_ins] == [1, 2, 3]
    # due at now + 10 min: before the second and third walk-in's turn (10 and 20 min)
    with_soon = estimate_waits([*walk_ins, in_twelve_minutes], desk, minutes, now, lead)
    assert [with_soon[t.id].minutes for t in walk_ins] == [0, 20, 30]
    assert [with_soon[t.id].position for t in walk_ins] == [1, 3, 4]
    # without the moment, every appointment counts first, as before appointments had times
    unknown = estimate_waits([*walk_ins, in_two_hours], desk, minutes)
    assert [unknown[t.id].minutes for t in walk_ins] == [10, 20, 30]


def test_queue_key_puts_appointment_before_urgent_before_normal() -> None:
    late_appointment = QueuedTicket(1, 1, Priority.APPOINTMENT, T0 + timedelta(hours=1))
    urgent = QueuedTicket(2, 1, Priority.URGENT, T0 + timedelta(minutes=30))
    early_normal = QueuedTicket(3, 1, Priority.NORMAL, T0)
    assert sorted([early_normal, urgent, late_appointment], key=queue_key) == [
        late_appointment,
        urgent,
        early_normal,
    ]
    assert sorted(Priority, key=PRIORITY_RANK.__getitem__) == [
        Priority.APPOINTMENT,
        Priority.URGENT,
        Priority.NORMAL,
    ]


@SETTINGS
@given(
    st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), max_size=30),
    st.floats(min_value=0, max_value=600, allow_nan=False),
)
def test_typical_service_minutes_is_the_median_once_there_are_three(
    durations: list[float], default: float
) -> None:
    typical = typical_service_minutes(durations, default)
    if len(durations) < 3:
        assert typical == default
    else:
        ordered = sorted(durations)
        assert ordered[0] <= typical <= ordered[-1]
        below = sum(1 for d in durations if d < typical)
        above = sum(1 for d in durations if d > typical)
        assert below <= len(durations) // 2 and above <= len(durations) // 2


# format_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "A001"), (42, "A042"), (100, "A100"), (999, "A999"), (1000, "A1000"), (12345, "A12345")],
)
def test_format_number_examples(number: int, text: str) -> None:
    assert format_number("A", number) == text


@SETTINGS
@given(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), st.integers(1, 99_999))
def test_format_number_pads_to_three_digits_and_reads_back(prefix: str, number: int) -> None:
    text = format_number(prefix, number)
    digits = text[len(prefix) :]
    assert text.startswith(prefix)
    assert digits.isdigit()
    assert int(digits) == number
    assert len(digits) == max(3, len(str(number)))


@SETTINGS
@given(st.integers(1, 999), st.integers(1, 999))
def test_numbers_below_a_thousand_sort_as_text_like_as_numbers(a: int, b: int) -> None:
    assume(a != b)
    assert (format_number("B", a) < format_number("B", b)) == (a < b)
