"""Signing in, and turning a bearer token into a :class:`Principal`.

A token, once found valid, is trusted by the process that checked it for a while (and never
past its expiry) without asking the database again (:class:`TokenCache`). A sign-out or a
revoked device token takes effect at once in the process that made the change. Every other
process (``tresen admin`` on the command line, the other server processes of a city):

* on PostgreSQL, hears of it within milliseconds: the revoking transaction sends
  ``NOTIFY tresen_tokens`` (the token's digest, or ``*`` for "check every token again"), which
  each server's listener (``central_server.events.listen``) passes to :func:`revoked`. While a
  process listens it trusts a token for ``HEARD_TOKEN_CACHE_SECONDS``; when its listening
  connection is lost it forgets every token and trusts for ``TOKEN_CACHE_SECONDS`` only, until
  it listens again;
* on SQLite (one server process), within ``TOKEN_CACHE_SECONDS``.

A token not found is never kept: it is looked up every time. A lookup that began before a
revocation was heard does not put its answer into the cache (:attr:`TokenCache.generation`).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import NoReturn

from sqlalchemy.orm import Session

from central_server.auth import repository, tokens
from central_server.auth.principal import Capability, Principal, Role, require
from central_server.auth.schemas import LoginPublic, LoginRequest
from central_server.auth.throttle import LoginThrottle
from central_server.db import Database
from central_server.errors import N_, Forbidden, Unauthorized
from central_server.models import AuthToken
from central_server.models._types import utcnow

__all__ = [
    "HEARD_TOKEN_CACHE_SECONDS",
    "TOKEN_CACHE_SECONDS",
    "LoginThrottle",
    "TokenCache",
    "cached_principal",
    "forget_tokens",
    "login",
    "logout",
    "principal_for_token",
    "purge_expired_tokens",
    "revoked",
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
#: The same while the process hears revocations (PostgreSQL's NOTIFY, see the docstring).
HEARD_TOKEN_CACHE_SECONDS = 60.0
#: The channel on which revocations are announced.
REVOKE_CHANNEL = "tresen_tokens"
#: Name of the process's :class:`TokenCache` in ``Database.shared``.
_TOKEN_CACHE = "tokens"  # noqa: S105 (a cache's name, not a secret)


class TokenCache:
    """Principals of tokens found valid, by the token's digest, each until a moment of
    ``time.monotonic()``. Thread-safe; bounded (emptied when full)."""

    def __init__(self, max_entries: int = 20000) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._max_entries = max_entries
        #: Counts the revocations heard: a lookup begun before one keeps nothing.
        self.generation = 0
        #: Set while this process hears revocations (its listener is connected).
        self.hearing = threading.Event()

    def get(self, token_hash: str) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            with self._lock:
                self._entries.pop(token_hash, None)
            return None
        return entry[0]

    def put(
        self, token_hash: str, principal: Principal, until: float, generation: int | None = None
    ) -> None:
        with self._lock:
            if generation is not None and generation != self.generation:
                return  # a revocation was heard while this was looked up
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[token_hash] = (principal, until)

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self.generation += 1
            self._entries.pop(token_hash, None)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def trust_seconds(self) -> float:
        return HEARD_TOKEN_CACHE_SECONDS if self.hearing.is_set() else TOKEN_CACHE_SECONDS


def _token_cache(db: Database) -> TokenCache:
    cache: TokenCache = db.shared.setdefault(_TOKEN_CACHE, TokenCache())
    return cache


def cached_principal(db: Database, token: str) -> Principal | None:
    """The principal of ``token`` if this process found it valid in the last
    ``TOKEN_CACHE_SECONDS``; None means: ask :func:`principal_for_token`."""
    return _token_cache(db).get(tokens.digest(token))


def forget_tokens(db: Database) -> None:
    """Check every token against the database again (after tokens, users or devices changed
    in this process), here at once and, on PostgreSQL, in every process that listens."""
    _token_cache(db).clear()
    if not db.is_sqlite:
        with db.write_session() as session:
            _announce(session, "*")


def _announce(session: Session, what: str) -> None:
    """Tell every listening process, when the transaction commits, that ``what`` (a token's
    digest, or ``*``) is revoked (PostgreSQL only)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_notify(%s, %s)", (REVOKE_CHANNEL, what))


def revoked(db: Database, what: str) -> None:
    """Heard from another process: ``what`` (a token's digest, or ``*``) was revoked."""
    if what == "*":
        _token_cache(db).clear()
    else:
        _token_cache(db).forget(what)


def hearing_revocations(db: Database, hearing: bool) -> None:
    """This process starts or stops hearing revocations (its listener connected or lost its
    connection): what it trusted may have been revoked unheard, so it forgets every token."""
    cache = _token_cache(db)
    if hearing:
        cache.hearing.set()
    else:
        cache.hearing.clear()
    cache.clear()


def principal_for_token(db: Database, token: str) -> Principal:
    token_hash = tokens.digest(token)
    cache = _token_cache(db)
    principal = cache.get(token_hash)
    if principal is not None:
        return principal
    generation = cache.generation
    until = time.monotonic() + cache.trust_seconds()
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
    cache.put(token_hash, principal, until, generation)
    return principal


def may_read_events(db: Database, token: str, site_id: int) -> bool:
    """Whether ``token`` may still read the site's live events (an open stream asks this now
    and then: revoked, signed out, expired or stripped of the role ends it)."""
    try:
        require(principal_for_token(db, token), Capability.READ_EVENTS, site_id)
    except (Unauthorized, Forbidden):
        return False
    return True


def logout(db: Database, token: str) -> None:
    token_hash = tokens.digest(token)
    _token_cache(db).forget(token_hash)
    with db.write_session() as session:
        row = session.get(AuthToken, token_hash)
        if row is not None:
            session.delete(row)
            _announce(session, token_hash)
    _token_cache(db).forget(token_hash)


def purge_expired_tokens(db: Database) -> None:
    with db.write_session() as session:
        repository.delete_expired_tokens(session, utcnow())
