"""The HTTP client of the desktop programs: one method per server endpoint, named by what it does.

Blocking (requests); call it off the GUI thread (``counter_app.qt.tasks``). Every call has a
timeout, so nothing waits forever. Failures raise the classes of ``counter_app.core.errors``.

Every answer is parsed into its model of ``counter_app.core.answers`` before a caller sees it;
``OPERATIONS`` names, once, each endpoint the desktop uses with its path and the model of its
answer (the contract test checks that table against the server's OpenAPI document). An answer
that does not parse raises ``BadAnswer``. Paths are written here and nowhere else: a change that
must survive a server that is gone is built here as a ``Call`` (``finish_call`` ...) that the
outbox keeps and sends later with ``TresenClient.send``.

The queue and the desk list are read again after every event: the client keeps the last answer
of each with its ``ETag`` and sends that as ``If-None-Match``; while the site has not changed the
server answers 304 without a body, and the kept answer is returned again (parsed anew).
"""

from __future__ import annotations

import json as jsonlib
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import ValidationError

from counter_app.core.answers import (
    Answer,
    Board,
    Desk,
    DeskView,
    Device,
    Emergency,
    IssuedTicket,
    Leases,
    OrderedPickup,
    Pickup,
    PickupSearchResult,
    PrinterReported,
    Queue,
    Service,
    ServiceIssuing,
    SignIn,
    Site,
    Statistics,
    SteeredDesk,
    Ticket,
)
from counter_app.core.errors import BadAnswer, ServerFault, ServerUnreachable, rejected_for

#: (connect, read) seconds. A desk on loopback or LAN answers in milliseconds.
DEFAULT_TIMEOUT = (3.05, 15.0)

A = TypeVar("A", bound=Answer)

__all__ = ["OPERATIONS", "Call", "Operation", "SignIn", "TresenClient", "new_key"]


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Operation:
    """One endpoint the desktop calls: as the server's OpenAPI document names it, and the model
    its answer is read into (``None``: the desktop reads nothing of it)."""

    method: str
    #: Relative to ``/api/v1``, with ``{name}`` for each path parameter.
    path: str
    answer: type[Answer] | None
    #: The answer is a list of ``answer``.
    many: bool = False
    #: The status of the answer read (201 for a creation).
    status: int = 200

    def url_path(self, **params: object) -> str:
        # Codes as typed at sign-in: a "/" in them must not reach another endpoint.
        return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


#: Every endpoint the desktop programs call, by what it does. The one place paths are written.
OPERATIONS: dict[str, Operation] = {
    "login": Operation("POST", "/login", SignIn),
    "logout": Operation("POST", "/logout", None, status=204),
    "site": Operation("GET", "/sites/{site}", Site),
    "services": Operation("GET", "/sites/{site}/services", Service, many=True),
    "queue": Operation("GET", "/sites/{site}/queue", Queue),
    "desks": Operation("GET", "/sites/{site}/desks", Desk, many=True),
    "desk_view": Operation("GET", "/sites/{site}/desks/{desk}/view", DeskView),
    "devices": Operation("GET", "/sites/{site}/devices", Device, many=True),
    "sign_on": Operation("POST", "/sites/{site}/desks/{desk}/sign-on", Desk),
    "pause": Operation("POST", "/sites/{site}/desks/{desk}/pause", Desk),
    "sign_off": Operation("POST", "/sites/{site}/desks/{desk}/sign-off", Desk),
    "create_ticket": Operation("POST", "/sites/{site}/tickets", IssuedTicket, status=201),
    "lease_numbers": Operation("POST", "/sites/{site}/number-leases", Leases, status=201),
    "report_printer": Operation("POST", "/sites/{site}/devices/printer", PrinterReported),
    "call_next": Operation("POST", "/sites/{site}/desks/{desk}/call-next", Ticket),
    "ticket": Operation("GET", "/tickets/{ticket_id}", Ticket),
    "recall": Operation("POST", "/tickets/{ticket_id}/recall", Ticket),
    "no_show": Operation("POST", "/tickets/{ticket_id}/no-show", Ticket),
    "call_ticket": Operation("POST", "/tickets/{ticket_id}/call", Ticket),
    "undo_no_show": Operation("POST", "/tickets/{ticket_id}/undo-no-show", Ticket),
    "start": Operation("POST", "/tickets/{ticket_id}/start", Ticket),
    "cancel": Operation("POST", "/tickets/{ticket_id}/cancel", Ticket),
    "park": Operation("POST", "/tickets/{ticket_id}/park", Ticket),
    "resume": Operation("POST", "/tickets/{ticket_id}/resume", Ticket),
    "finish": Operation("POST", "/tickets/{ticket_id}/finish", Ticket),
    "transfer": Operation("POST", "/tickets/{ticket_id}/transfer", Ticket),
    "update_case": Operation("PUT", "/tickets/{ticket_id}/case", Ticket),
    "order_pickup": Operation("POST", "/sites/{site}/pickups", OrderedPickup, status=201),
    "ordered_pickups": Operation("GET", "/sites/{site}/pickups", Pickup, many=True),
    "mark_ready": Operation("POST", "/pickups/{pickup_id}/ready", Pickup),
    "check_in_pickup": Operation(
        "POST", "/sites/{site}/pickups/check-in", IssuedTicket, status=201
    ),
    "lookup_pickup": Operation("POST", "/pickups/lookup", Pickup),
    "check_in_appointment": Operation(
        "POST", "/sites/{site}/appointments/check-in", IssuedTicket, status=201
    ),
    "hand_over": Operation("POST", "/pickups/{pickup_id}/hand-over", Pickup),
    "pickup": Operation("GET", "/pickups/{pickup_id}", Pickup),
    "search_pickups": Operation("POST", "/sites/{site}/pickups/search", PickupSearchResult),
    "hand_over_without_receipt": Operation(
        "POST", "/pickups/{pickup_id}/hand-over-without-receipt", Pickup
    ),
    "reissue_receipt": Operation("POST", "/pickups/{pickup_id}/reissue", OrderedPickup),
    # The emergency call (README "The emergency call").
    "emergencies": Operation("GET", "/sites/{site}/emergencies", Emergency, many=True),
    "emergency": Operation("POST", "/sites/{site}/desks/{desk}/emergency", Emergency),
    "emergency_respond": Operation(
        "POST", "/sites/{site}/desks/{desk}/emergency/respond", Emergency
    ),
    "emergency_end": Operation("POST", "/sites/{site}/desks/{desk}/emergency/end", Emergency),
    # The supervisor: the board, steering, statistics.
    "board": Operation("GET", "/sites/{site}/board", Board),
    "set_desk_services": Operation("PUT", "/sites/{site}/desks/{desk}/services", SteeredDesk),
    "stop_service": Operation("POST", "/sites/{site}/services/{service_id}/stop", ServiceIssuing),
    "resume_service": Operation(
        "POST", "/sites/{site}/services/{service_id}/resume", ServiceIssuing
    ),
    "move_ticket": Operation("POST", "/tickets/{ticket_id}/move", Ticket),
    "cancel_ticket": Operation("POST", "/tickets/{ticket_id}/cancel", Ticket),
    "statistics": Operation("GET", "/sites/{site}/statistics", Statistics),
    "organisation_statistics": Operation("GET", "/statistics", Statistics),
    # text/event-stream, read by ``counter_app.core.live``; payloads: ``answers.DeskEvent`` ...
    "events": Operation("GET", "/sites/{site}/events", None),
}


def events_url(base_url: str, site: str) -> str:
    """Where ``site``'s live events are read (server-sent events)."""
    return f"{base_url.rstrip('/')}/api/v1{OPERATIONS['events'].url_path(site=site)}"


#: What a clerk does to the ticket at the desk that needs the server's answer at once.
ACTIONS = frozenset({"recall", "no_show", "start", "cancel"})


@dataclass(frozen=True)
class Call:
    """A change to send, possibly later (the outbox keeps it): built here, never elsewhere.

    The outbox stores ``method``, ``path`` and ``body`` as they are; an outbox written by an
    earlier version of the program holds the same three, so it is sent as it was.
    """

    method: str
    path: str
    body: Any = None

    def ticket_id(self) -> int | None:
        """The ticket this call changes, if it changes one's state (a case saved as the clerk
        types changes none)."""
        parts = self.path.split("/")
        if len(parts) > 2 and parts[1] == "tickets" and parts[2].isdigit():
            if parts[3:] == ["case"] and self.method == "PUT":
                return None
            return int(parts[2])
        return None


def _call(name: str, body: Any = None, **params: object) -> Call:
    operation = OPERATIONS[name]
    return Call(operation.method, operation.url_path(**params), body)


def start_call(ticket_id: int) -> Call:
    return _call("start", ticket_id=ticket_id)


def park_call(ticket_id: int) -> Call:
    return _call("park", ticket_id=ticket_id)


def update_case_call(ticket_id: int, case: Mapping[str, Any]) -> Call:
    """The whole case as the clerk has it now (steps done, notes, case reference)."""
    return _call("update_case", dict(case), ticket_id=ticket_id)


def finish_call(ticket_id: int, outcome: str, case: Mapping[str, Any]) -> Call:
    return _call("finish", {"outcome": str(outcome), **case}, ticket_id=ticket_id)


def transfer_call(
    ticket_id: int,
    reason: str,
    case: Mapping[str, Any],
    service_id: int | None = None,
    desk: str | None = None,
) -> Call:
    """To ``service_id``'s queue or else to ``desk``; the whole case travels with the ticket."""
    body: dict[str, Any] = {"reason": reason, **case}
    if service_id is not None:
        body["service_id"] = service_id
    else:
        body["desk"] = desk
    return _call("transfer", body, ticket_id=ticket_id)


def offline_ticket_call(
    site: str,
    service_id: int,
    language: str,
    lease_id: int,
    number: int,
    issued_at: datetime,
    status_token: str,
) -> Call:
    """A ticket the kiosk issued offline, to upload once the server is back."""
    body = {
        "service_id": service_id,
        "language": language,
        "offline": {
            "lease_id": lease_id,
            "number": number,
            "issued_at": issued_at.isoformat(),
            "status_token": status_token,
        },
    }
    return _call("create_ticket", body, site=site)


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

    def _request(
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

    def _read(self, path: str, params: dict[str, Any] | None = None) -> Any:
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

    def send(self, call: Call, idempotency_key: str) -> Any:
        """Send a change built by one of the ``*_call`` functions (the outbox does); the
        decoded answer, which no desk reads."""
        return self._request(call.method, call.path, call.body, idempotency_key)

    def _ask(
        self,
        name: str,
        body: Any = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
        **path: object,
    ) -> Any:
        operation = OPERATIONS[name]
        if operation.method == "GET" and name in _CONDITIONAL:
            return self._read(operation.url_path(**path), params)
        return self._request(operation.method, operation.url_path(**path), body, key, params)

    # Endpoints -------------------------------------------------------------------------

    def login(self, username: str, password: str) -> SignIn:
        body = self._ask("login", {"username": username, "password": password})
        sign_in = _parse(SignIn, body, "login")
        self.token = sign_in.token
        self._forget_kept()
        return sign_in

    def logout(self) -> None:
        """End this sign-in at the server: its token works no more."""
        self._ask("logout")
        self.token = None
        self._forget_kept()

    def site(self, site: str) -> Site:
        return _parse(Site, self._ask("site", site=site), "site")

    def services(self, site: str) -> list[Service]:
        answer = self._ask("services", params={"lang": self.language}, site=site)
        return _parse_list(Service, answer, "services")

    def queue(self, site: str, desk: str | None = None) -> Queue:
        params = {"desk": desk} if desk else None
        return _parse(Queue, self._ask("queue", params=params, site=site), "queue")

    def desks(self, site: str) -> list[Desk]:
        return _parse_list(Desk, self._ask("desks", site=site), "desks")

    def desk_view(self, site: str, desk: str) -> DeskView:
        """The desk's queue and the site's desks of one change, in one request (what the desk
        reads after every event)."""
        answer = self._ask("desk_view", site=site, desk=desk)
        return _parse(DeskView, answer, "desk_view")

    def sign_on(self, site: str, desk: str, force: bool = False) -> Desk:
        answer = self._ask("sign_on", {"force": force}, site=site, desk=desk)
        return _parse(Desk, answer, "sign_on")

    def pause(self, site: str, desk: str) -> Desk:
        return _parse(Desk, self._ask("pause", site=site, desk=desk), "pause")

    def sign_off(self, site: str, desk: str) -> Desk:
        return _parse(Desk, self._ask("sign_off", site=site, desk=desk), "sign_off")

    def create_ticket(
        self,
        site: str,
        service_id: int,
        key: str | None = None,
        *,
        language: str | None = None,
        priority: str | None = None,
    ) -> IssuedTicket:
        """A new ticket of ``service_id`` for a citizen who reads ``language``."""
        fields: dict[str, Any] = {"service_id": service_id}
        if language is not None:
            fields["language"] = language
        if priority is not None:
            fields["priority"] = priority
        answer = self._ask("create_ticket", fields, key or new_key(), site=site)
        return _parse(IssuedTicket, answer, "create_ticket")

    def lease_numbers(self, site: str, size: int = 20, key: str | None = None) -> Leases:
        """Numbers to issue tickets with offline, one lease per active service."""
        answer = self._ask("lease_numbers", {"size": size}, key or new_key(), site=site)
        return _parse(Leases, answer, "lease_numbers")

    def report_printer(
        self,
        site: str,
        state: str,
        detail: str = "",
        ticket: str | None = None,
        key: str | None = None,
    ) -> PrinterReported:
        """The kiosk's printer state (ready, paper_low, paper_out, cover_open, offline, error,
        unknown)."""
        body: dict[str, Any] = {"state": state, "detail": detail}
        if ticket is not None:
            body["ticket"] = ticket
        answer = self._ask("report_printer", body, key or new_key(), site=site)
        return _parse(PrinterReported, answer, "report_printer")

    def devices(self, site: str) -> list[Device]:
        """The site's devices with their printer states."""
        return _parse_list(Device, self._ask("devices", site=site), "devices")

    def call_next(self, site: str, desk: str, key: str | None = None) -> Ticket | None:
        """The called ticket, or None when nobody waits for this desk."""
        answer = self._ask("call_next", None, key or new_key(), site=site, desk=desk)
        return None if answer is None else _parse(Ticket, answer, "call_next")

    def call_ticket(self, ticket_id: int, desk: str, key: str | None = None) -> Ticket:
        """Call this waiting (or parked) ticket at ``desk``, out of order."""
        answer = self._ask("call_ticket", {"desk": desk}, key or new_key(), ticket_id=ticket_id)
        return _parse(Ticket, answer, "call_ticket")

    def undo_no_show(self, ticket_id: int, desk: str | None, key: str | None = None) -> Ticket:
        """Take a no-show back: it waits in its old place, or with ``desk`` is called there."""
        body = {"desk": desk} if desk is not None else None
        answer = self._ask("undo_no_show", body, key or new_key(), ticket_id=ticket_id)
        return _parse(Ticket, answer, "undo_no_show")

    def ticket(self, ticket_id: int) -> Ticket:
        return _parse(Ticket, self._ask("ticket", ticket_id=ticket_id), "ticket")

    def act(self, ticket_id: int, action: str, key: str | None = None) -> Ticket:
        """Recall, no-show, start or cancel the ticket at the desk (one of ``ACTIONS``)."""
        if action not in ACTIONS:
            raise ValueError(f"not an action at the desk: {action!r}")
        answer = self._ask(action, None, key or new_key(), ticket_id=ticket_id)
        return _parse(Ticket, answer, action)

    def resume(self, ticket_id: int, desk: str, key: str | None = None) -> Ticket:
        """Take a parked ticket up again at ``desk``."""
        answer = self._ask("resume", {"desk": desk}, key or new_key(), ticket_id=ticket_id)
        return _parse(Ticket, answer, "resume")

    def emergencies(self, site: str) -> list[Emergency]:
        """The site's open emergency calls."""
        return _parse_list(Emergency, self._ask("emergencies", site=site), "emergencies")

    def call_for_help(self, site: str, desk: str, key: str | None = None) -> Emergency:
        """Open an emergency call at ``desk`` (the person signed on there)."""
        answer = self._ask("emergency", None, key or new_key(), site=site, desk=desk)
        return _parse(Emergency, answer, "emergency")

    def respond_to_emergency(
        self, site: str, desk: str, from_desk: str | None, key: str | None = None
    ) -> Emergency:
        """Say "I am coming" to the call at ``desk``, from ``from_desk`` (None: a supervisor)."""
        body = {"desk": from_desk}
        answer = self._ask("emergency_respond", body, key or new_key(), site=site, desk=desk)
        return _parse(Emergency, answer, "emergency_respond")

    def end_emergency(self, site: str, desk: str, key: str | None = None) -> Emergency:
        """End the call at ``desk`` (its caller or a supervisor)."""
        answer = self._ask("emergency_end", None, key or new_key(), site=site, desk=desk)
        return _parse(Emergency, answer, "emergency_end")

    def order_pickup(
        self,
        site: str,
        order: Mapping[str, Any],
        key: str | None = None,
    ) -> OrderedPickup:
        """ "Document ordered": a pickup; its answer carries the receipt's token, this once."""
        answer = self._ask("order_pickup", _jsonable(dict(order)), key or new_key(), site=site)
        return _parse(OrderedPickup, answer, "order_pickup")

    def ordered_pickups(self, site: str) -> list[Pickup]:
        """The site's documents ordered and not yet arrived."""
        answer = self._ask("ordered_pickups", params={"status": "ordered"}, site=site)
        return _parse_list(Pickup, answer, "ordered_pickups")

    def mark_ready(self, pickup_id: int, slot: str, key: str | None = None) -> Pickup:
        """The document arrived and lies in shelf ``slot``."""
        answer = self._ask("mark_ready", {"slot": slot}, key or new_key(), pickup_id=pickup_id)
        return _parse(Pickup, answer, "mark_ready")

    def check_in_pickup(
        self, site: str, token: str, language: str = "de", key: str | None = None
    ) -> IssuedTicket:
        """The kiosk: a scanned receipt of a ready pickup gives a ticket of service P."""
        body = {"token": token, "language": language}
        answer = self._ask("check_in_pickup", body, key or new_key(), site=site)
        return _parse(IssuedTicket, answer, "check_in_pickup")

    def check_in_appointment(
        self, site: str, code: str, language: str = "de", key: str | None = None
    ) -> IssuedTicket:
        """The kiosk: a booked appointment's code checked in gives its ticket (priority
        ``appointment``, or a walk-in ticket marked late where the site gives one then)."""
        body = {"code": code, "language": language}
        answer = self._ask("check_in_appointment", body, key or new_key(), site=site)
        return _parse(IssuedTicket, answer, "check_in_appointment")

    def lookup_pickup(self, token: str) -> Pickup:
        """The pickup of a scanned receipt, in whatever state (a handed-over one says when and
        by whom). The token travels in the body only, never in a path or query string."""
        return _parse(Pickup, self._ask("lookup_pickup", {"token": token}), "lookup_pickup")

    def hand_over(self, pickup_id: int, token: str, key: str | None = None) -> Pickup:
        """Hand the document over, once, after the holder's ID was checked; the same ``key``
        makes a retry safe (the server answers it as the first time)."""
        body = {"token": token, "id_checked": True}
        answer = self._ask("hand_over", body, key or new_key(), pickup_id=pickup_id)
        return _parse(Pickup, answer, "hand_over")

    def pickup(self, pickup_id: int) -> Pickup:
        """A pickup by id, as staff see it (never its token)."""
        return _parse(Pickup, self._ask("pickup", pickup_id=pickup_id), "pickup")

    def pickup_of_ticket(self, site: str, ticket_id: int) -> Pickup | None:
        """The pickup whose holder drew ``ticket_id`` at the kiosk; None for another ticket."""
        params = {"checkin_ticket": ticket_id}
        answer = self._ask("ordered_pickups", params=params, site=site)
        found = _parse_list(Pickup, answer, "ordered_pickups")
        return found[0] if found else None

    def search_pickups(self, site: str, query: str) -> PickupSearchResult:
        """A citizen without the receipt: pickups by case reference or name (at most 20). The
        text travels in the body; the server logs who searched, never what."""
        answer = self._ask("search_pickups", {"query": query}, site=site)
        return _parse(PickupSearchResult, answer, "search_pickups")

    def hand_over_without_receipt(
        self, pickup_id: int, reason: str, key: str | None = None
    ) -> Pickup:
        """Hand over to a holder without the receipt, after the ID check, saying why."""
        body = {"id_checked": True, "reason": reason}
        answer = self._ask("hand_over_without_receipt", body, key or new_key(), pickup_id=pickup_id)
        return _parse(Pickup, answer, "hand_over_without_receipt")

    def reissue_receipt(self, pickup_id: int, reason: str) -> OrderedPickup:
        """A new receipt (its token in this answer only); the old one is void."""
        body = {"id_checked": True, "reason": reason}
        answer = self._ask("reissue_receipt", body, pickup_id=pickup_id)
        return _parse(OrderedPickup, answer, "reissue_receipt")

    # The supervisor ----------------------------------------------------------------------

    def board(self, site: str) -> Board:
        """The site's live board (desks, services against their targets, alerts); read again
        after every event and once a minute, answered from the kept answer while unchanged."""
        return _parse(Board, self._ask("board", site=site), "board")

    def set_desk_services(
        self, site: str, desk: str, service_ids: list[int], key: str | None = None
    ) -> SteeredDesk:
        """The services ``desk`` calls, in this order."""
        body = {"services": list(service_ids)}
        answer = self._ask("set_desk_services", body, key or new_key(), site=site, desk=desk)
        return _parse(SteeredDesk, answer, "set_desk_services")

    def stop_service(
        self, site: str, service_id: int, reason: str | None = None, key: str | None = None
    ) -> ServiceIssuing:
        """Issue no more tickets of the service today (``reason``: a StopReason value)."""
        body = {"reason": reason} if reason else {}
        answer = self._ask("stop_service", body, key or new_key(), site=site, service_id=service_id)
        return _parse(ServiceIssuing, answer, "stop_service")

    def resume_service(self, site: str, service_id: int, key: str | None = None) -> ServiceIssuing:
        answer = self._ask(
            "resume_service", None, key or new_key(), site=site, service_id=service_id
        )
        return _parse(ServiceIssuing, answer, "resume_service")

    def move_ticket(
        self, ticket_id: int, service_id: int, reason: str = "", key: str | None = None
    ) -> Ticket:
        """Put a waiting ticket into ``service_id``'s queue; it keeps its number and place."""
        body = {"service_id": service_id, "reason": reason}
        answer = self._ask("move_ticket", body, key or new_key(), ticket_id=ticket_id)
        return _parse(Ticket, answer, "move_ticket")

    def cancel_ticket(
        self,
        ticket_id: int,
        reason: str = "",
        key: str | None = None,
        *,
        desk: str | None = None,
        why: str | None = None,
    ) -> Ticket:
        """Cancel a waiting ticket saying why: in words (1..200 characters) and/or as a code
        (``why``, ``resources.vocabulary.CancelWhy``). A supervisor steering (a parked ticket
        too), or with ``desk`` the clerk signed on there, for a ticket the desk calls."""
        body: dict[str, Any] = {"reason": reason} if reason else {}
        if why is not None:
            body["why"] = why
        if desk is not None:
            body["desk"] = desk
        answer = self._ask("cancel_ticket", body, key or new_key(), ticket_id=ticket_id)
        return _parse(Ticket, answer, "cancel_ticket")

    def statistics(
        self,
        site: str,
        first: date,
        last: date,
        group: str | None = None,
        service_id: int | None = None,
        desk: int | None = None,
        by: str | None = None,
    ) -> Statistics:
        """The figures of ``first``..``last`` (both included), split by ``group`` and ``by``
        (service, desk, clerk); only of ``service_id`` or ``desk`` (the desk's id) if given."""
        params: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat()}
        if group:
            params["group"] = group
        if by:
            params["by"] = by
        if service_id is not None:
            params["service"] = service_id
        if desk is not None:
            params["desk"] = desk
        answer = self._ask("statistics", params=params, site=site)
        return _parse(Statistics, answer, "statistics")

    def organisation_statistics(
        self,
        organisation: str,
        first: date,
        last: date,
        group: str | None = None,
        by: str | None = None,
    ) -> Statistics:
        """The figures of all sites of ``organisation`` together (those the user may read);
        the answer's ``sites`` name them."""
        params: dict[str, Any] = {
            "organisation": organisation,
            "from": first.isoformat(),
            "to": last.isoformat(),
        }
        if group:
            params["group"] = group
        if by:
            params["by"] = by
        answer = self._ask("organisation_statistics", params=params)
        return _parse(Statistics, answer, "organisation_statistics")


#: Reads answered from the kept answer while the site has not changed (``ETag``).
_CONDITIONAL = frozenset({"queue", "desks", "desk_view", "board"})


def _parse(model: type[A], body: Any, operation: str) -> A:
    """``body`` as ``model``, or ``BadAnswer`` naming what did not fit."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise BadAnswer(operation, _problems(exc)) from None


def _parse_list(model: type[A], body: Any, operation: str) -> list[A]:
    if not isinstance(body, list):
        raise BadAnswer(operation, f"a list expected, not {type(body).__name__}")
    return [_parse(model, item, operation) for item in body]


def _problems(exc: ValidationError) -> str:
    """What did not fit, by field (``waiting.0.number: Field required``); never the values, which
    may name a citizen."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or '(answer)'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)[:5]
    )


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
    return rejected_for(answer.status_code, _json(answer)).message
