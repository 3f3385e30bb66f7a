"""Signing in, and turning a bearer token into a :class:`Principal`."""

from __future__ import annotations

import logging
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

__all__ = ["LoginThrottle", "login", "logout", "principal_for_token", "purge_expired_tokens"]

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
