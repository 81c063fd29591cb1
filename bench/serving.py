"""Serve the console on a free loopback port and wait until it answers.

One way for the benchmark (gunicorn), the load test (gunicorn) and the screenshot script
(runserver) to start a server process, know it is ready, and stop it::

    with serving(lambda port: ["gunicorn", ..., "--bind", f"127.0.0.1:{port}"], cwd=ROOT,
                 env=env, log=log_path) as server:
        ...  # server.base_url, server.port
"""

from __future__ import annotations

import http.client
import socket
import subprocess  # noqa: S404 (our own servers, argument lists, no shell)
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
READY_PATH = "/accounts/login/"  # public, and only answers once Django is fully loaded


class ServerFailed(RuntimeError):
    """The server exited or did not answer in time; the message says which, with its log."""


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path | None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _log_tail(log: Path | None) -> str:
    if log is None:
        return "its output is above"
    try:
        return f"{log}:\n{log.read_text(errors='replace')[-4000:]}"
    except OSError:
        return f"no log at {log}"


def answers(port: int, path: str = READY_PATH) -> bool:
    """Whether the server on ``port`` answers ``path`` with 200.

    http.client rather than urllib: a proxy set in the environment must not be asked
    for 127.0.0.1.
    """
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_until_up(
    process: subprocess.Popen,
    port: int,
    *,
    path: str = READY_PATH,
    timeout: float = 60,
    log: Path | None = None,
) -> None:
    """Return once ``path`` answers 200; raise ServerFailed if the process exits first or
    ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if answers(port, path):
            return
        if process.poll() is not None:
            raise ServerFailed(
                f"the server exited with {process.returncode} before answering: " + _log_tail(log)
            )
        if time.monotonic() > deadline:
            raise ServerFailed(
                f"the server did not answer {path} within {timeout:g} s: " + _log_tail(log)
            )
        time.sleep(0.25)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL if it has not exited after ``timeout``."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(
    command: Callable[[int], list[str]],
    *,
    cwd: Path,
    env: dict[str, str],
    log: Path | None = None,
    ready_path: str = READY_PATH,
    timeout: float = 60,
) -> Iterator[Server]:
    """Run ``command(port)`` on a free loopback port, yield once it answers, stop it after.

    With ``log`` the server's output (stdout and stderr) goes to that file, and a server
    that fails to start is reported with the end of it; without, it goes where ours goes.
    """
    port = free_port()
    output = log.open("w") if log is not None else None
    try:
        process = subprocess.Popen(  # noqa: S603 (the caller's own server, no shell)
            command(port),
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    finally:
        if output is not None:
            output.close()  # the child has its own copy
    try:
        wait_until_up(process, port, path=ready_path, timeout=timeout, log=log)
        yield Server(process, port, log)
    finally:
        stop(process)
