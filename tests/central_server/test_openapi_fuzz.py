"""Fuzz every operation of the server's OpenAPI document over HTTP: no input may cause a 5xx.

Schemathesis (v4) sends generated requests, valid and invalid, to every operation of the live
server, each signed in as a clerk, as a supervisor or as the kiosk. The only check is ``not_a_server_error``. The run is deterministic (fixed
seed, derandomised) and bounded (``MAX_EXAMPLES`` per operation in the fuzzing phase).

The document is the application's own (``create_app().openapi()``, loaded when the module is
imported, as ``schema.parametrize()`` needs it at collection time);
``test_the_fuzzed_document_is_the_one_the_server_serves`` checks that it is exactly what the
live server serves at ``/openapi.json``. (``schemathesis.pytest.from_fixture``, which would load
it from the live server, fails on pytest 9.2: it sets ``Node._nodeid``, which pytest 9.2 no
longer has.)

Each operation gets a fresh server and database (the ``server`` fixture) with tickets in every
status. To reach past "no such site" and "no such ticket", the generated site, desk, ticket id
and service id are sometimes swapped for ones that exist in the demo site.

The event stream (``GET /sites/{site}/events``) never ends, so it is left out of the schema run
and tested with short-lived connections in
``test_event_stream_parameters_never_cause_a_server_error``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from central_server.app import create_app
from central_server.auth import tokens
from central_server.auth.repository import user_by_name
from central_server.config import ServerSettings
from central_server.models import AuthToken
from central_server.models._types import utcnow
from tests.support.live_server import LiveServer

MAX_EXAMPLES = 30
SEED = 20250303
EVENTS_PATH = "/api/v1/sites/{site}/events"
LOGOUT_PATH = "/api/v1/logout"
DESK_CODES = ("1", "2", "3", "4", "5", "6")
SERVICE_IDS = (1, 2, 3, 4)
#: The seeded tickets get ids 1 to 8 in a fresh database; 9 to 11 do not exist.
TICKET_IDS = tuple(range(1, 12))

PRINCIPALS = {
    # name: user name, or None for the kiosk's device token
    "clerk": "clerk1",
    "supervisor": "supervisor",
    "kiosk": None,
}


def _openapi_document() -> dict[str, Any]:
    return create_app(ServerSettings(db="sqlite://")).openapi()


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
        "checks": {"enabled": False, "not_a_server_error": {"enabled": True}},
    }
)
schema = schemathesis.openapi.from_dict(_openapi_document(), config=CONFIG).exclude(
    path=EVENTS_PATH
)


def _sometimes_real(original: Any, real: dict[str, st.SearchStrategy[Any]]) -> Any:
    """The generated value, or the same with some fields replaced by real ones."""
    wanted = {name: strategy for name, strategy in real.items()
              if isinstance(original, dict) and name in original}
    if not wanted:
        return st.just(original)
    return st.one_of(
        st.just(original),
        st.fixed_dictionaries(wanted).map(lambda chosen: {**original, **chosen}),
    )


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    return _sometimes_real(path_parameters, {
        "site": st.just("demo"),
        "desk": st.sampled_from(DESK_CODES),
        "ticket_id": st.sampled_from(TICKET_IDS),
    })


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    return _sometimes_real(body, {
        "service_id": st.sampled_from(SERVICE_IDS),
        "desk": st.sampled_from(DESK_CODES),
    })


def mint_token(server: LiveServer, username: str) -> str:
    """A sign-in token written straight into the database: no HTTP, so the login throttle
    (which the fuzzer trips on purpose) never gets in the way."""
    assert server.db is not None
    token = tokens.new_token()
    with server.db.write_session() as session:
        user = user_by_name(session, username)
        assert user is not None
        session.add(AuthToken(token_hash=tokens.digest(token), user_id=user.id,
                              expires_at=utcnow() + timedelta(hours=1)))
    return token


def seed_tickets(server: LiveServer) -> list[int]:
    """Tickets in every status, so actions on existing tickets get exercised too."""
    clerk = server.client(mint_token(server, "clerk4"))
    services = {s["prefix"]: s["id"] for s in clerk.get("/sites/demo/services").json()}
    ids = []
    for prefix in ("A", "B", "C", "A", "B", "C", "A", "P"):
        answer = clerk.post("/sites/demo/tickets", json={"service_id": services[prefix]})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])

    def call(desk: str) -> int:
        answer = clerk.post(f"/sites/demo/desks/{desk}/call-next")
        assert answer.status_code == 200, answer.text
        return int(answer.json()["id"])

    def act(ticket: int, action: str, body: Any = None) -> None:
        answer = clerk.post(f"/tickets/{ticket}/{action}", json=body)
        assert answer.status_code == 200, answer.text

    done = call("1")  # called, serving, done
    act(done, "start")
    act(done, "finish", {"outcome": "completed", "steps_done": ["id_checked"]})
    parked = call("1")  # serving, parked
    act(parked, "start")
    act(parked, "park")
    serving = call("2")  # being served at desk 2
    act(serving, "start")
    transferred = call("3")  # transferred to the back office
    act(transferred, "transfer", {"desk": "5", "reason": "back office"})
    call("4")  # called at desk 4; the rest wait
    return ids


@pytest.fixture
def fuzz_tokens(server: LiveServer) -> dict[str, str]:
    """The bearer token of each principal, on a server with tickets in every status."""
    assert seed_tickets(server) == list(range(1, 9))
    return {
        name: "demo-kiosk" if username is None else mint_token(server, username)
        for name, username in PRINCIPALS.items()
    }


@schema.parametrize()
@schema.given(principal=st.sampled_from(list(PRINCIPALS)))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_no_input_causes_a_server_error(case: Any, principal: str, server: LiveServer,
                                        fuzz_tokens: dict[str, str]) -> None:
    """Every operation, each generated request sent as the clerk, the supervisor or the kiosk
    (drawn with the request, so the fuzzer explores the combinations)."""
    token = fuzz_tokens[principal]
    username = PRINCIPALS[principal]
    if case.path == LOGOUT_PATH and username is not None:
        # Logging out would end the token every later request relies on: use a spare one.
        token = mint_token(server, username)
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                           checks=[not_a_server_error])


def test_the_fuzzed_document_is_the_one_the_server_serves(server: LiveServer) -> None:
    served = requests.get(f"{server.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == _openapi_document()


# The event stream -----------------------------------------------------------------------------

header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=30,
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    site=st.sampled_from(["demo", "nowhere", "d%C3%A9mo"]),
    after=st.none() | st.integers(min_value=-5, max_value=2**70).map(str) | header_text,
    last_event_id=st.none() | st.integers(min_value=-5, max_value=2**70).map(str) | header_text,
    token=st.sampled_from(["demo-display", "demo-kiosk", "wrong"]),
)
def test_event_stream_parameters_never_cause_a_server_error(
    server: LiveServer, site: str, after: str | None, last_event_id: str | None, token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    params = {"after": after} if after is not None else {}
    with requests.get(f"{server.url}/api/v1/sites/{site}/events", params=params,
                      headers=headers, stream=True, timeout=5) as answer:
        assert answer.status_code < 500, (answer.status_code, answer.text[:500])
        if answer.status_code == 200:
            first = next(answer.iter_content(chunk_size=None))
            assert first.startswith(b"retry:"), first
