"""The display's rules, without a server: which calls it shows, which it announces as new,
how it says a number, and the chime it plays."""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta

from central_server.queue_rules import Status
from central_server.web import chime
from central_server.web.board import (
    FRESH_SECONDS,
    KEEP_SECONDS,
    MAX_CALLS,
    Call,
    calls_to_show,
    is_new,
)
from central_server.web.service import spoken_number

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def call(seq: int, seconds_ago: float, status: Status = Status.CALLED) -> Call:
    return Call(
        seq=seq,
        ticket_id=seq,
        prefix="A",
        number=f"A{seq:03d}",
        desk="Platz 1",
        at=NOW - timedelta(seconds=seconds_ago),
        status=status,
    )


def test_a_call_is_new_while_called_and_young() -> None:
    assert is_new(call(1, 0), NOW)
    assert is_new(call(1, FRESH_SECONDS - 1), NOW)
    assert not is_new(call(1, FRESH_SECONDS), NOW)
    assert not is_new(call(1, 5, Status.SERVING), NOW)


def test_a_called_ticket_stays_and_served_ones_age_out() -> None:
    calls = [
        call(5, 10),
        call(4, KEEP_SECONDS + 60),  # called long ago, never came: still called, still shown
        call(3, 60, Status.SERVING),
        call(2, KEEP_SECONDS - 1, Status.DONE),
        call(1, KEEP_SECONDS, Status.DONE),  # aged out
    ]
    assert [c.seq for c in calls_to_show(calls, NOW)] == [5, 4, 3, 2]


def test_at_most_max_calls_are_shown() -> None:
    calls = [call(n, n) for n in range(1, 20)]
    assert [c.seq for c in calls_to_show(calls, NOW)] == list(range(1, MAX_CALLS + 1))


def test_numbers_are_said_without_leading_zeros() -> None:
    assert spoken_number("A", "A042") == "A 42"
    assert spoken_number("B", "B1000") == "B 1000"
    assert spoken_number("C", "C901") == "C 901"


def test_the_chime_is_a_short_wav() -> None:
    with wave.open(io.BytesIO(chime.wav())) as file:
        assert (file.getnchannels(), file.getsampwidth(), file.getframerate()) == (1, 2, 22050)
        assert 1.0 <= file.getnframes() / file.getframerate() <= 2.0
        frames = file.readframes(file.getnframes())
    loudest = max(
        abs(int.from_bytes(frames[i : i + 2], "little", signed=True))
        for i in range(0, len(frames), 2)
    )
    assert 0.5 * 32767 <= loudest <= 0.7 * 32767
