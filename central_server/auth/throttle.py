"""Failed sign-ins, counted per user name and per client address in a moving window of a minute.

Two limits, because they guard against different things. Per user name (5 by default) it stops
someone guessing one person's password. Per address (30 by default) it stops a password sprayer
who tries a few passwords on many names; it is much higher because terminal servers and NAT put
a whole office behind one address, and one clerk's typos must not lock out the colleagues.
Past either limit every sign-in for that name, or from that address, is refused with 429 until
the window has moved on, whether the password is right or not.

The counting is behind :class:`FailureCounter`, so that the counts can move from the server
process's memory (each process counts on its own; a restart forgets them) into the database.
"""

from __future__ import annotations

from typing import Protocol

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from central_server.errors import N_, RateLimited


class FailureCounter(Protocol):
    """Failures per key within the last minute."""

    def reached(self, key: str, limit: int) -> bool:
        """Whether ``key`` failed ``limit`` times or more within the last minute."""
        ...

    def add(self, key: str, limit: int) -> None:
        """Count one failure of ``key`` (``limit`` is the one :meth:`reached` is asked with)."""
        ...


class MemoryFailureCounter:
    """A :class:`FailureCounter` in this process's memory (the limits library's moving window)."""

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def reached(self, key: str, limit: int) -> bool:
        return not self._limiter.test(RateLimitItemPerMinute(limit), key)

    def add(self, key: str, limit: int) -> None:
        self._limiter.hit(RateLimitItemPerMinute(limit), key)


class LoginThrottle:
    def __init__(
        self,
        failures_per_user: int = 5,
        failures_per_address: int = 30,
        counter: FailureCounter | None = None,
    ) -> None:
        self.per_user = failures_per_user
        self.per_address = failures_per_address
        self._counter = counter or MemoryFailureCounter()

    def check(self, username: str, client: str) -> None:
        """Refuse (429) while the user name or the client address is past its limit."""
        if self._counter.reached(_user_key(username), self.per_user):
            raise RateLimited(
                "too_many_failed_logins",
                N_("Too many failed sign-ins. Please wait a minute and try again."),
                scope="user",
            )
        if self._counter.reached(_address_key(client), self.per_address):
            raise RateLimited(
                "too_many_failed_logins",
                N_(
                    "Too many failed sign-ins from this computer or network. Please wait a "
                    "minute and try again."
                ),
                scope="address",
            )

    def failed(self, username: str, client: str) -> None:
        self._counter.add(_user_key(username), self.per_user)
        self._counter.add(_address_key(client), self.per_address)


def _user_key(username: str) -> str:
    return f"user:{username.lower()}"


def _address_key(client: str) -> str:
    return f"client:{client}"
