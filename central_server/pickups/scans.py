"""Wrong pickup receipts, counted per person or device in a window of a minute.

A receipt's token has 160 random bits, so guessing one is hopeless; many wrong scans from one
desk or kiosk in a short time still mean something is wrong (a broken scanner, someone trying
receipts) and are reported: when a principal reaches the limit, the server logs a warning (never
the token) and the caller appends ``pickup.wrong_scans`` to the site's log for supervisors. Past
the limit every scan of that principal is refused with 429 until the window has moved on.

The counts are in the database (:mod:`central_server.ratelimits`), shared by every server
process: the limit holds whichever process a scan reaches, and the report is made once. Wrong
appointment codes at the kiosk count toward the same limit (``central_server.appointments``).
"""

from __future__ import annotations

from central_server.auth.principal import Principal
from central_server.errors import N_, RateLimited
from central_server.ratelimits import WINDOW_SECONDS, FailureCounter, key

__all__ = ["WINDOW_SECONDS", "ScanGuard"]

TOO_MANY_RECEIPTS = N_(
    "Too many unknown pickup receipts were scanned here. Please wait a minute; the team lead "
    "has been informed."
)


class ScanGuard:
    def __init__(self, counter: FailureCounter, wrong_scans_per_minute: int = 10) -> None:
        self.limit = wrong_scans_per_minute
        self._counter = counter

    def check(self, principal: Principal, message: str = TOO_MANY_RECEIPTS) -> None:
        """Refuse (429) while ``principal`` is past the limit; ``message`` says what was
        wrong (the kiosk's appointment codes count toward the same limit)."""
        scans = _key(principal)
        if self._counter.failures(scans)[scans] >= self.limit:
            raise RateLimited("too_many_wrong_scans", message)

    def wrong(self, principal: Principal) -> bool:
        """Count a wrong scan; True when it is the one that reaches the limit (report it)."""
        scans = _key(principal)
        return self._counter.add(scans)[scans] == self.limit


def _key(principal: Principal) -> str:
    return key("pickup-scan", principal.key)
