"""After a server restart every desk of a city has lost its event stream at the same moment:
the desks come back spread out, and ask a server that stays away less and less often."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

from counter_app.core.live import Backoff, LiveEvents
from tests.support.ports import free_port


def test_desks_that_lost_the_server_together_come_back_spread_over_half_a_second() -> None:
    first_tries = [Backoff().next_delay() for _ in range(300)]
    assert all(0.5 <= delay <= 1.0 for delay in first_tries)
    assert max(first_tries) - min(first_tries) > 0.4
    # Never most of them in the same moment: under a third in any 0.1 s (uniform: a fifth).
    for start in (0.5 + i / 20 for i in range(10)):
        together = [d for d in first_tries if start <= d < start + 0.1]
        assert len(together) < 300 / 3, (start, len(together))


def test_the_wait_grows_while_the_server_stays_away_and_starts_again_after_a_connection() -> None:
    highest = Backoff(draw=lambda: 1.0)
    assert [highest.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    highest.reset()
    assert highest.next_delay() == 1.0
    lowest = Backoff(draw=lambda: 0.0)
    assert [lowest.next_delay() for _ in range(4)] == [0.5, 1.0, 2.0, 2.5]


def test_a_desk_asks_an_absent_server_less_and_less_often() -> None:
    """A real reader against a port where nobody listens: its tries thin out."""
    port = free_port()
    tries: list[float] = []
    down = threading.Event()

    def on_connection(up: bool) -> None:
        assert not up
        tries.append(time.monotonic())
        if len(tries) >= 4:
            down.set()

    reader = LiveEvents(
        f"http://127.0.0.1:{port}",
        "token",
        "demo",
        on_event=lambda _event: None,
        on_connection=on_connection,
        backoff=Backoff(first=0.2, most=1.0),
    )
    reader.start()
    try:
        assert down.wait(10)
    finally:
        reader.stop()
    gaps = [later - earlier for earlier, later in pairwise(tries)]
    # Ceilings 0.2, 0.4, 0.8 s: each wait is at least half its ceiling (the upper bounds leave
    # room for a busy machine).
    assert 0.1 <= gaps[0] <= 0.2 + 0.5, gaps
    assert 0.2 <= gaps[1] <= 0.4 + 0.5, gaps
    assert 0.4 <= gaps[2] <= 0.8 + 0.5, gaps
