"""Ticket endpoints: HTTP only. Rules and permissions are in ``service``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from central_server.deps import (
    NOT_MODIFIED,
    BusDep,
    DbDep,
    IdempotencyDep,
    IdPath,
    IfNoneMatchDep,
    PrincipalDep,
    snapshot_response,
)
from central_server.tickets import offline, service
from central_server.tickets.schemas import (
    CallRequest,
    CancelRequest,
    CaseRead,
    CaseUpdate,
    FinishRequest,
    LeaseRequest,
    LeasesPublic,
    MoveRequest,
    QueuePublic,
    ResumeRequest,
    TicketCreate,
    TicketCreated,
    TicketPublic,
    TransferRequest,
    UndoNoShowRequest,
)
from central_server.writes import Answer

router = APIRouter(tags=["tickets"])

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the ticket's or desk's state does not allow this"}
}


def _respond(answer: Answer) -> Response:
    status, body = answer
    if status == 204:
        return Response(status_code=204)
    return JSONResponse(body, status_code=status)


@router.post(
    "/sites/{site}/tickets", status_code=201, response_model=TicketCreated, responses=CONFLICT
)
def create_ticket(
    site: str,
    body: TicketCreate,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> Response:
    """A new ticket. With ``offline``: a ticket the kiosk printed while it could not reach the
    server, with a number of its lease; it keeps its number and its time of issue.

    Staff issue tickets at a desk too (clerk: ``urgent`` for a citizen who cannot wait, or
    ``normal``; an ``appointment`` ticket only comes from the check-in, 403). The event
    ``ticket.created`` names who issued it."""
    return _respond(service.create_ticket(db, bus, site, principal, body, request))


@router.post("/sites/{site}/number-leases", status_code=201, response_model=LeasesPublic)
def lease_numbers(
    site: str,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    body: LeaseRequest | None = None,
) -> Response:
    """Numbers for the kiosk to issue tickets with while it cannot reach the server: one range
    of ``size`` numbers per active service, for the site's local day (kiosk, supervisor).
    Upload such a ticket later with ``offline`` in ``POST /sites/{site}/tickets``."""
    answer = offline.lease_numbers(db, bus, site, principal, body or LeaseRequest(), request)
    return _respond(answer)


@router.get("/sites/{site}/queue", response_model=QueuePublic, responses=NOT_MODIFIED)
def get_queue(
    site: str,
    db: DbDep,
    principal: PrincipalDep,
    desk: str | None = None,
    if_none_match: IfNoneMatchDep = None,
) -> Response:
    """The site's queue; with ``desk``, only what that desk may call, in its calling order.

    The answer carries an ``ETag`` (the site's event sequence); sent back as
    ``If-None-Match``, it is answered 304 without a body while nothing changed."""
    return snapshot_response(service.get_queue(db, site, principal, desk, if_none_match))


@router.post(
    "/sites/{site}/desks/{desk}/call-next",
    response_model=TicketPublic,
    responses={204: {"description": "nobody waits for this desk"}, **CONFLICT},
)
def call_next(
    site: str, desk: str, db: DbDep, bus: BusDep, principal: PrincipalDep, request: IdempotencyDep
) -> Response:
    return _respond(service.call_next(db, bus, site, desk, principal, request))


@router.get("/tickets/{ticket_id}", response_model=TicketPublic)
def get_ticket(ticket_id: IdPath, db: DbDep, principal: PrincipalDep) -> dict[str, Any]:
    return service.get_ticket(db, ticket_id, principal)


def _simple_action(name: str, handler: Any, summary: str) -> None:
    def endpoint(
        ticket_id: IdPath, db: DbDep, bus: BusDep, principal: PrincipalDep, request: IdempotencyDep
    ) -> Response:
        return _respond(handler(db, bus, ticket_id, principal, request))

    endpoint.__name__ = name.replace("-", "_")
    router.add_api_route(
        f"/tickets/{{ticket_id}}/{name}",
        endpoint,
        methods=["POST"],
        response_model=TicketPublic,
        responses=CONFLICT,
        summary=summary,
    )


@router.post(
    "/tickets/{ticket_id}/call",
    response_model=TicketPublic,
    responses={403: {"description": "the desk may not call this ticket"}, **CONFLICT},
)
def call_ticket(
    ticket_id: IdPath,
    body: CallRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> Response:
    """Call this waiting (or parked) ticket at ``desk`` out of order: a citizen who was outside
    at their call, a family served together, a colleague's hand-over. 409 when the desk has an
    open ticket or the ticket neither waits nor is parked; 403 when the desk does not serve the
    ticket (its service, or a transfer to another desk). ``ticket.called`` carries
    ``"out_of_order": true``; the display and the status page show it like any call."""
    return _respond(service.call_ticket(db, bus, ticket_id, principal, request, body))


@router.post("/tickets/{ticket_id}/undo-no-show", response_model=TicketPublic, responses=CONFLICT)
def undo_no_show(
    ticket_id: IdPath,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    body: UndoNoShowRequest | None = None,
) -> Response:
    """Take back a no-show within 10 minutes: the ticket waits again in its old place; with
    ``desk``, it is called there at once. 409 when the ticket is not a no-show or was marked
    more than 10 minutes ago. Logs ``ticket.no_show_undone``."""
    answer = service.undo_no_show(
        db, bus, ticket_id, principal, request, body or UndoNoShowRequest()
    )
    return _respond(answer)


_simple_action("recall", service.recall, "Call the ticket again (display and chime)")
_simple_action("no-show", service.no_show, "The called citizen did not come")
_simple_action("start", service.start, "The citizen arrived; serving starts")
_simple_action("park", service.park, "Set the case aside (e.g. citizen fetches a document)")


@router.post("/tickets/{ticket_id}/cancel", response_model=TicketPublic, responses=CONFLICT)
def cancel(
    ticket_id: IdPath,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    body: CancelRequest | None = None,
) -> Response:
    """Cancel the ticket. Without a body: the desk's action, for the ticket at the desk (clerk,
    supervisor). With a reason (``reason`` in words, 1 to 200 characters, and/or ``why``, a
    code) and no ``desk``: a supervisor's steering, for a waiting or parked ticket (409
    otherwise). With ``desk``: the clerk signed on at that desk cancels a waiting ticket of a
    service the desk calls (403 for another desk's ticket or a desk not theirs; 409 when it
    does not wait). The words are kept with the ticket's case, never in the event log, on the
    display or on the status page, which tells the citizen that the ticket is no longer valid;
    the event ``ticket.cancelled`` carries who, ``why`` and the desk."""
    return _respond(service.cancel(db, bus, ticket_id, principal, request, body))


@router.post("/tickets/{ticket_id}/move", response_model=TicketPublic, responses=CONFLICT)
def move(
    ticket_id: IdPath,
    body: MoveRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> Response:
    """Move a waiting ticket to another service of the site (supervisor): it keeps its number
    and its place in the queue. 409 when it does not wait. Logs ``ticket.moved``."""
    return _respond(service.move(db, bus, ticket_id, principal, request, body))


@router.post("/tickets/{ticket_id}/resume", response_model=TicketPublic, responses=CONFLICT)
def resume(
    ticket_id: IdPath,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    body: ResumeRequest | None = None,
) -> Response:
    return _respond(service.resume(db, bus, ticket_id, principal, request, body or ResumeRequest()))


@router.post("/tickets/{ticket_id}/finish", response_model=TicketPublic, responses=CONFLICT)
def finish(
    ticket_id: IdPath,
    body: FinishRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> Response:
    return _respond(service.finish(db, bus, ticket_id, principal, request, body))


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketPublic, responses=CONFLICT)
def transfer(
    ticket_id: IdPath,
    body: TransferRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> Response:
    """Move the ticket to another service's queue or to one desk; it keeps its place."""
    return _respond(service.transfer(db, bus, ticket_id, principal, request, body))


@router.put("/tickets/{ticket_id}/case", response_model=TicketPublic, responses=CONFLICT)
def update_case(
    ticket_id: IdPath,
    body: CaseUpdate,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> Response:
    """Record case progress: steps done, notes, case reference (Aktenzeichen). The clerk
    workstation sends the case about two seconds after the clerk stops typing, so the server
    always holds the current case. Fields left out stay as they are; the same case sent again
    changes nothing. The site's clerks and supervisors only. The event log notes that the case
    changed, never what it holds."""
    return _respond(service.update_case(db, bus, ticket_id, principal, request, body))


@router.get("/tickets/{ticket_id}/case", response_model=CaseRead)
def get_case(ticket_id: IdPath, db: DbDep, principal: PrincipalDep) -> CaseRead:
    """The ticket's case as recorded so far, e.g. while a colleague is serving the citizen.
    The site's clerks and supervisors only."""
    return service.get_case(db, ticket_id, principal)
