"""The real ``tresen`` command in a child process, as IT runs it: ``tresen server ...``.

Tests of what only the whole command shows (its command line, its settings from the
environment, how uvicorn is set up) start it with :class:`ServerProcess`; the other API tests use
the quicker in-process :class:`tests.support.live_server.LiveServer`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from tests.support.ports import free_port
from tresen.health import wait_until_up

#: Settings from the environment of whoever runs the tests must not change the server tested.
_FOREIGN = ("FORWARDED_ALLOW_IPS",)


def tresen_env(**extra: str) -> dict[str, str]:
    """The environment for a ``tresen`` child: ours without Tresen's settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRESEN_") and k not in _FOREIGN}
    env.update(extra)
    return env


def run_tresen(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``tresen ARGS`` to its end, with its output."""
    return subprocess.run(
        [sys.executable, "-m", "tresen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env if env is not None else tresen_env(),
        timeout=timeout,
    )


class ServerProcess:
    """``tresen server ARGS --port FREE`` until the block ends; :attr:`url` once it answers."""

    def __init__(
        self, *args: str, folder: Path, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [*args, "--port", str(self.port)]
        self.cwd = cwd
        self.env = env if env is not None else tresen_env()
        self.log_path = folder / f"server-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None
        #: The exit code once stopped.
        self.returncode: int | None = None
        #: The process id of ``tresen server`` (the parent of its workers) while it runs.
        self.pid: int | None = None

    def __enter__(self) -> ServerProcess:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tresen", "server", *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=self.env,
            )
        self.pid = self._process.pid
        # 60 s: generous, the machine may be busy
        if wait_until_up(self.url, 60, self._process):
            return self
        if self._process.poll() is not None:
            raise RuntimeError(f"tresen server ended at start:\n{self.log()}")
        self.__exit__(None, None, None)
        raise RuntimeError(f"tresen server did not answer within 60 s:\n{self.log()}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server (its log is then complete); again is harmless."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=20)
        self.returncode = self._process.returncode
        self._process = None

    def log(self) -> str:
        """What the server printed so far (its log and uvicorn's)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")
