"""Signing in, and turning a bearer token into a :class:`Principal`.

A token, once found valid, is trusted by the process that checked it for at most
``TOKEN_CACHE_SECONDS`` (and never past its expiry) without asking the database again
(:class:`TokenCache`): a sign-out or a revoked device token takes effect at once in the process
that made the change, and within those seconds in every other (``tresen admin`` on the command
line, a second server process). A token not found is never kept: it is looked up every time.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import NoReturn

from central_server.auth import repository, tokens
from central_server.auth.principal import Principal, Role
from central_server.auth.schemas import LoginPublic, LoginRequest
from central_server.auth.throttle import LoginThrottle
from central_server.db import Database
from central_server.errors import N_, Unauthorized
from central_server.models import AuthToken
from central_server.models._types import utcnow

__all__ = [
    "TOKEN_CACHE_SECONDS",
    "LoginThrottle",
    "TokenCache",
    "cached_principal",
    "forget_tokens",
    "login",
    "logout",
    "principal_for_token",
    "purge_expired_tokens",
]

log = logging.getLogger("tresen.auth")


def login(
    db: Database, request: LoginRequest, client: str, throttle: LoginThrottle, ttl: timedelta
) -> LoginPublic:
    throttle.check(request.username, client)
    try:
        return _sign_in(db, request, client, ttl)
    except Unauthorized:
        # Counted after the sign-in's transaction: on SQLite that holds the database's write
        # lock, which counting takes too.
        throttle.failed(request.username, client)
        raise


def _sign_in(db: Database, request: LoginRequest, client: str, ttl: timedelta) -> LoginPublic:
    # The password is checked outside the write transaction: argon2 takes tens of milliseconds
    # on purpose, and on SQLite a write transaction holds the one write lock of every site.
    with db.read_session() as session:
        user = repository.user_by_name(session, request.username)
        ok = tokens.verify_password(user.password_hash if user else None, request.password)
    if not ok or user is None or not user.active:
        _refuse(user.id if user is not None else None, client)
    with db.write_session() as session:
        # Read again in the write transaction: an account made inactive (or a password
        # changed) while the password was checked signs nobody in.
        current = repository.user_by_name(session, request.username)
        if current is None or not current.active or current.password_hash != user.password_hash:
            _refuse(user.id, client)
        now = utcnow()
        repository.delete_expired_tokens(session, now)
        token = tokens.new_token()
        session.add(
            AuthToken(token_hash=tokens.digest(token), user_id=current.id, expires_at=now + ttl)
        )
        log.info("user #%d signed in from %s", current.id, client)
        return LoginPublic(
            token=token,
            expires_at=now + ttl,
            roles=sorted(current.roles),
            username=current.username,
            display_name=current.display_name,
            sites=repository.site_slugs_of_user(session, current.id),
        )


def _refuse(user_id: int | None, client: str) -> NoReturn:
    # Never the password, nor the typed name (it may be a person's name, or a password typed
    # into the wrong field): the account's id helps IT see an attack on one account.
    if user_id is None:
        log.warning("failed sign-in for an unknown user name from %s", client)
    else:
        log.warning("failed sign-in for user #%d from %s", user_id, client)
    raise Unauthorized("invalid_credentials", N_("User name or password is wrong."))


#: How long a process trusts a token it found valid before it asks the database again.
TOKEN_CACHE_SECONDS = 5.0
#: Name of the process's :class:`TokenCache` in ``Database.shared``.
_TOKEN_CACHE = "tokens"  # noqa: S105 (a cache's name, not a secret)


class TokenCache:
    """Principals of tokens found valid, by the token's digest, each until a moment of
    ``time.monotonic()``. Thread-safe; bounded (emptied when full)."""

    def __init__(self, max_entries: int = 20000) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._max_entries = max_entries

    def get(self, token_hash: str) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            with self._lock:
                self._entries.pop(token_hash, None)
            return None
        return entry[0]

    def put(self, token_hash: str, principal: Principal, until: float) -> None:
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[token_hash] = (principal, until)

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self._entries.pop(token_hash, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _token_cache(db: Database) -> TokenCache:
    cache: TokenCache = db.shared.setdefault(_TOKEN_CACHE, TokenCache())
    return cache


def cached_principal(db: Database, token: str) -> Principal | None:
    """The principal of ``token`` if this process found it valid in the last
    ``TOKEN_CACHE_SECONDS``; None means: ask :func:`principal_for_token`."""
    return _token_cache(db).get(tokens.digest(token))


def forget_tokens(db: Database) -> None:
    """Check every token against the database again (after tokens, users or devices changed
    in this process)."""
    _token_cache(db).clear()


def principal_for_token(db: Database, token: str) -> Principal:
    token_hash = tokens.digest(token)
    cache = _token_cache(db)
    principal = cache.get(token_hash)
    if principal is not None:
        return principal
    until = time.monotonic() + TOKEN_CACHE_SECONDS
    now = utcnow()
    with db.read_session() as session:
        found = repository.valid_token(session, token_hash, now)
        if found is not None:
            auth_token, user = found
            roles = frozenset(Role(r) for r in user.roles)
            sites = None if Role.ADMIN in roles else repository.site_ids_of_user(session, user.id)
            principal = Principal("user", user.id, user.username, roles, sites)
            until = min(until, time.monotonic() + (auth_token.expires_at - now).total_seconds())
        else:
            device = repository.device_by_token(session, token_hash)
            if device is not None:
                principal = Principal(
                    "device",
                    device.id,
                    device.name,
                    frozenset({Role(device.kind)}),
                    frozenset({device.site_id}),
                )
    if principal is None:
        raise Unauthorized(
            "invalid_token", N_("Your sign-in is no longer valid. Please sign in again.")
        )
    cache.put(token_hash, principal, until)
    return principal


def logout(db: Database, token: str) -> None:
    token_hash = tokens.digest(token)
    _token_cache(db).forget(token_hash)
    with db.write_session() as session:
        row = session.get(AuthToken, token_hash)
        if row is not None:
            session.delete(row)
    _token_cache(db).forget(token_hash)


def purge_expired_tokens(db: Database) -> None:
    with db.write_session() as session:
        repository.delete_expired_tokens(session, utcnow())
