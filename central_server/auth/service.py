"""Signing in, and turning a bearer token into a :class:`Principal`."""

from __future__ import annotations

import logging
from datetime import timedelta

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from central_server.auth import repository, tokens
from central_server.auth.principal import Principal, Role
from central_server.auth.schemas import LoginPublic, LoginRequest
from central_server.db import Database
from central_server.errors import N_, RateLimited, Unauthorized
from central_server.models import AuthToken
from central_server.models._types import utcnow

log = logging.getLogger("tresen.auth")


class LoginThrottle:
    """Failed logins per user name and per client address, counted in a moving window.

    Past the limit every login for that name (or from that address) is refused with 429 until
    the window has moved on, whether the password is right or not.
    """

    def __init__(self, failures_per_minute: int = 5) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerMinute(failures_per_minute)

    def check(self, username: str, client: str) -> None:
        for key in (f"user:{username.lower()}", f"client:{client}"):
            if not self._limiter.test(self._item, key):
                raise RateLimited(
                    "too_many_failed_logins",
                    N_("Too many failed sign-ins. Please wait a minute and try again."),
                )

    def failed(self, username: str, client: str) -> None:
        self._limiter.hit(self._item, f"user:{username.lower()}")
        self._limiter.hit(self._item, f"client:{client}")


def login(
    db: Database, request: LoginRequest, client: str, throttle: LoginThrottle, ttl: timedelta
) -> LoginPublic:
    throttle.check(request.username, client)
    with db.write_session() as session:
        user = repository.user_by_name(session, request.username)
        ok = tokens.verify_password(user.password_hash if user else None, request.password)
        if not ok or user is None or not user.active:
            throttle.failed(request.username, client)
            # Never the password; the name helps IT see an attack on one account.
            log.warning("failed sign-in for user %r from %s", request.username, client)
            raise Unauthorized("invalid_credentials", N_("User name or password is wrong."))
        now = utcnow()
        repository.delete_expired_tokens(session, now)
        token = tokens.new_token()
        session.add(
            AuthToken(token_hash=tokens.digest(token), user_id=user.id, expires_at=now + ttl)
        )
        log.info("user %r signed in from %s", user.username, client)
        return LoginPublic(
            token=token,
            expires_at=now + ttl,
            roles=sorted(user.roles),
            username=user.username,
            display_name=user.display_name,
            sites=repository.site_slugs_of_user(session, user.id),
        )


def principal_for_token(db: Database, token: str) -> Principal:
    token_hash = tokens.digest(token)
    with db.read_session() as session:
        found = repository.valid_token(session, token_hash, utcnow())
        if found is not None:
            _, user = found
            roles = frozenset(Role(r) for r in user.roles)
            sites = None if Role.ADMIN in roles else repository.site_ids_of_user(session, user.id)
            return Principal("user", user.id, user.username, roles, sites)
        device = repository.device_by_token(session, token_hash)
        if device is not None:
            return Principal(
                "device",
                device.id,
                device.name,
                frozenset({Role(device.kind)}),
                frozenset({device.site_id}),
            )
    raise Unauthorized(
        "invalid_token", N_("Your sign-in is no longer valid. Please sign in again.")
    )


def logout(db: Database, token: str) -> None:
    with db.write_session() as session:
        row = session.get(AuthToken, tokens.digest(token))
        if row is not None:
            session.delete(row)


def purge_expired_tokens(db: Database) -> None:
    with db.write_session() as session:
        repository.delete_expired_tokens(session, utcnow())
