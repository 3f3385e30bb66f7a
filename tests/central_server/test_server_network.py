"""What ``tresen server`` does on the network, seen from outside a real server process: whom it
believes about a client's address (X-Forwarded-For), and how long a client may take to send
its request."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
import uvicorn

from tests.support.api import assert_error
from tests.support.live_server import free_port
from tests.support.server_process import ServerProcess, run_tresen, tresen_env
from tests.support.sse import EventStream


def _login(url: str, username: str, password: str, forwarded_for: str) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=10,
    )


def test_by_default_a_forwarded_address_does_not_escape_the_sign_in_limit(tmp_path: Path) -> None:
    # uvicorn's own variable trusts every proxy; Tresen's setting (none by default) wins.
    env = tresen_env(FORWARDED_ALLOW_IPS="*", TRESEN_FAILED_LOGINS_PER_ADDRESS_PER_MINUTE="3")
    with ServerProcess(
        "--db", str(tmp_path / "t.sqlite3"), "--demo", folder=tmp_path, env=env
    ) as server:
        for number in range(3):
            answer = _login(server.url, f"name{number}", "Sommer2026!", f"10.9.0.{number}")
            assert_error(answer, 401, "invalid_credentials")
        # A fresh made-up address for every try: still the one address the server sees.
        answer = _login(server.url, "clerk1", "demo", "10.9.0.99")
        assert_error(answer, 429, "too_many_failed_logins")
        assert answer.json()["details"] == {"scope": "address"}
        log = server.log()
    assert "failed sign-in for an unknown user name from 127.0.0.1" in log
    assert "name0" not in log  # a typed name is never logged
    assert "10.9.0." not in log


def test_behind_a_named_proxy_the_forwarded_address_counts(tmp_path: Path) -> None:
    env = tresen_env(
        TRESEN_FORWARDED_ALLOW_IPS="127.0.0.1", TRESEN_FAILED_LOGINS_PER_ADDRESS_PER_MINUTE="3"
    )
    with ServerProcess(
        "--db", str(tmp_path / "t.sqlite3"), "--demo", folder=tmp_path, env=env
    ) as server:
        for number in range(3):
            answer = _login(server.url, f"name{number}", "Sommer2026!", "10.9.0.1")
            assert_error(answer, 401, "invalid_credentials")
        # The computer at 10.9.0.1 is locked out; the one at 10.9.0.2, behind the same proxy, not.
        assert_error(
            _login(server.url, "clerk1", "demo", "10.9.0.1"), 429, "too_many_failed_logins"
        )
        assert _login(server.url, "clerk1", "demo", "10.9.0.2").status_code == 200
        log = server.log()
    assert "failed sign-in for an unknown user name from 10.9.0.1" in log


def test_a_proxy_setting_that_is_no_address_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_tresen(
        "server",
        "--db",
        str(tmp_path / "t.sqlite3"),
        "--port",
        str(free_port()),
        env=tresen_env(TRESEN_FORWARDED_ALLOW_IPS="10.0.0.5, proxy.stadt.local"),
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: TRESEN_FORWARDED_ALLOW_IPS: 'proxy.stadt.local' is not an IP address or network "
        "(e.g. 10.0.0.5, 10.0.0.0/24 or *)"
    ]


LIMIT = 2.0  # TRESEN_REQUEST_TIMEOUT_SECONDS for the test
MARGIN = 15.0  # a busy machine may be slow to close; never waiting longer than this


def test_slow_clients_are_cut_off_while_others_are_served(tmp_path: Path) -> None:
    env = tresen_env(TRESEN_REQUEST_TIMEOUT_SECONDS=str(LIMIT))
    with ServerProcess(
        "--db", str(tmp_path / "t.sqlite3"), "--demo", folder=tmp_path, env=env
    ) as server:
        # A live stream opened before: its request has arrived, so it may stay open for hours.
        stream = EventStream(server.url, "demo-display", read_timeout=20)
        request_line = b"POST /api/v1/login HTTP/1.1\r\nHost: tresen\r\n"
        headers = request_line + b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        # Ten clients dribble their headers, ten send them at once and dribble the body: a byte
        # every half second, what they send at once first.
        clients: dict[str, tuple[bytes, bytes]] = {
            **{f"headers-{n}": (b"", request_line + b"X-Slow: " + b"a" * 500) for n in range(10)},
            **{f"body-{n}": (headers, b" " * 500) for n in range(10)},
        }
        selector = selectors.DefaultSelector()
        started = time.monotonic()
        sockets: dict[str, socket.socket] = {}
        for name, (at_once, _) in clients.items():
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(at_once)
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, name)
            sockets[name] = sock
        sent = dict.fromkeys(clients, 0)
        answers = dict.fromkeys(clients, b"")
        closed: dict[str, float] = {}
        served = False
        deadline = started + LIMIT + MARGIN
        while len(closed) < len(clients) and time.monotonic() < deadline:
            for name, sock in sockets.items():
                if name in closed:
                    continue
                try:
                    sock.send(clients[name][1][sent[name] : sent[name] + 1])
                    sent[name] += 1
                except (BrokenPipeError, ConnectionResetError):
                    closed[name] = time.monotonic()
            # Read what the server says until the next byte is due, half a second from now.
            for key, _ in selector.select(timeout=0.5):
                name = key.data
                try:
                    data = key.fileobj.recv(4096)  # type: ignore[union-attr]
                except ConnectionResetError:
                    data = b""
                answers[name] += data
                if not data:
                    closed.setdefault(name, time.monotonic())
                    selector.unregister(key.fileobj)
            if not served:
                # Meanwhile an ordinary request is answered as usual.
                assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
                served = True
        for sock in sockets.values():
            sock.close()
        assert sorted(closed) == sorted(clients), f"still open: {set(clients) - set(closed)}"
        for name, when in closed.items():
            # Closed by the time limit (not before it), before the request got through whole.
            assert LIMIT - 0.5 <= when - started <= LIMIT + MARGIN, (name, when - started)
            assert sent[name] < len(clients[name][1]), name
        for name, answer in answers.items():
            assert answer.startswith(b"HTTP/1.1 408 "), (name, answer)
        # The stream is still open past the limit and delivers what happens.
        kiosk = requests.Session()
        kiosk.headers["Authorization"] = "Bearer demo-kiosk"
        services = kiosk.get(f"{server.url}/api/v1/sites/demo/services", timeout=10).json()
        registration = next(s["id"] for s in services if s["prefix"] == "A")
        ticket = kiosk.post(
            f"{server.url}/api/v1/sites/demo/tickets",
            json={"service_id": registration},
            timeout=10,
        )
        assert ticket.status_code == 201, ticket.text
        assert stream.next().type == "ticket.created"
        stream.close()
        log = server.log()
    assert "Traceback" not in log
    assert "its request did not arrive within 2 s" in log


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_the_time_limit_holds_with_either_of_uvicorns_http_parsers(parser: str) -> None:
    """uvicorn uses httptools where it is installed, else h11; the limit must hold for both,
    also for the second request on a kept-alive connection."""
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from central_server.serve import request_timeout_protocol

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        headers = [(b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    base = {"httptools": HttpToolsProtocol, "h11": H11Protocol}[parser]
    port = free_port()
    config = uvicorn.Config(
        app,
        port=port,
        http=request_timeout_protocol(1.0, base),
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        clients = [
            b"GET / HTTP/1.1\r\nHost: x\r\n",  # the headers never end
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab",  # the body neither
        ]
        for request in clients:
            with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
                sock.sendall(request)
                assert sock.recv(100).startswith(b"HTTP/1.1 408 ")
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while not answer.endswith(b"\r\n\r\nok"):
                chunk = sock.recv(100)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 ")
            sock.sendall(b"GET / HT")
            assert sock.recv(100).startswith(b"HTTP/1.1 408 ")
    finally:
        server.should_exit = True
        thread.join(timeout=15)
