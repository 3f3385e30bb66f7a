"""The HTTP client of the desktop programs: one method per server endpoint.

Blocking (requests); call it off the GUI thread (``counter_app.qt.tasks``). Every call has a
timeout, so nothing waits forever. Failures raise the classes of ``counter_app.core.errors``.

The queue and the desk list are read again after every event: the client keeps the last answer
of each with its ``ETag`` and sends that as ``If-None-Match``; while the site has not changed the
server answers 304 without a body, and the kept answer is returned again (decoded anew, so no
caller shares it with another).
"""

from __future__ import annotations

import json as jsonlib
import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import requests

from counter_app.core.errors import ServerFault, ServerUnreachable, rejected_for

#: (connect, read) seconds. A desk on loopback or LAN answers in milliseconds.
DEFAULT_TIMEOUT = (3.05, 15.0)


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class SignIn:
    token: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    sites: tuple[str, ...]
    expires_at: str


class TresenClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        language: str = "de",
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.language = language
        self.timeout = timeout
        self._session = session or requests.Session()
        #: (path, query) -> (ETag, body) of the last answer to a conditional read.
        self._kept: dict[tuple[str, str], tuple[str, bytes]] = {}
        self._kept_lock = threading.Lock()

    # The one place that talks HTTP ------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        idempotency_key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON (None for 204) or raise an ApiError."""
        answer = self._send(method, path, json, idempotency_key, params)
        if answer.status_code == 204:
            return None
        return _json(answer)

    def read(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path``, sending the ``ETag`` of the answer kept from the last read; on 304 Not
        Modified the kept answer is returned again."""
        key = (path, jsonlib.dumps(params or {}, sort_keys=True))
        with self._kept_lock:
            kept = self._kept.get(key)
        headers = {"If-None-Match": kept[0]} if kept else None
        answer = self._send("GET", path, None, None, params, headers)
        if answer.status_code == 304 and kept is not None:
            return jsonlib.loads(kept[1])
        tag = answer.headers.get("ETag")
        with self._kept_lock:
            if tag:
                self._kept[key] = (tag, answer.content)
            else:
                self._kept.pop(key, None)
        return _json(answer)

    def _send(
        self,
        method: str,
        path: str,
        json: Any,
        idempotency_key: str | None,
        params: dict[str, Any] | None,
        extra_headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request; the answer if it is not an error, else raise an ApiError."""
        headers = {"Accept-Language": self.language, **(extra_headers or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            answer = self._session.request(
                method,
                f"{self.base_url}/api/v1{path}",
                json=json,
                headers=headers,
                params=params,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ServerUnreachable(str(exc)) from exc
        if answer.status_code >= 500:
            raise ServerFault(answer.status_code, _message(answer))
        if answer.status_code >= 400:
            raise rejected_for(answer.status_code, _json(answer))
        return answer

    def _forget_kept(self) -> None:
        with self._kept_lock:
            self._kept.clear()

    # Endpoints -------------------------------------------------------------------------

    def login(self, username: str, password: str) -> SignIn:
        body = self.request("POST", "/login", {"username": username, "password": password})
        self.token = body["token"]
        self._forget_kept()
        return SignIn(
            token=body["token"],
            username=body["username"],
            display_name=body.get("display_name", ""),
            roles=tuple(body["roles"]),
            sites=tuple(body.get("sites", ())),
            expires_at=body["expires_at"],
        )

    def logout(self) -> None:
        self.request("POST", "/logout")
        self.token = None
        self._forget_kept()

    def site(self, site: str) -> dict[str, Any]:
        return dict(self.request("GET", f"/sites/{site}"))

    def services(self, site: str) -> list[dict[str, Any]]:
        return list(self.request("GET", f"/sites/{site}/services", params={"lang": self.language}))

    def queue(self, site: str, desk: str | None = None) -> dict[str, Any]:
        params = {"desk": desk} if desk else None
        return dict(self.read(f"/sites/{site}/queue", params=params))

    def desks(self, site: str) -> list[dict[str, Any]]:
        return list(self.read(f"/sites/{site}/desks"))

    def sign_on(self, site: str, desk: str, force: bool = False) -> dict[str, Any]:
        # Codes as typed at sign-in: a "/" in them must not reach another endpoint.
        path = f"/sites/{quote(site, safe='')}/desks/{quote(desk, safe='')}/sign-on"
        return dict(self.request("POST", path, {"force": force}))

    def pause(self, site: str, desk: str) -> dict[str, Any]:
        return dict(self.request("POST", f"/sites/{site}/desks/{desk}/pause"))

    def sign_off(self, site: str, desk: str) -> dict[str, Any]:
        return dict(self.request("POST", f"/sites/{site}/desks/{desk}/sign-off"))

    def create_ticket(
        self, site: str, service_id: int, key: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """A new ticket; ``offline={"lease_id", "number", "issued_at", "status_token"}``
        uploads one the kiosk issued offline (``issued_at`` an aware datetime or ISO text)."""
        return dict(
            self.request(
                "POST",
                f"/sites/{site}/tickets",
                _jsonable({"service_id": service_id, **fields}),
                key or new_key(),
            )
        )

    def lease_numbers(self, site: str, size: int = 20, key: str | None = None) -> dict[str, Any]:
        """Numbers to issue tickets with offline: ``{"day", "leases": [{"id", "service_id",
        "prefix", "day", "first", "last"}, ...]}``, one lease per active service."""
        return dict(
            self.request("POST", f"/sites/{site}/number-leases", {"size": size}, key or new_key())
        )

    def report_printer(
        self,
        site: str,
        state: str,
        detail: str = "",
        ticket: str | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """The kiosk's printer state (ready, paper_low, paper_out, cover_open, offline, error,
        unknown): ``{"device", "state", "since"}``."""
        body: dict[str, Any] = {"state": state, "detail": detail}
        if ticket is not None:
            body["ticket"] = ticket
        return dict(self.request("POST", f"/sites/{site}/devices/printer", body, key or new_key()))

    def devices(self, site: str) -> list[dict[str, Any]]:
        """The site's devices with their printer states."""
        return list(self.request("GET", f"/sites/{site}/devices"))

    def call_next(self, site: str, desk: str, key: str | None = None) -> dict[str, Any] | None:
        """The called ticket, or None when nobody waits for this desk."""
        return self.request(
            "POST", f"/sites/{site}/desks/{desk}/call-next", idempotency_key=key or new_key()
        )

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return dict(self.request("GET", f"/tickets/{ticket_id}"))

    def act(
        self,
        ticket_id: int,
        action: str,
        body: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """recall, no-show, start, park, resume, finish, cancel or transfer."""
        return dict(self.request("POST", f"/tickets/{ticket_id}/{action}", body, key or new_key()))

    def order_pickup(
        self, site: str, body: dict[str, Any], key: str | None = None
    ) -> dict[str, Any]:
        """ "Document ordered": a pickup; its answer carries the receipt's token, this once."""
        return dict(self.request("POST", f"/sites/{site}/pickups", body, key or new_key()))

    def check_in_pickup(
        self, site: str, token: str, language: str = "de", key: str | None = None
    ) -> dict[str, Any]:
        """The kiosk: a scanned receipt of a ready pickup gives a ticket of service P."""
        body = {"token": token, "language": language}
        return dict(self.request("POST", f"/sites/{site}/pickups/check-in", body, key or new_key()))

    def update_case(
        self, ticket_id: int, body: dict[str, Any], key: str | None = None
    ) -> dict[str, Any]:
        return dict(self.request("PUT", f"/tickets/{ticket_id}/case", body, key or new_key()))

    def lookup_pickup(self, token: str) -> dict[str, Any]:
        """The pickup of a scanned receipt, in whatever state (a handed-over one says when and
        by whom). The token travels in the body only, never in a path or query string."""
        return dict(self.request("POST", "/pickups/lookup", {"token": token}))

    def hand_over(self, pickup_id: int, token: str, key: str | None = None) -> dict[str, Any]:
        """Hand the document over, once, after the holder's ID was checked; the same ``key``
        makes a retry safe (the server answers it as the first time)."""
        body = {"token": token, "id_checked": True}
        return dict(self.request("POST", f"/pickups/{pickup_id}/hand-over", body, key or new_key()))

    def pickup(self, pickup_id: int) -> dict[str, Any]:
        """A pickup by id, as staff see it (never its token)."""
        return dict(self.request("GET", f"/pickups/{pickup_id}"))


def _jsonable(value: Any) -> Any:
    """``value`` with every date and datetime in it as ISO 8601 text, ready for JSON."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _json(answer: requests.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return {"code": "bad_answer", "message": answer.text[:200]}


def _message(answer: requests.Response) -> str:
    body = _json(answer)
    return str(body.get("message", "")) if isinstance(body, dict) else str(body)
