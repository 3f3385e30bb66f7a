"""Failed sign-ins, counted per user name and per client address in a window of a minute.

Two limits, because they guard against different things. Per user name (5 by default) it stops
someone guessing one person's password. Per address (30 by default) it stops a password sprayer
who tries a few passwords on many names; it is much higher because terminal servers and NAT put
a whole office behind one address, and one clerk's typos must not lock out the colleagues.
Past either limit every sign-in for that name, or from that address, is refused with 429 until
the window has moved on, whether the password is right or not.

The failures are counted in the database (:mod:`central_server.ratelimits`): every server
process on it sees the same counts, so a lock-out holds on all of them and a restart keeps it.
A sign-in costs one read of the counts; only a failure writes.
"""

from __future__ import annotations

from central_server.errors import N_, RateLimited
from central_server.ratelimits import FailureCounter, key


class LoginThrottle:
    def __init__(
        self,
        counter: FailureCounter,
        failures_per_user: int = 5,
        failures_per_address: int = 30,
    ) -> None:
        self.per_user = failures_per_user
        self.per_address = failures_per_address
        self._counter = counter

    def check(self, username: str, client: str) -> None:
        """Refuse (429) while the user name or the client address is past its limit."""
        user, address = _user_key(username), _address_key(client)
        failures = self._counter.failures(user, address)
        if failures[user] >= self.per_user:
            raise RateLimited(
                "too_many_failed_logins",
                N_("Too many failed sign-ins. Please wait a minute and try again."),
                scope="user",
            )
        if failures[address] >= self.per_address:
            raise RateLimited(
                "too_many_failed_logins",
                N_(
                    "Too many failed sign-ins from this computer or network. Please wait a "
                    "minute and try again."
                ),
                scope="address",
            )

    def failed(self, username: str, client: str) -> None:
        self._counter.add(_user_key(username), _address_key(client))


def _user_key(username: str) -> str:
    return key("login-user", username.lower())


def _address_key(client: str) -> str:
    return key("login-address", client)
