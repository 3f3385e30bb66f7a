"""A free TCP port on the loopback interface, for a server or a test printer to listen on.

Light on purpose (the standard library only): benchmarks import it into every client process."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; whoever binds it next, soon, gets it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
