"""The LOGGING every environment but the tests uses (settings/base.py): each record is
written once; a 4xx is one line without a traceback; a 5xx keeps its traceback (issue 13,
item 17).

Each case runs in a fresh interpreter: configuring logging in the test process would close
pytest's own log handlers.
"""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings as django_settings

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "connections_admin.settings.test"
    import django
    django.setup()
    from django.conf import settings
    from django.core.exceptions import PermissionDenied
    from django.core.handlers.exception import response_for_exception
    from django.test import Client, RequestFactory
    from django.utils.log import configure_logging
    from connections_admin.settings import base

    configure_logging(settings.LOGGING_CONFIG, base.LOGGING)
    settings.DEBUG = sys.argv[1] == "debug"
    case = sys.argv[2]
    if case == "403":
        response_for_exception(RequestFactory().get("/admin/connections/"), PermissionDenied())
    elif case == "404":
        Client().get("/no-such-page/")
    elif case == "400":
        Client(raise_request_exception=False).get("/", headers={"Host": "evil.example"})
    elif case == "500":
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("django.request").error(
                "Internal Server Error: /x", exc_info=True, extra={"status_code": 500}
            )
    """
)


def logged(debug: bool, case: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, "debug" if debug else "production", case],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
        check=True,
    )
    return result.stderr.splitlines()


@pytest.mark.parametrize("debug", [True, False])
def test_a_403_is_one_line_without_a_traceback(debug):
    assert logged(debug, "403") == [
        "WARNING django.request: Forbidden (Permission denied): /admin/connections/"
    ]


@pytest.mark.parametrize("debug", [True, False])
def test_a_404_is_one_line(debug):
    assert logged(debug, "404") == ["WARNING django.request: Not Found: /no-such-page/"]


def test_a_host_not_allowed_is_one_line():
    lines = logged(False, "400")
    assert len(lines) == 1
    assert lines[0].startswith(
        "ERROR django.security.DisallowedHost: Invalid HTTP_HOST header: 'evil.example'."
    )


@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_keeps_its_traceback_once(debug):
    lines = logged(debug, "500")
    assert lines.count("ERROR django.request: Internal Server Error: /x") == 1
    assert lines.count("Traceback (most recent call last):") == 1
    assert lines[-1] == "RuntimeError: boom"
