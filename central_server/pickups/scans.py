"""Wrong pickup receipts, counted per person or device in a moving window.

A receipt's token has 160 random bits, so guessing one is hopeless; many wrong scans from one
desk or kiosk in a short time still mean something is wrong (a broken scanner, someone trying
receipts) and are reported: when a principal reaches the limit, the server logs a warning (never
the token) and the caller appends ``pickup.wrong_scans`` to the site's log for supervisors. Past
the limit every scan of that principal is refused with 429 until the window has moved on.

The counts live in the server process's memory: each server process counts on its own, and a
restart forgets them.
"""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from central_server.auth.principal import Principal
from central_server.errors import N_, RateLimited

WINDOW_SECONDS = 60


class ScanGuard:
    def __init__(self, wrong_scans_per_minute: int = 10) -> None:
        self.limit = wrong_scans_per_minute
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerMinute(wrong_scans_per_minute)

    def check(self, principal: Principal) -> None:
        """Refuse (429) while ``principal`` is past the limit."""
        if not self._limiter.test(self._item, principal.key):
            raise RateLimited(
                "too_many_wrong_scans",
                N_(
                    "Too many unknown pickup receipts were scanned here. Please wait a minute; "
                    "the team lead has been informed."
                ),
            )

    def wrong(self, principal: Principal) -> bool:
        """Count a wrong scan; True when it is the one that reaches the limit (report it)."""
        self._limiter.hit(self._item, principal.key)
        return not self._limiter.test(self._item, principal.key)
