"""Property-based tests of the calling order with appointments (``central_server.queue_rules``,
pure: no database, no server).

Each property is checked against a small, independent statement of the rule (the module's
docstring), not against the module's own helpers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from central_server.queue_rules import (
    Calling,
    DeskRule,
    Priority,
    QueuedTicket,
    RecentCall,
    appointments_in_a_row,
    draw_order,
    pick_next,
)

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
SERVICE_IDS = (1, 2, 3)
DESK_IDS = (1, 2, 3)
WALK_IN_RANK = {Priority.URGENT: 0, Priority.NORMAL: 1}

SETTINGS = settings(max_examples=300, deadline=None)


# Strategies ---------------------------------------------------------------------------------


@st.composite
def desks(draw: st.DrawFn) -> list[DeskRule]:
    ids = draw(st.lists(st.sampled_from(DESK_IDS), min_size=1, max_size=3, unique=True))
    return [
        DeskRule(
            id=desk_id,
            service_ids=tuple(
                draw(st.lists(st.sampled_from(SERVICE_IDS), min_size=1, max_size=3, unique=True))
            ),
        )
        for desk_id in ids
    ]


@st.composite
def tickets(draw: st.DrawFn) -> list[QueuedTicket]:
    """Walk-ins and appointments (most with a time, some without), queued in the first hour;
    appointment times from half an hour before T0 to two hours after, in 5-minute steps, so
    ties are common."""
    fields = draw(
        st.lists(
            st.tuples(
                st.sampled_from(SERVICE_IDS),
                st.sampled_from(list(Priority)),
                st.integers(0, 60),
                st.none() | st.integers(-6, 24),
            ),
            max_size=20,
        )
    )
    numbers: dict[int, int] = defaultdict(int)
    result = []
    for ticket_id, (service, priority, queued_minute, slot) in enumerate(fields, start=1):
        numbers[service] += 1
        appointment_at = (
            T0 + timedelta(minutes=5 * slot)
            if priority == Priority.APPOINTMENT and slot is not None
            else None
        )
        result.append(
            QueuedTicket(
                id=ticket_id,
                service_id=service,
                priority=priority,
                queued_at=T0 + timedelta(minutes=queued_minute),
                number=numbers[service],
                appointment_at=appointment_at,
            )
        )
    draw(st.randoms(use_true_random=False)).shuffle(result)
    return result


recent_calls = st.lists(
    st.builds(
        RecentCall,
        service_id=st.sampled_from(SERVICE_IDS),
        appointment=st.booleans(),
        desk_id=st.none() | st.sampled_from(DESK_IDS),
    ),
    max_size=8,
)


@st.composite
def callings(draw: st.DrawFn) -> Calling:
    return Calling(
        now=T0 + timedelta(minutes=draw(st.integers(0, 120))),
        lead=timedelta(minutes=draw(st.integers(0, 5))),
        cap=draw(st.integers(0, 4)),
        target_wait_minutes={
            sid: draw(st.integers(0, 40)) for sid in SERVICE_IDS if draw(st.booleans())
        },
        recent_calls=draw(recent_calls),
    )


# An independent statement of the rule ---------------------------------------------------------


def may_call(desk: DeskRule, ticket: QueuedTicket) -> bool:
    return ticket.service_id in desk.service_ids


def rank(desk: DeskRule, ticket: QueuedTicket) -> int:
    return desk.service_ids.index(ticket.service_id)


def is_appointment(ticket: QueuedTicket) -> bool:
    return ticket.priority == Priority.APPOINTMENT


def is_due(ticket: QueuedTicket, calling: Calling) -> bool:
    """Due from its time less the lead; an appointment without a time at once."""
    if ticket.appointment_at is None:
        return True
    return ticket.appointment_at <= calling.now + calling.lead


def past_target(ticket: QueuedTicket, calling: Calling) -> bool:
    target = calling.target_wait_minutes.get(ticket.service_id)
    return target is not None and (calling.now - ticket.queued_at).total_seconds() > target * 60


def appointment_key(desk: DeskRule, ticket: QueuedTicket) -> tuple:
    when = ticket.appointment_at or ticket.queued_at
    return (when, ticket.queued_at, rank(desk, ticket), ticket.number, ticket.id)


def walk_in_key(desk: DeskRule, ticket: QueuedTicket) -> tuple:
    return (
        WALK_IN_RANK[ticket.priority],
        ticket.queued_at,
        rank(desk, ticket),
        ticket.number,
        ticket.id,
    )


def streak(calling: Calling, desk: DeskRule) -> int:
    """The appointments called last, in a row, of the desk's services or at the desk."""
    concerning = [
        c for c in calling.recent_calls if c.service_id in desk.service_ids or c.desk_id == desk.id
    ]
    count = 0
    while count < len(concerning) and concerning[count].appointment:
        count += 1
    return count


def expected_next(
    pool: list[QueuedTicket], desk: DeskRule, calling: Calling
) -> QueuedTicket | None:
    mine = [t for t in pool if may_call(desk, t)]
    due = [t for t in mine if is_appointment(t) and is_due(t, calling)]
    walk_ins = [t for t in mine if not is_appointment(t)]
    if due:
        if calling.cap > 0 and streak(calling, desk) >= calling.cap:
            waited_too_long = [w for w in walk_ins if past_target(w, calling)]
            if waited_too_long:
                return min(waited_too_long, key=lambda t: walk_in_key(desk, t))
        return min(due, key=lambda t: appointment_key(desk, t))
    if walk_ins:
        return min(walk_ins, key=lambda t: walk_in_key(desk, t))
    return min(mine, key=lambda t: appointment_key(desk, t)) if mine else None


def called(calling: Calling, ticket: QueuedTicket, desk: DeskRule) -> Calling:
    """``calling`` after ``desk`` called ``ticket``: one more recent call, newest first."""
    call = RecentCall(ticket.service_id, is_appointment(ticket), desk.id)
    return replace(calling, recent_calls=(call, *calling.recent_calls))


# Properties ----------------------------------------------------------------------------------


@SETTINGS
@given(tickets(), desks(), callings(), st.data())
def test_desks_calling_in_turns_as_time_passes_follow_the_documented_rule(
    pool: list[QueuedTicket], desk_list: list[DeskRule], calling: Calling, data: st.DataObject
) -> None:
    """Desks call in a random order while the clock moves on by 0 to 10 minutes per call;
    every call is the one the docstring's rule names, and everybody is called once."""
    waiting = list(pool)
    idle: set[int] = set()
    while len(idle) < len(desk_list):
        desk = data.draw(st.sampled_from([d for d in desk_list if d.id not in idle]))
        chosen = pick_next(waiting, desk, calling)
        assert chosen == expected_next(waiting, desk, calling)
        if chosen is None:
            idle.add(desk.id)
            continue
        idle.clear()
        waiting.remove(chosen)
        calling = called(calling, chosen, desk)
        calling = replace(
            calling, now=calling.now + timedelta(minutes=data.draw(st.integers(0, 10)))
        )
    assert all(not any(may_call(d, t) for d in desk_list) for t in waiting)


@SETTINGS
@given(tickets(), desks(), callings())
def test_no_appointment_is_called_before_it_is_due_unless_nobody_else_waits(
    pool: list[QueuedTicket], desk_list: list[DeskRule], calling: Calling
) -> None:
    for desk in desk_list:
        chosen = pick_next(pool, desk, calling)
        if chosen is not None and is_appointment(chosen) and not is_due(chosen, calling):
            others = [t for t in pool if may_call(desk, t) and t is not chosen]
            assert all(is_appointment(t) and not is_due(t, calling) for t in others)


@SETTINGS
@given(tickets(), desks(), callings())
def test_a_due_appointment_never_waits_behind_a_walk_in_who_came_later(
    pool: list[QueuedTicket], desk_list: list[DeskRule], calling: Calling
) -> None:
    """The one exception: the walk-in the cap lets through, who waited past their target."""
    for desk in desk_list:
        order = draw_order(pool, desk, calling)
        for i, ticket in enumerate(order):
            if not (is_appointment(ticket) and is_due(ticket, calling)):
                continue
            for ahead in order[:i]:
                if not is_appointment(ahead) and ahead.queued_at > ticket.queued_at:
                    assert calling.cap > 0 and past_target(ahead, calling), (ahead, ticket)
        # Without a cap, no walk-in at all goes before a due appointment.
        if calling.cap == 0:
            kinds = [is_appointment(t) and is_due(t, calling) for t in order]
            assert kinds == sorted(kinds, reverse=True)


@SETTINGS
@given(tickets(), desks(), callings(), st.data())
def test_the_cap_holds(
    pool: list[QueuedTicket], desk_list: list[DeskRule], calling: Calling, data: st.DataObject
) -> None:
    """Desks call while time stands still: whenever the appointments called in a row (over the
    desk's services, at every desk) reach the cap and a walk-in of those services has waited
    past their target, the next call of that desk is a walk-in (such a one, where due
    appointments wait)."""
    waiting = list(pool)
    idle: set[int] = set()
    while len(idle) < len(desk_list):
        desk = data.draw(st.sampled_from([d for d in desk_list if d.id not in idle]))
        before = streak(calling, desk)
        chosen = pick_next(waiting, desk, calling)
        if chosen is None:
            idle.add(desk.id)
            continue
        idle.clear()
        overdue = [
            t
            for t in waiting
            if may_call(desk, t) and not is_appointment(t) and past_target(t, calling)
        ]
        if calling.cap > 0 and before >= calling.cap and overdue:
            # No further appointment: the walk-in past the target, ahead of due appointments.
            assert not is_appointment(chosen)
            if any(may_call(desk, t) and is_appointment(t) and is_due(t, calling) for t in waiting):
                assert past_target(chosen, calling)
        waiting.remove(chosen)
        calling = called(calling, chosen, desk)


@SETTINGS
@given(tickets(), desks(), callings())
def test_the_queue_shows_the_calls_the_desk_would_make_one_after_another(
    pool: list[QueuedTicket], desk_list: list[DeskRule], calling: Calling
) -> None:
    """What the clerk's queue lists is what the desk would call, in that order, if nobody
    else called and time stood still; it holds exactly the tickets the desk may call."""
    for desk in desk_list:
        order = draw_order(pool, desk, calling)
        assert sorted(t.id for t in order) == sorted(t.id for t in pool if may_call(desk, t))
        waiting, at = list(pool), calling
        for ticket in order:
            assert pick_next(waiting, desk, at) == ticket
            waiting.remove(ticket)
            at = called(at, ticket, desk)


@SETTINGS
@given(tickets(), desks(), callings())
def test_urgent_walk_ins_go_before_normal_ones(
    pool: list[QueuedTicket], desk_list: list[DeskRule], calling: Calling
) -> None:
    """Among walk-ins urgent comes first, except for the walk-in the cap lets through."""
    for desk in desk_list:
        order = [t for t in draw_order(pool, desk, calling) if not is_appointment(t)]
        for i, ticket in enumerate(order):
            if ticket.priority == Priority.URGENT:
                for ahead in order[:i]:
                    assert ahead.priority == Priority.URGENT or past_target(ahead, calling)


def test_appointments_in_a_row_counts_the_desks_services_at_every_desk() -> None:
    front = DeskRule(id=1, service_ids=(1, 2))
    calls = [
        RecentCall(1, True, desk_id=2),  # another desk, this desk's service: counts
        RecentCall(3, False, desk_id=6),  # the pickup desk's walk-in: not this desk's
        RecentCall(2, True, desk_id=1),
        RecentCall(3, True, desk_id=1),  # a ticket forwarded to this desk: counts
        RecentCall(1, False, desk_id=3),  # a walk-in of service 1: the streak ends
        RecentCall(1, True, desk_id=1),
    ]
    assert appointments_in_a_row(calls, front) == 3
    assert appointments_in_a_row(calls[4:], front) == 0
    assert appointments_in_a_row([], front) == 0


def test_an_appointment_is_due_two_minutes_before_its_time_by_default() -> None:
    desk = DeskRule(id=1, service_ids=(1,))
    walk_in = QueuedTicket(1, 1, Priority.NORMAL, T0, number=1)
    appointment = QueuedTicket(
        2, 1, Priority.APPOINTMENT, T0, number=2, appointment_at=T0 + timedelta(minutes=15)
    )
    pool = [walk_in, appointment]
    early = Calling(now=T0 + timedelta(minutes=12, seconds=59))
    assert draw_order(pool, desk, early) == [walk_in, appointment]
    on_time = Calling(now=T0 + timedelta(minutes=13))
    assert draw_order(pool, desk, on_time) == [appointment, walk_in]
    # Alone in the queue, the appointment is called early rather than the desk sitting idle.
    assert pick_next([appointment], desk, early) == appointment
