"""bench/serving.py: a server on a free loopback port, waited for, then stopped."""

import os
import sys

import pytest

from bench.serving import ServerFailed, answers, free_port, serving


def http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_serving_yields_once_the_server_answers_and_stops_it_after(tmp_path):
    with serving(http_server, cwd=tmp_path, env={}, ready_path="/") as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert answers(server.port, "/")
        assert server.process.poll() is None
    assert server.process.poll() is not None
    assert not answers(server.port, "/")


def test_a_server_that_exits_is_reported_with_its_log(tmp_path):
    log = tmp_path / "server.log"
    command = [sys.executable, "-c", "import sys; print('no database'); sys.exit(3)"]
    with (
        pytest.raises(ServerFailed, match=r"exited with 3(.|\n)*no database"),
        serving(lambda port: command, cwd=tmp_path, env={}, log=log),
    ):
        pytest.fail("yielded a server that never answered")


def test_a_server_that_never_answers_is_stopped(tmp_path):
    pid_file = tmp_path / "pid"
    script = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    with (
        pytest.raises(ServerFailed, match="did not answer"),
        serving(lambda port: [sys.executable, "-c", script], cwd=tmp_path, env={}, timeout=3),
    ):
        pytest.fail("yielded a server that never answered")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_free_port_is_free():
    assert not answers(free_port())
