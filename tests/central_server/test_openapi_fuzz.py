"""Fuzz every operation of the server's OpenAPI document over HTTP: every answer is one the
document lists, in the content type and shape it lists, and no input causes a 5xx.

Schemathesis (v4) sends generated requests, valid and invalid, to every operation of a live
server; each request is sent as the clerk, the supervisor or the kiosk (drawn with the request).
Each answer is checked (:data:`CHECKS`): no server error; its status is listed for the
operation; its content type is the one listed for that status, and an answer listed without
content (204, 304) has no body; its headers and its body conform to the listed schemas (an
error to the one ``Error`` schema). (Not schemathesis's ``negative_data_rejection``, which
checks the request rather than the answer: the hooks below swap generated ids and tokens for
real ones, so a request it generated as invalid is often valid as sent; ``test_errors``,
``test_control_characters`` and ``test_openapi_document`` check refusals.) The run is
deterministic (fixed seed, derandomised) and bounded (``MAX_EXAMPLES`` per operation).

The document is the application's own (``create_app().openapi()``, built when the module is
imported, as ``schema.parametrize()`` needs it at collection time);
``test_the_fuzzed_document_is_the_one_the_server_serves`` checks that it is exactly what the
live server serves at ``/openapi.json``. (``schemathesis.pytest.from_fixture``, which would load
it from the live server, fails on pytest 9.2: it sets ``Node._nodeid``, which pytest 9.2 no
longer has.)

One server per backend serves all operations (a fresh database per operation would cost more
than the fuzzing). Before each operation, the desks are cleared and tickets are created in every
status; to reach past "no such site" and "no such ticket", the generated site, desk, ticket id
and service id are often swapped for ones that exist.
Generated strings often hold control characters, which the request guard refuses (422) before
any rule is reached: so they are taken out of what is generated and put back on purpose, one
time in four, into one string of the path, the query or the body (NUL above all, which
PostgreSQL cannot store).
Both backends are fuzzed, each with its own server.

The readers of the queue and the desk list answer 304 without a body to an ``If-None-Match``
naming their current ``ETag``; generated header values never do, so the ``ETag`` the server
gave last is often sent back. As generated requests still seldom reach 304, or call-next's 204
(nobody waits), both are also checked against the document by plain tests below.

Every operation is checked with every answer check, with one exception: the event stream
(``GET /sites/{site}/events``) never ends, so it is left out of the schema run and tested with
short-lived connections below, each answer checked against the document just the same. Logging
out (``POST /logout``) is checked like any operation: it is sent with a spare token, as it ends
the token it is sent with.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, update

from central_server.admin import site_file
from central_server.app import create_app
from central_server.auth import tokens
from central_server.auth.repository import user_by_name
from central_server.config import ServerSettings
from central_server.models import AuthToken, Service, Ticket
from central_server.models._types import utcnow
from central_server.queue_rules import FINAL, Status
from resources import path as resource_path
from resources.text import typed_text
from tests.conftest import _pg_execute, _pg_url
from tests.support.api import assert_error
from tests.support.live_server import LiveServer

MAX_EXAMPLES = 30
SEED = 20250303
EVENTS_PATH = "/api/v1/sites/{site}/events"
LOGOUT_PATH = "/api/v1/logout"
DESK_CODES = ("1", "2", "3", "4", "5", "6")
SERVICE_IDS = (1, 2, 3, 4)

PRINCIPALS = {
    # name: user name, or None for the kiosk's device token
    "clerk": "clerk1",
    "supervisor": "supervisor",
    "kiosk": None,
}

#: The tickets created for the operation being fuzzed, and one id that does not exist.
REAL_TICKET_IDS: list[int] = []
#: Number leases of the kiosk: (id, first, last).
REAL_LEASES: list[tuple[int, int, int]] = []
#: The ``ETag``s the readers gave last (the site changes with every write, so they are fetched
#: anew before each operation): sent back as ``If-None-Match`` to get a 304.
REAL_ETAGS: list[str] = []
#: The readers that answer 304, with the query that changes their ``ETag``.
READERS = (
    ("/sites/demo/queue", {}),
    ("/sites/demo/queue", {"desk": "1"}),
    ("/sites/demo/desks", {}),
    ("/sites/demo/board", {}),
)


def _openapi_document() -> dict[str, Any]:
    return create_app(ServerSettings(db="sqlite://")).openapi()


DOCUMENT = _openapi_document()


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "request-timeout": 10,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).exclude(path=EVENTS_PATH)


def _operation(context: Any) -> dict[str, Any]:
    """The document's entry of the operation a hook generates for."""
    operation = context.operation
    return dict(DOCUMENT["paths"][operation.path][operation.method.lower()])


def _listed_answer(method: str, path: str, status: int) -> dict[str, Any] | None:
    """What the document lists for ``status`` of the operation, or None."""
    return DOCUMENT["paths"][path][method.lower()]["responses"].get(str(status))


def no_body_where_the_document_lists_none(ctx: Any, response: Any, case: Any) -> None:
    """An answer the document lists without content (204, 304) carries no body: the content
    type check has nothing to compare with there."""
    listed = _listed_answer(case.method, case.operation.path, response.status_code)
    if listed is not None and not listed.get("content"):
        assert not response.content, (
            f"{response.status_code} is listed without content, yet the answer has a body: "
            f"{response.content[:200]!r}"
        )


#: What every answer is checked for.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    no_body_where_the_document_lists_none,
    response_headers_conformance,
    response_schema_conformance,
]


def _sometimes_real(original: Any, real: dict[str, Any]) -> Any:
    """The generated value, or the same with some of its fields replaced by real ones."""
    wanted = {
        name: strategy
        for name, strategy in real.items()
        if isinstance(original, dict) and name in original
    }
    if not wanted:
        return st.just(original)
    # Real ones two times in three: most of the server's rules lie past "no such site".
    real_ones = st.fixed_dictionaries(wanted).map(lambda chosen: {**original, **chosen})
    return st.integers(0, 2).flatmap(lambda n: st.just(original) if n == 0 else real_ones)


#: Characters that are not text. Generated strings seldom hold them, yet a NUL answered 500 on
#: PostgreSQL (which cannot store it) for every string input; so they are put in on purpose.
CONTROLS = ("\x00", "\x1b", "\x7f", "\x85", "\x08")


def _as_text(value: Any) -> Any:
    """``value`` with the characters that make a string no text taken out of its strings (and
    of its keys), at any depth."""
    if isinstance(value, str):
        return typed_text(value)
    if isinstance(value, dict):
        return {_as_text(key): _as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value


def _sometimes_controls(values: Any) -> Any:
    """``values`` as generated, or with a control character put into one of its strings."""
    texts = (
        [name for name, value in values.items() if isinstance(value, str)]
        if isinstance(values, dict)
        else []
    )
    if not texts:
        return st.just(values)
    spoiled = st.tuples(st.sampled_from(texts), st.sampled_from(CONTROLS), st.integers(0, 64)).map(
        lambda choice: {
            **values,
            choice[0]: values[choice[0]][: choice[2]] + choice[1] + values[choice[0]][choice[2] :],
        }
    )
    # One time in four: each of the path, the query and the body may get one, and a request
    # refused for it reaches no other rule.
    return st.integers(0, 3).flatmap(lambda n: spoiled if n == 0 else st.just(values))


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    return _sometimes_real(
        _as_text(path_parameters),
        {
            "site": st.just("demo"),
            "desk": st.sampled_from(DESK_CODES),
            "ticket_id": st.sampled_from(REAL_TICKET_IDS),
            "service_id": st.sampled_from(SERVICE_IDS),
        },
    ).flatmap(_sometimes_controls)


@schema.hook
def flatmap_headers(context: Any, headers: Any) -> Any:
    """A reader's headers as generated, or with an ``If-None-Match`` the server may answer
    304 to."""
    if not any(p.get("name") == "if-none-match" for p in _operation(context).get("parameters", [])):
        return st.just(headers)
    tags = st.sampled_from([*REAL_ETAGS, "*"])
    return st.one_of(
        st.just(headers), tags.map(lambda tag: {**(headers or {}), "if-none-match": tag})
    )


@schema.hook
def flatmap_query(context: Any, query: Any) -> Any:
    return _sometimes_real(_as_text(query), {"desk": st.sampled_from(DESK_CODES)}).flatmap(
        _sometimes_controls
    )


def _sometimes_real_lease(body: Any) -> Any:
    """An upload of an offline ticket as generated, or with a real lease and a number at or
    near its range, so the checks past ``lease_not_found`` are reached."""
    offline = body.get("offline") if isinstance(body, dict) else None
    if not isinstance(offline, dict) or not REAL_LEASES:
        return st.just(body)
    real = st.sampled_from(REAL_LEASES).flatmap(
        lambda lease: st.integers(lease[1] - 1, lease[2] + 1).map(
            lambda number: {**body, "offline": {**offline, "lease_id": lease[0], "number": number}}
        )
    )
    return st.one_of(st.just(body), real)


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    return (
        _sometimes_real(
            _as_text(body),
            {
                "service_id": st.sampled_from(SERVICE_IDS),
                "desk": st.sampled_from(DESK_CODES),
            },
        )
        .flatmap(_sometimes_real_lease)
        .flatmap(_sometimes_controls)
    )


def settle(server: LiveServer, status_code: int) -> None:
    """After a 5xx (or a stream that broke), wait until the server has logged the crash; see
    ``tests.support.api.settled``: pytest formatting a failure while the server thread
    formats a traceback can end the run with "AST constructor recursion depth mismatch"."""
    if status_code >= 500:
        requests.get(f"{server.url}/healthz", timeout=10)


# The server -----------------------------------------------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzz_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """One live server with the demo site for all operations of a backend."""
    name = ""
    if request.param == "sqlite":
        target = Path(tmp_path_factory.mktemp("fuzz")) / "tresen.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        url = f"sqlite:///{target}"
    else:
        template = request.getfixturevalue("postgres_template")
        name = f"tresen_fuzz_{uuid.uuid4().hex[:12]}"
        _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = _pg_url(name)
    live = LiveServer(url)
    live.start()
    REAL_TICKET_IDS.clear()
    REAL_LEASES.clear()
    yield live
    live.stop()
    if name:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mint_token(server: LiveServer, username: str) -> str:
    """A sign-in token written straight into the database: no HTTP, so the login throttle
    (which the fuzzer trips on purpose) never gets in the way."""
    assert server.db is not None
    token = tokens.new_token()
    with server.db.write_session() as session:
        user = user_by_name(session, username)
        assert user is not None
        session.add(
            AuthToken(
                token_hash=tokens.digest(token),
                user_id=user.id,
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
    return token


def undo_steering(server: LiveServer) -> None:
    """What the fuzzed steering did is undone: every service issues again, every desk calls
    the services of the site file."""
    assert server.db is not None
    with server.db.write_session() as session:
        for service in session.scalars(select(Service)):
            service.issuing_stopped_on = None  # the site's configuration version moves with it
            service.issuing_stop_reason = None
    site_file.apply(server.db, site_file.read(resource_path("demo_site.toml")))


def prepare_tickets(server: LiveServer) -> list[int]:
    """Free every desk, undo the steering, then create tickets in every status."""
    assert server.db is not None
    undo_steering(server)
    with server.db.write_session() as session:
        # What earlier operations left open is cancelled (as a supervisor would at closing
        # time), so every desk is free and the queue stays short.
        session.execute(
            update(Ticket)
            .where(Ticket.status.not_in([str(s) for s in FINAL]))
            .values(status=str(Status.CANCELLED), finished_at=utcnow())
        )
    boss = server.client(mint_token(server, "supervisor"))
    services = {s["prefix"]: s["id"] for s in boss.get("/sites/demo/services").json()}
    # Appointments, so these are called before whatever the fuzzer left waiting.
    ids = []
    for prefix in ("A", "B", "C", "A", "P", "B", "C", "A"):
        answer = boss.post(
            "/sites/demo/tickets", json={"service_id": services[prefix], "priority": "appointment"}
        )
        assert answer.status_code == 201, answer.text
        ids.append(int(answer.json()["id"]))

    def call(desk: str) -> int:
        answer = boss.post(f"/sites/demo/desks/{desk}/call-next")
        assert answer.status_code == 200, answer.text
        return int(answer.json()["id"])

    def act(ticket: int, action: str, body: Any = None) -> None:
        answer = boss.post(f"/tickets/{ticket}/{action}", json=body)
        assert answer.status_code == 200, answer.text

    done = call("1")
    act(done, "start")
    act(done, "finish", {"outcome": "completed", "steps_done": ["id_checked"]})
    parked = call("1")
    act(parked, "start")
    act(parked, "park")
    serving = call("2")
    act(serving, "start")
    transferred = call("3")
    act(transferred, "transfer", {"desk": "5", "reason": "back office"})
    call("4")  # left called; the others wait
    return ids


@pytest.fixture
def fuzz_tokens(fuzz_server: LiveServer, request: pytest.FixtureRequest) -> dict[str, str]:
    """The bearer token of each principal. Before the first operation and before each one
    that acts on a ticket: tickets in every status to act on."""
    if not REAL_TICKET_IDS or "{ticket_id}" in request.node.name:
        ids = prepare_tickets(fuzz_server)
        REAL_TICKET_IDS[:] = [*ids, max(ids) + 1000]
    if not REAL_LEASES:
        answer = fuzz_server.client("demo-kiosk").post("/sites/demo/number-leases")
        assert answer.status_code == 201, answer.text
        REAL_LEASES[:] = [(e["id"], e["first"], e["last"]) for e in answer.json()["leases"]]
    tokens = {
        name: "demo-kiosk" if username is None else mint_token(fuzz_server, username)
        for name, username in PRINCIPALS.items()
    }
    # The tags differ by role (what a role sees), so each principal's are fetched (the kiosk
    # reads no queue).
    answers = [
        fuzz_server.client(token).get(path, params=query)
        for token in tokens.values()
        for path, query in READERS
    ]
    REAL_ETAGS[:] = [answer.headers["ETag"] for answer in answers if answer.status_code == 200]
    return tokens


# The fuzzing ----------------------------------------------------------------------------------


@schema.parametrize()
@schema.given(principal=st.sampled_from(list(PRINCIPALS)))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_answer_is_one_the_document_lists(
    case: Any, principal: str, fuzz_server: LiveServer, fuzz_tokens: dict[str, str]
) -> None:
    token = fuzz_tokens[principal]
    username = PRINCIPALS[principal]
    if case.path == LOGOUT_PATH and username is not None:
        # Logging out would end the token every later request relies on: use a spare one.
        token = mint_token(fuzz_server, username)
    response = case.call(base_url=fuzz_server.url, headers={"Authorization": f"Bearer {token}"})
    settle(fuzz_server, response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_the_fuzzed_document_is_the_one_the_server_serves(fuzz_server: LiveServer) -> None:
    served = requests.get(f"{fuzz_server.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == DOCUMENT


# The event stream -----------------------------------------------------------------------------

#: Header text as HTTP carries it (Latin-1), leaning towards digits and things that look like
#: digits (² ³ ¹ ½), signs, spaces and underscores.
number_like = st.text(st.sampled_from("0123456789²³¹½ +-_x"), min_size=1, max_size=8)
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=20,
)
numbers = st.integers(min_value=-5, max_value=2**70).map(str)
#: What ``str.isdigit`` accepts but ``int`` does not: superscript digits.
digit_like = st.text(st.sampled_from("0123456789²³¹"), min_size=1, max_size=4)


#: Every operation as the document describes it, the event stream included.
ALL_OPERATIONS = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def assert_listed(answer: requests.Response, method: str = "get", path: str = EVENTS_PATH) -> None:
    """The answer is one the document lists for the operation: its status, its content type
    (none and no body where none is listed), and its body's schema. The event stream's body is
    not read: it never ends."""
    listed = _listed_answer(method, path, answer.status_code)
    assert listed is not None, (method, path, answer.status_code, answer.text[:300])
    for name, header in listed.get("headers", {}).items():
        assert not header.get("required") or name in answer.headers, (answer.status_code, name)
    content_type = answer.headers.get("content-type", "").split(";")[0].strip()
    if not listed.get("content"):
        assert not content_type and not answer.content, (answer.status_code, answer.headers)
        return
    assert content_type in listed["content"], (answer.status_code, content_type)
    if content_type == "application/json":
        ALL_OPERATIONS[path][method.upper()].validate_response(answer)


def _open_stream(
    server: LiveServer,
    *,
    site: str = "demo",
    token: str = "demo-display",
    after: str | None = None,
    last_event_id: str | None = None,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    params = {"after": after} if after is not None else {}
    return requests.get(
        f"{server.url}/api/v1/sites/{site}/events",
        params=params,
        headers=headers,
        stream=True,
        timeout=10,
    )


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    after=st.none() | numbers | digit_like | number_like | header_text,
    last_event_id=st.none() | numbers | digit_like | (number_like | header_text).map(str.strip),
)
def test_event_stream_parameters_never_cause_a_server_error(
    fuzz_server: LiveServer, after: str | None, last_event_id: str | None
) -> None:
    with _open_stream(fuzz_server, after=after, last_event_id=last_event_id) as answer:
        settle(fuzz_server, answer.status_code)
        assert answer.status_code < 500, (answer.status_code, answer.text[:500])
        assert_listed(answer)
        if answer.status_code == 200:
            first = next(answer.iter_content(chunk_size=None))
            assert first.startswith(b"retry:"), first


@pytest.mark.parametrize(
    ("site", "token", "status"),
    [("demo", "wrong", 401), ("demo", "demo-kiosk", 403), ("nowhere", "demo-display", 404)],
)
def test_event_stream_refuses_strangers(
    fuzz_server: LiveServer, site: str, token: str, status: int
) -> None:
    with _open_stream(fuzz_server, site=site, token=token, last_event_id="1") as answer:
        settle(fuzz_server, answer.status_code)
        assert answer.status_code == status, answer.text[:500]
        assert_listed(answer)


@pytest.mark.parametrize("position", [0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**70])
@pytest.mark.parametrize("how", ["after", "last_event_id"])
def test_event_stream_survives_any_whole_number_position(
    fuzz_server: LiveServer, position: int, how: str
) -> None:
    """A position past the end is refused (422) or gives an empty, living stream; never an
    error, and never a stream that dies after it started."""
    with _open_stream(fuzz_server, **{how: str(position)}) as answer:
        settle(fuzz_server, answer.status_code)
        assert answer.status_code in (200, 422), (answer.status_code, answer.text[:500])
        assert_listed(answer)
        if answer.status_code == 422:
            return
        chunks = answer.iter_content(chunk_size=None)
        assert next(chunks).startswith(b"retry:")
        # Half a second more: the server reads the events after the position right away.
        connection = answer.raw.connection
        assert connection is not None and connection.sock is not None
        connection.sock.settimeout(0.5)
        try:
            more = next(chunks)
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            # A read timeout means the stream is alive and waits for events.
            if "timed out" not in str(exc).lower():
                settle(fuzz_server, 500)  # the server logs why the stream broke
                pytest.fail(f"the stream broke after it started: {exc!r}")
        else:
            assert more, "the stream ended"


# The answers without content ------------------------------------------------------------------
# Fuzzed requests seldom reach them (they need a real token, site, desk and ETag at once).


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/sites/{site}/queue", {}),
        ("/sites/{site}/queue", {"desk": "1"}),
        ("/sites/{site}/desks", {}),
    ],
)
def test_a_reader_answers_304_as_listed(
    server: LiveServer, path: str, query: dict[str, str]
) -> None:
    clerk = server.client(server.login("clerk1"))
    url = path.format(site="demo")
    first = clerk.get(url, params=query)
    assert_listed(first, "get", f"/api/v1{path}")
    again = clerk.get(url, params=query, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert_listed(again, "get", f"/api/v1{path}")
    assert again.headers["ETag"] == first.headers["ETag"]


def test_call_next_answers_204_as_listed_when_nobody_waits(server: LiveServer) -> None:
    clerk = server.client(server.login("clerk1"))
    path = "/api/v1/sites/{site}/desks/{desk}/call-next"
    called = clerk.post("/sites/demo/desks/1/call-next")
    while called.status_code == 200:  # the demo site may have tickets waiting
        assert_listed(called, "post", path)
        ticket = called.json()["id"]
        assert clerk.post(f"/tickets/{ticket}/no-show").status_code == 200
        called = clerk.post("/sites/demo/desks/1/call-next")
    assert called.status_code == 204, called.text
    assert_listed(called, "post", path)


# What the fuzzer found, pinned as plain examples ---------------------------------------------


def past_integer_range(backend: str, number: int) -> bool:
    """Whether ``number`` does not fit the INTEGER columns of ``backend``."""
    return number > (2**31 - 1 if backend == "postgres" else 2**63 - 1)


@pytest.mark.parametrize("number", [2**31, 2**63])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/tickets/{n}", None),
        ("post", "/tickets/{n}/finish", {"outcome": "completed"}),
        ("post", "/sites/demo/tickets", {"service_id": "{n}"}),
        ("post", "/tickets/{ticket}/transfer", {"service_id": "{n}"}),
    ],
)
def test_ids_past_the_database_integer_range_are_not_found(
    server: LiveServer,
    backend: str,
    request: pytest.FixtureRequest,
    number: int,
    method: str,
    path: str,
    body: Any,
) -> None:
    """Ids are 32-bit on PostgreSQL (64-bit on SQLite); larger ones are not found, or
    refused: never a crash. (tests/central_server/test_errors.py checks 2**70.)"""
    client = server.client(server.login("supervisor"))
    ticket = client.post("/sites/demo/tickets", json={"service_id": 1}).json()["id"]
    if body is not None:
        body = {k: number if v == "{n}" else v for k, v in body.items()}
    answer = getattr(client, method)(path.format(n=number, ticket=ticket), json=body)
    settle(server, answer.status_code)
    assert answer.status_code in (404, 422), (answer.status_code, answer.text)


@pytest.mark.parametrize("value", ["²", "1²", "³3"])
def test_a_superscript_last_event_id_is_refused_not_a_crash(server: LiveServer, value: str) -> None:
    """``str.isdigit`` accepts superscript digits, ``int`` does not."""
    with _open_stream(server, last_event_id=value) as answer:
        settle(server, answer.status_code)
        assert answer.status_code == 422, (answer.status_code, answer.text[:300])
        assert_listed(answer)


@pytest.mark.parametrize(
    "body", [b'{"service_id": 1, "x": "\xff\xfe"}', b"\xff", b"[" * 100_000 + b"]" * 100_000]
)
def test_a_body_the_json_parser_gives_up_on_is_invalid_input(
    server: LiveServer, body: bytes
) -> None:
    """Bytes that are not UTF-8, or nesting past the parser, answered FastAPI's own 400 (which
    the document does not list); now the ``invalid_input`` of any other body that is not JSON."""
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post(
        "/sites/demo/tickets", data=body, headers={"Content-Type": "application/json"}
    )
    settle(server, answer.status_code)
    error = assert_error(answer, 422, "invalid_input")
    assert error["details"]["problems"] == [{"field": "body", "problem": "not JSON text"}]
    assert_listed(answer, "post", "/api/v1/sites/{site}/tickets")
