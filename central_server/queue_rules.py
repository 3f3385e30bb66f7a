"""The queue's rules: plain Python, no I/O, readable in one sitting.

Statuses of a ticket::

    waiting ──call──▶ called ──start──▶ serving ──finish──▶ done
       ▲  │            │  ▲ recall        │  ▲
       │  │            │  └───────────────┘  │ resume
       │  │            └──no-show──▶ no_show │
       │  │                        park──▶ parked
       │  └─ transfer (from waiting, called, serving, parked) ─▶ transferred
       └──────── a transferred ticket waits again and is called like a waiting one
    cancel: from every status that is not final ─▶ cancelled
    a desk may call a waiting or parked ticket out of order (CALLABLE_OUT_OF_ORDER), and
    take a no-show back to waiting within ten minutes (``tickets.service.undo_no_show``)

*Transferred* means "waiting again after a transfer": to another service, or to one desk (e.g.
from the front office to the back office). The ticket keeps ``queued_at``, so the citizen keeps
their place in the new queue.

Who is next at a desk (:func:`draw_order`, :func:`pick_next`): among the tickets the desk may
call (those of its services that are not meant for another desk, plus those transferred to this
desk), three groups, in this order:

1. **Due appointments.** A checked-in appointment (priority ``appointment``) becomes *due* at its
   ``appointment_at`` minus the site's lead (``sites.appointment_lead_minutes``, default 2): the
   citizen has time to walk to the desk by their time. Due appointments come before every
   walk-in, earliest appointment time first. An appointment ticket without a time (one drawn
   before appointments were checked in) is due at once, its time being when it was queued.
2. **Walk-ins**: urgent before normal, then whoever has waited longest.
3. **Appointments not yet due**, earliest time first: before its time an appointment waits for
   the walk-ins (they fill the time), and is called early only when nobody else the desk may
   call waits.

Within a group, ties go by the desk's own order of its services, then the lower number.

**The cap.** Where due appointments pile up (late morning, a slow desk), walk-ins would wait
without end. So after ``sites.appointments_in_a_row`` appointments called *in a row* (default 3;
the site file asks for at least 1, the rule takes 0 as no cap), ONE walk-in who has waited past
their service's ``target_wait_minutes`` goes before the next due appointment (the first such
walk-in in the walk-in order); if no walk-in has waited that long, appointments go on. That
walk-in is the one exception to "a due appointment never waits behind a walk-in who came later".

"In a row" is counted **per site, over the desk's services**: the latest calls at any desk of
the site of tickets of the services this desk calls (or made at this desk), counted back to the
first that was not an appointment (:func:`appointments_in_a_row`). Not per desk: with six desks
each calling two appointments, no desk would ever reach a cap of 3 while the walk-ins of those
services watched twelve appointments go first. Not over the whole site: the pickup desk's calls
would break every streak, and the walk-ins of the front desks' services would never get their
turn. Counted this way, the walk-ins of a service see at most the cap of appointments go ahead
of them between two walk-in calls, however many desks serve it.

The rules see the moment, the site's settings and the latest calls as plain data
(:class:`Calling`); without them (``calling=None``) every appointment counts as due and there is
no cap.

Ticket numbers run per prefix letter, per site, per local day (``A001``, ``A002``, ...). A kiosk
that may lose the server draws *offline numbers* from a lease: a range of numbers under one
prefix and day that the server set aside for it beforehand (see :func:`lease_range`):

* Leases live in a high range, so the numbers drawn online stay short: a new lease starts at
  the highest of :data:`OFFLINE_FIRST_NUMBER` (900), one past the last number of every earlier
  lease of that prefix and day, and one past the day's online counter where that has reached
  the high range already; it covers ``size`` numbers.
* Drawing online skips every leased range: a number inside one jumps past its end
  (:func:`next_free_number`). So leases never overlap each other or the online numbers, and no
  number is ever given twice, online or offline.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import median

from resources.vocabulary import Priority, TicketStatus

#: A ticket's status and priority are shared words (``resources/vocabulary.py``).
Status = TicketStatus

#: Who goes first: appointment, then urgent, then normal.
PRIORITY_RANK = {Priority.APPOINTMENT: 0, Priority.URGENT: 1, Priority.NORMAL: 2}


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    NO_SHOW = "no-show"
    START = "start"
    PARK = "park"
    RESUME = "resume"
    FINISH = "finish"
    CANCEL = "cancel"
    TRANSFER = "transfer"


#: Tickets in these statuses stand in a queue.
QUEUED = frozenset({Status.WAITING, Status.TRANSFERRED})
#: A desk holding a ticket in one of these statuses must finish with it before calling the next.
OPEN_AT_DESK = frozenset({Status.CALLED, Status.SERVING})
#: Nothing happens to a ticket after these.
FINAL = frozenset({Status.DONE, Status.NO_SHOW, Status.CANCELLED})
#: What a desk may call out of order (a particular citizen): a ticket in a queue, or a parked
#: one, whose citizen came back to the waiting room (e.g. with the missing document) and is
#: called on the display like anyone, at the desk that parked it or at one of its service.
CALLABLE_OUT_OF_ORDER = QUEUED | {Status.PARKED}

TRANSITIONS: Mapping[Action, tuple[frozenset[Status], Status]] = {
    Action.CALL: (QUEUED, Status.CALLED),
    Action.RECALL: (frozenset({Status.CALLED}), Status.CALLED),
    Action.NO_SHOW: (frozenset({Status.CALLED}), Status.NO_SHOW),
    Action.START: (frozenset({Status.CALLED}), Status.SERVING),
    Action.PARK: (frozenset({Status.SERVING}), Status.PARKED),
    Action.RESUME: (frozenset({Status.PARKED}), Status.SERVING),
    Action.FINISH: (frozenset({Status.SERVING}), Status.DONE),
    Action.CANCEL: (frozenset(Status) - FINAL, Status.CANCELLED),
    Action.TRANSFER: (
        frozenset(
            {Status.WAITING, Status.TRANSFERRED, Status.CALLED, Status.SERVING, Status.PARKED}
        ),
        Status.TRANSFERRED,
    ),
}


class TransitionRefused(ValueError):
    """An action that does not fit the ticket's status."""

    def __init__(self, action: Action, status: Status) -> None:
        self.action = action
        self.status = status
        self.allowed_from = TRANSITIONS[action][0]
        super().__init__(f"{action} is not allowed for a ticket that is {status}")


def next_status(status: Status, action: Action) -> Status:
    """The status after ``action``; raises :class:`TransitionRefused` where it does not fit."""
    allowed_from, to = TRANSITIONS[action]
    if status not in allowed_from:
        raise TransitionRefused(action, status)
    return to


def format_number(prefix: str, number: int) -> str:
    """``A`` and 42 make ``A042``: what the citizen reads on ticket and display."""
    return f"{prefix}{number:03d}"


#: Where leased (offline) numbers start, far above a day's online numbers.
OFFLINE_FIRST_NUMBER = 900


@dataclass(frozen=True)
class NumberRange:
    """The numbers ``first`` to ``last`` (both included) under one prefix on one day."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if not 1 <= self.first <= self.last:
            raise ValueError(f"not a range of numbers: {self.first}..{self.last}")

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.first <= number <= self.last

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def lease_range(size: int, leased: Iterable[NumberRange], counter_last: int) -> NumberRange:
    """The next lease of ``size`` numbers, given the earlier leases of the prefix and day and
    the last number drawn online (``counter_last``, 0 before the first)."""
    if size < 1:
        raise ValueError("a lease covers at least one number")
    first = max(
        OFFLINE_FIRST_NUMBER,
        max((r.last + 1 for r in leased), default=OFFLINE_FIRST_NUMBER),
        counter_last + 1 if counter_last + 1 >= OFFLINE_FIRST_NUMBER else OFFLINE_FIRST_NUMBER,
    )
    return NumberRange(first, first + size - 1)


def next_free_number(counter_last: int, leased: Iterable[NumberRange]) -> int:
    """The next number to draw online after ``counter_last``: one more, or past the end of
    each leased range it would fall into."""
    number = counter_last + 1
    for lease in sorted(leased, key=lambda r: r.first):
        if number in lease:
            number = lease.last + 1
    return number


@dataclass(frozen=True)
class QueuedTicket:
    """What the rules need to know of a ticket in the queue."""

    id: int
    service_id: int
    priority: Priority
    queued_at: datetime
    target_desk_id: int | None = None
    number: int = 0
    #: A checked-in appointment's time (None: a walk-in, or an appointment ticket without one).
    appointment_at: datetime | None = None


@dataclass(frozen=True)
class DeskRule:
    """A desk as the rules see it: its services in the desk's order, and whether it is open."""

    id: int
    service_ids: tuple[int, ...]
    open: bool = True
    _positions: Mapping[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_positions", {sid: i for i, sid in enumerate(self.service_ids)})

    def may_call(self, ticket: QueuedTicket) -> bool:
        if ticket.target_desk_id is not None:
            return ticket.target_desk_id == self.id
        return ticket.service_id in self._positions

    def service_rank(self, ticket: QueuedTicket) -> int:
        return self._positions.get(ticket.service_id, len(self.service_ids))


def queue_key(ticket: QueuedTicket) -> tuple[int, datetime, int, int]:
    """The site-wide order of waiting tickets: priority, then time waited."""
    return (PRIORITY_RANK[ticket.priority], ticket.queued_at, ticket.number, ticket.id)


#: The site's defaults for appointments (``sites.appointment_lead_minutes`` and
#: ``sites.appointments_in_a_row``).
DEFAULT_APPOINTMENT_LEAD = timedelta(minutes=2)
DEFAULT_APPOINTMENTS_IN_A_ROW = 3


@dataclass(frozen=True)
class RecentCall:
    """One of a site's latest calls: of which service, at which desk, an appointment or not."""

    service_id: int
    appointment: bool
    desk_id: int | None = None


@dataclass(frozen=True)
class Calling:
    """What a desk's order depends on besides the tickets: the moment, the site's appointment
    settings, the services' target waits and the site's latest calls (newest first)."""

    now: datetime
    lead: timedelta = DEFAULT_APPOINTMENT_LEAD
    #: How many appointments in a row before one walk-in past its target (0: no cap).
    cap: int = DEFAULT_APPOINTMENTS_IN_A_ROW
    target_wait_minutes: Mapping[int, int] = field(default_factory=dict)
    recent_calls: Sequence[RecentCall] = ()

    def due(self, ticket: QueuedTicket) -> bool:
        """An appointment whose time, less the lead, has come."""
        return ticket.appointment_at is None or ticket.appointment_at - self.lead <= self.now

    def past_target(self, ticket: QueuedTicket) -> bool:
        """A walk-in who has waited longer than their service's target."""
        target = self.target_wait_minutes.get(ticket.service_id)
        return target is not None and self.now - ticket.queued_at > timedelta(minutes=target)


def appointments_in_a_row(recent_calls: Iterable[RecentCall], desk: DeskRule) -> int:
    """How many of the latest calls (newest first) of the services ``desk`` calls, or made at
    ``desk``, were appointments, counted back to the first that was not (see the module's
    docstring: per site, over the desk's services)."""
    count = 0
    for call in recent_calls:
        if call.service_id not in desk.service_ids and call.desk_id != desk.id:
            continue
        if not call.appointment:
            break
        count += 1
    return count


def _appointment_time(ticket: QueuedTicket) -> datetime:
    return ticket.appointment_at or ticket.queued_at


def draw_order(
    tickets: Iterable[QueuedTicket], desk: DeskRule, calling: Calling | None = None
) -> list[QueuedTicket]:
    """The tickets ``desk`` may call, in the order it calls them (see the module's docstring):
    its next call first, then the calls after it if nobody else called and time stood still."""
    due: list[QueuedTicket] = []
    walk_ins: list[QueuedTicket] = []
    later: list[QueuedTicket] = []
    for ticket in tickets:
        if not desk.may_call(ticket):
            continue
        if ticket.priority != Priority.APPOINTMENT:
            walk_ins.append(ticket)
        elif calling is None or calling.due(ticket):
            due.append(ticket)
        else:
            later.append(ticket)

    def appointment_key(t: QueuedTicket) -> tuple[datetime, datetime, int, int, int]:
        return (_appointment_time(t), t.queued_at, desk.service_rank(t), t.number, t.id)

    due.sort(key=appointment_key)
    later.sort(key=appointment_key)
    walk_ins.sort(
        key=lambda t: (PRIORITY_RANK[t.priority], t.queued_at, desk.service_rank(t), t.number, t.id)
    )
    if calling is None or calling.cap <= 0:
        return [*due, *walk_ins, *later]

    order: list[QueuedTicket] = []
    waiting = deque(walk_ins)
    in_a_row = appointments_in_a_row(calling.recent_calls, desk)
    for appointment in due:
        if in_a_row >= calling.cap:
            overdue = next((w for w in waiting if calling.past_target(w)), None)
            if overdue is not None:
                waiting.remove(overdue)
                order.append(overdue)
                in_a_row = 0
        order.append(appointment)
        in_a_row += 1
    return [*order, *waiting, *later]


def pick_next(
    tickets: Iterable[QueuedTicket], desk: DeskRule, calling: Calling | None = None
) -> QueuedTicket | None:
    """The ticket ``desk`` calls next, or None when nobody waits for it."""
    order = draw_order(tickets, desk, calling)
    return order[0] if order else None


@dataclass(frozen=True)
class WaitEstimate:
    position: int
    minutes: int


def typical_service_minutes(durations_minutes: Sequence[float], default: float) -> float:
    """The median of recent service times, or ``default`` while there are fewer than three."""
    if len(durations_minutes) < 3:
        return default
    return float(median(durations_minutes))


def estimate_waits(
    tickets: Iterable[QueuedTicket],
    desks: Iterable[DeskRule],
    service_minutes: Mapping[int, float],
    now: datetime | None = None,
    lead: timedelta = DEFAULT_APPOINTMENT_LEAD,
) -> dict[int, WaitEstimate]:
    """Position and estimated wait of every queued ticket.

    For a ticket T, the desks that may call it are D(T). A ticket U stands *ahead* of T when it
    comes earlier in the site-wide order (:func:`queue_key`) and some desk in D(T) may call U too
    (its desks and T's overlap): those citizens compete for the same desks. Tickets that no desk
    may call (D is empty: a service no desk serves) count as competing with each other.

    * ``position`` = 1 + the number of tickets ahead (1 means "you are next").
    * ``minutes`` = the sum of the typical service times of the tickets ahead
      (``service_minutes``, the median of recent service times per service), divided by the
      number of desks in D(T) that are open now; if none is open, by the number of desks that
      could call T at all (the office is about to open), and at least by one. Rounded up.

    The estimate leaves out the citizens already at a desk; it is exact for a steady queue and
    errs on the short side by at most one service time when every desk is busy.

    Appointments not yet due at ``now`` (given; see :class:`Calling`) are called when they
    become due, not before the walk-ins: they stand ahead of a walk-in only if they become due
    before the walk-in's estimated turn. So every other ticket is estimated without them first;
    then each of those tickets adds the appointments of overlapping desks due before its
    estimated turn, once (appointments that this moves into its wait are not added again: it
    errs on the short side by those). An appointment not yet due is estimated as if due.
    """
    desk_list = list(desks)
    ordered = sorted(tickets, key=queue_key)

    def callers(ticket: QueuedTicket) -> frozenset[int]:
        return frozenset(d.id for d in desk_list if d.may_call(ticket))

    open_desks = frozenset(d.id for d in desk_list if d.open)

    def not_yet_due(ticket: QueuedTicket) -> datetime | None:
        """When an appointment not yet due becomes due; None for every other ticket."""
        if now is None or ticket.priority != Priority.APPOINTMENT or ticket.appointment_at is None:
            return None
        due = ticket.appointment_at - lead
        return due if due > now else None

    # Tickets grouped by the set of desks that may call them: few groups, so this stays linear.
    count_by_group: dict[frozenset[int], int] = {}
    work_by_group: dict[frozenset[int], float] = {}
    later: list[tuple[frozenset[int], datetime, float]] = []
    result: dict[int, WaitEstimate] = {}
    work_of: dict[int, tuple[frozenset[int], int, float, int]] = {}
    for ticket in ordered:
        group = callers(ticket)
        ahead = 0
        work = 0.0
        for other_group, count in count_by_group.items():
            if other_group == group or other_group & group:
                ahead += count
                work += work_by_group[other_group]
        parallel = len(group & open_desks) or len(group) or 1
        result[ticket.id] = WaitEstimate(position=ahead + 1, minutes=math.ceil(work / parallel))
        minutes = service_minutes.get(ticket.service_id, 10.0)
        due = not_yet_due(ticket)
        if due is not None:
            later.append((group, due, minutes))
            continue
        work_of[ticket.id] = (group, ahead, work, parallel)
        count_by_group[group] = count_by_group.get(group, 0) + 1
        work_by_group[group] = work_by_group.get(group, 0.0) + minutes
    if later and now is not None:
        for ticket_id, (group, ahead, work, parallel) in work_of.items():
            turn = now + timedelta(minutes=result[ticket_id].minutes)
            for other_group, due, minutes in later:
                if due <= turn and (other_group == group or other_group & group):
                    ahead += 1
                    work += minutes
            result[ticket_id] = WaitEstimate(position=ahead + 1, minutes=math.ceil(work / parallel))
    return result
