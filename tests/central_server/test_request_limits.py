"""Request bodies have a limit: a larger one answers 413 before the server has read it.

A 50 MB ticket request used to be read whole (eight of them took the server from 116 to 783 MB).
Now the server answers as soon as it knows: at once when ``Content-Length`` says too much, and
when a chunked body grows past the limit. These tests speak HTTP over a plain socket, so they
see when the answer arrives: long before the client could have sent 50 MB.
"""

from __future__ import annotations

import json
import select
import socket

from tests.support.api import act, assert_error, call_next, new_ticket, queue
from tests.support.live_server import LiveServer

FIFTY_MB = 50 * 1024 * 1024
PIECE = 64 * 1024


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    return sock


def _head(length: str | None, language: str = "de") -> bytes:
    lines = [
        "POST /api/v1/sites/demo/tickets HTTP/1.1",
        "Host: 127.0.0.1",
        "Authorization: Bearer demo-kiosk",
        "Content-Type: application/json",
        f"Accept-Language: {language}",
        f"Content-Length: {length}" if length else "Transfer-Encoding: chunked",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    """Status, headers and JSON body of the one answer on ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before an answer: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed in the middle of the answer"
        rest += chunk
    return int(status_line.split()[1]), headers, json.loads(rest[:length])


def _send_until_answered(sock: socket.socket, frame: bytes, most: int) -> int:
    """Send ``frame`` again and again until the server answers (or ``most`` bytes are sent);
    how many bytes went out."""
    sent = 0
    while sent < most:
        readable, writable, _ = select.select([sock], [sock], [], 20)
        if readable:
            return sent
        assert writable, "the server neither reads nor answers"
        try:
            sent += sock.send(frame)
        except (BrokenPipeError, ConnectionResetError):
            return sent
    return sent


def test_a_body_declared_too_large_is_refused_before_it_is_sent(server, clerk, kiosk):
    before = queue(clerk)
    with _connect(server) as sock:
        sock.sendall(_head(str(FIFTY_MB), "en"))
        # Not a byte of the body is sent: the answer comes from the headers alone.
        status, headers, body = _read_answer(sock)
        assert status == 413, body
        assert headers.get("connection") == "close"
        assert body["code"] == "request_too_large"
        assert body["message"] == "The request is too large: at most 262144 bytes are accepted."
        assert body["details"] == {"limit": "262144"}
        # The server has closed the connection: the 50 MB are never read.
        assert sock.recv(1) == b""
    assert queue(clerk) == before


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(server, clerk, kiosk):
    before = queue(clerk)
    with _connect(server) as sock:
        sock.sendall(_head(None) + _chunk(b'{"service_id": 1, "x": "'))
        frame = _chunk(b" " * PIECE)
        sent = _send_until_answered(sock, frame, FIFTY_MB)
        status, _headers, body = _read_answer(sock)
    assert status == 413, body
    assert body["code"] == "request_too_large"
    assert body["message"].startswith("Die Anfrage ist zu groß")  # German by default
    # The answer came after about the limit, far from the 50 MB the client meant to send.
    assert sent < 4 * 1024 * 1024, sent
    assert queue(clerk) == before


def test_a_setting_sets_the_limit(database_url):
    small = LiveServer(database_url, max_body_bytes=2048)
    small.start()
    try:
        kiosk = small.client("demo-kiosk")
        answer = kiosk.post(
            "/sites/demo/tickets", json={"service_id": 1, "priority": "normal" + " " * 3000}
        )
        assert_error(answer, 413, "request_too_large")
        assert new_ticket(kiosk, 1)["number"] == "A001"  # nothing was made before
    finally:
        small.stop()


def test_the_longest_valid_case_fits_even_with_every_character_escaped(server, clerk, kiosk):
    """A transfer with 20,000 characters of Cyrillic notes and 2,000 of reason: Python's json
    (the desk's client) sends each as a 6-byte \\uXXXX escape, about 135 kB."""
    ticket = new_ticket(kiosk, 1)
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    notes, reason = "ж" * 20000, "ї" * 2000
    moved = act(clerk, ticket["id"], "transfer", {"desk": "5", "reason": reason, "notes": notes})
    assert moved["target_desk"] == "5"
    assert clerk.get(f"/tickets/{ticket['id']}").json()["case"]["notes"] == notes
