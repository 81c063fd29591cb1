"""Failures are categories with a user's message; the package stays out of the apps."""

import sys

import pytest
from django.utils import translation

from connections_admin.outbound.failures import CheckFailed, Failure
from tests.test_architecture import PACKAGE_DIR, imports_of

MESSAGES = {
    Failure.NAME_NOT_RESOLVED: "The name could not be resolved.",
    Failure.ADDRESS_NOT_ALLOWED: "The address is not allowed.",
    Failure.CONNECTION_REFUSED: "The connection was refused.",
    Failure.TIMED_OUT: "It timed out.",
    Failure.TLS_UNTRUSTED: "The TLS certificate is not trusted.",
    Failure.AUTHENTICATION_FAILED: "Authentication failed.",
    Failure.NOT_FOUND: "The folder or container does not exist.",
    Failure.NO_WRITE_PERMISSION: "No permission to write.",
    Failure.HOST_KEY_CHANGED: "The server's host key changed.",
}


@pytest.mark.parametrize(("failure", "text"), MESSAGES.items())
def test_each_failure_has_its_message(failure, text):
    with translation.override("en"):
        assert CheckFailed(failure).message == text
        assert str(failure.message) == text


def test_service_error_shows_the_status_or_a_dash():
    with translation.override("en"):
        assert CheckFailed(Failure.SERVICE_ERROR, 503).message == (
            "The service answered with an error (503)."
        )
        assert CheckFailed(Failure.SERVICE_ERROR).message == (
            "The service answered with an error (—)."
        )


def test_every_message_is_translated_to_kazakh():
    for failure in Failure:
        with translation.override("en"):
            english = CheckFailed(failure, 500).message
        with translation.override("kk"):
            kazakh = CheckFailed(failure, 500).message
        assert kazakh != english, failure


def test_the_exception_text_is_the_category_only():
    failed = CheckFailed("timed_out")
    assert failed.failure is Failure.TIMED_OUT
    assert str(failed) == "timed_out"
    assert str(CheckFailed(Failure.SERVICE_ERROR, 404)) == "service_error:404"


def test_outbound_imports_only_the_standard_library_django_and_third_parties():
    allowed_third_party = {"django", "requests", "urllib3"}
    found = [
        str(imported)
        for path in sorted((PACKAGE_DIR / "outbound").rglob("*.py"))
        for imported in imports_of(path)
        if not (
            imported.name.split(".")[0] in sys.stdlib_module_names
            or imported.name.split(".")[0] in allowed_third_party
            or imported.name.startswith("connections_admin.outbound")
        )
    ]
    assert not found, found
