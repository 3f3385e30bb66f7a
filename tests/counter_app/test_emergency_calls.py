"""The emergency calls a window shows, from live events and its own answers (Qt-free)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from counter_app.core.answers import Emergency
from counter_app.core.emergency import EmergencyCalls
from counter_app.core.live import LiveEvent

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def event(seq: int, kind: str, desk: str, actor: str, **extra: object) -> LiveEvent:
    data = {"desk": desk, "desk_name": f"Platz {desk}", "actor": actor, "at": AT.isoformat()}
    return LiveEvent(seq, kind, {**data, **extra})


def test_own_and_other_calls_and_who_is_coming() -> None:
    calls = EmergencyCalls("2")
    assert calls.apply(event(1, "desk.emergency", "3", "clerk1"))
    assert calls.mine is None and [c.desk_name for c in calls.others] == ["Platz 3"]
    assert calls.apply(
        event(2, "desk.emergency_response", "3", "clerk2", from_desk="2", from_desk_name="Platz 2")
    )
    # The same helper twice is one helper; other events change nothing.
    assert not calls.apply(event(3, "desk.emergency_response", "3", "clerk2"))
    assert not calls.apply(event(4, "ticket.called", "3", "clerk1"))
    (call,) = calls.others
    assert [(h.user, h.desk_name) for h in call.helpers] == [("clerk2", "Platz 2")]
    assert call.answered_by("clerk2") and not call.answered_by("clerk4")
    assert calls.apply(event(5, "desk.emergency", "2", "clerk2"))
    assert calls.mine is not None and calls.mine.caller == "clerk2"
    assert calls.apply(event(6, "desk.emergency_ended", "3", "supervisor"))
    assert calls.others == []
    # A payload the window does not understand is no call.
    assert not calls.apply(LiveEvent(7, "desk.emergency", {"desk": "4"}))


def test_an_answer_arriving_after_the_end_does_not_open_the_call_again() -> None:
    calls = EmergencyCalls("1")
    calls.apply(event(1, "desk.emergency", "1", "clerk1"))
    calls.apply(event(2, "desk.emergency_ended", "1", "clerk1"))
    late = Emergency(
        desk="1",
        desk_name="Platz 1",
        called_by="clerk1",
        called_at=AT,
        responders=[],
        ended_at=None,
        ended_by=None,
    )
    calls.seed(late)
    assert calls.mine is None
    # A new call at the same desk is another call.
    calls.seed(late.model_copy(update={"called_at": AT + timedelta(minutes=5)}))
    assert calls.mine is not None
