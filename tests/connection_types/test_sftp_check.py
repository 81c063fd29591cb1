"""Verify of the SFTP types against OpenSSH's sshd on a loopback port (tests/servers)."""

import pytest

from connections_admin.connection_types.builtin import LiveRamp, Sftp, SftpCustomImport
from connections_admin.connection_types.checks import CheckContext
from connections_admin.outbound.failures import CheckFailed, Failure
from connections_admin.outbound.net import Deadline


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.CONNECTIONS_OUTBOUND_TEST_HOSTS = {
        "sftp.test": ["127.0.0.1"],
        "internal.test": ["127.0.0.2"],
        "files.liveramp.com": ["127.0.0.1"],
    }


def context(server, user, *, folder=None, host="sftp.test", known="", port=None, **secrets):
    settings = {
        "hostname": host,
        "port": port or server.port,
        "username": user.name,
        "export_folder": str(folder or user.upload),
    }
    return CheckContext(
        settings=settings, secrets=secrets, deadline=Deadline(15), known_host_key=known
    )


def run(check_context, type_=Sftp):
    return type_.check.run(check_context)


def failure_of(check_context, type_=Sftp):
    with pytest.raises(CheckFailed) as failed:
        run(check_context, type_)
    return failed.value


def test_password_login_writes_and_removes_a_probe(sshd_server):
    user = sshd_server.password_user
    result = run(context(sshd_server, user, password=user.password))
    assert result.host_key == sshd_server.host_key_fingerprint
    assert not [p for p in user.upload.iterdir() if p.name.startswith(".connections-admin")]


def test_key_login(sshd_server):
    user = sshd_server.key_user
    result = run(context(sshd_server, user, ssh_private_key=user.private_key))
    assert result.host_key == sshd_server.host_key_fingerprint


def test_wrong_password_fails_authentication_and_says_nothing_more(sshd_server):
    user = sshd_server.password_user
    failed = failure_of(context(sshd_server, user, password="not-the-password"))
    assert failed.failure is Failure.AUTHENTICATION_FAILED
    assert "not-the-password" not in repr(failed) + str(failed) + failed.message


def test_a_missing_folder(sshd_server):
    user = sshd_server.password_user
    failed = failure_of(
        context(sshd_server, user, folder=f"{user.upload}/missing", password=user.password)
    )
    assert failed.failure is Failure.NOT_FOUND


def test_a_read_only_folder(sshd_server):
    user = sshd_server.password_user
    failed = failure_of(context(sshd_server, user, folder=user.readonly, password=user.password))
    assert failed.failure is Failure.NO_WRITE_PERMISSION


def test_a_changed_host_key_fails_before_any_password_is_sent(sshd_host_key_changed):
    server = sshd_host_key_changed
    user = server.password_user
    known = "SHA256:the-key-the-admin-accepted-before"
    logged_before = len(server.log.read_text())
    failed = failure_of(context(server, user, known=known, password=user.password))
    assert failed.failure is Failure.HOST_KEY_CHANGED
    assert failed.host_key == server.host_key_fingerprint
    assert "Accepted password" not in server.log.read_text()[logged_before:]


def test_an_internal_address_is_refused(sshd_server):
    user = sshd_server.password_user
    failed = failure_of(context(sshd_server, user, host="internal.test", password=user.password))
    assert failed.failure is Failure.ADDRESS_NOT_ALLOWED


def test_a_closed_port_is_refused(sshd_server):
    user = sshd_server.password_user
    failed = failure_of(context(sshd_server, user, port=1, password=user.password))
    assert failed.failure is Failure.CONNECTION_REFUSED


def test_custom_import_only_lists_the_login_folder(sshd_server):
    user = sshd_server.password_user
    run(context(sshd_server, user, password=user.password), SftpCustomImport)


def test_liveramp_goes_to_its_own_file_server(sshd_server):
    """files.liveramp.com resolves to the loopback sshd here; there is no uploads folder."""
    user = sshd_server.password_user
    check_context = context(sshd_server, user, port=sshd_server.port, password=user.password)
    assert LiveRamp.check.fixed_host == "files.liveramp.com"
    # LiveRamp's port is 22; the test server is elsewhere, so the connection is refused
    # on 22 or the folder is missing: either way the fixed host was used.
    failed = failure_of(check_context, LiveRamp)
    assert failed.failure in (Failure.CONNECTION_REFUSED, Failure.NOT_FOUND)


def test_a_server_that_never_answers_ends_at_the_deadline():
    """It accepts the connection and says nothing: the check times out, the worker is free."""
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        check_context = CheckContext(
            settings={"hostname": "sftp.test", "port": port, "username": "anyone"},
            secrets={"password": "never-sent"},
            deadline=Deadline(1.5),
        )
        started = time.monotonic()
        failed = failure_of(check_context)
        elapsed = time.monotonic() - started
    assert failed.failure is Failure.TIMED_OUT
    assert elapsed < 5
