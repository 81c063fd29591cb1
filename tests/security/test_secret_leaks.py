"""Secrets are write-only: no marker secret in any page, header, log, message, audit or e-mail."""

import logging

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from connections_admin.accounts.roles import Role
from connections_admin.audit.models import AuditEntry
from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections import services
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, Sharing
from tests.connection_types.test_builtin_types import GOOD
from tests.factories import EnrichmentFactory, ExportFactory

pytestmark = pytest.mark.django_db
MARK = "LEAKMARK"


def marker(key: str, field: str) -> str:
    return f"{MARK}-{key}-{field}-x9"


@pytest.fixture
def every_type(admin_user):
    """A connection of every type, each secret a marker; exports and enrichments using them."""
    made = []
    for connection_type in registry:
        values = dict(GOOD[connection_type.key])
        for name in connection_type.secret_fields:
            values[name] = marker(connection_type.key, name)
        connection = services.connection_create(
            connection_type=connection_type,
            display_name=f"Leak test {connection_type.key}",
            values=values,
            user=admin_user,
            sharing=Sharing(Audience.CONTRIBUTORS)
            if connection_type.is_for(Usage.EXPORT)
            else None,
        )
        if connection_type.is_for(Usage.EXPORT):
            ExportFactory(connection=connection)
        else:
            EnrichmentFactory(connection=connection, type_key=connection_type.key)
        made.append(connection)
    return made


def page_urls(connections) -> list[str]:
    urls = [
        "/",
        "/accounts/login/",
        "/admin/connections/",
        "/admin/connections/discover/",
        "/admin/connections/new/",
        "/admin/activity/",
        "/exports/",
        "/exports/new/",
        "/exports/connection-options/?connection_q=leak",
        "/enrichments/",
        "/enrichments/new/",
    ]
    for connection in connections:
        urls += [
            reverse("connections:new", args=[connection.type_key]),
            reverse("connections:edit", args=[connection.pk]),
            reverse("connections:remove", args=[connection.pk]),
            reverse("connections:dependants", args=[connection.pk]),
        ]
        for export in connection.exports.all():
            urls.append(f"/exports/{export.pk}/edit/")
        for enrichment in connection.enrichments.all():
            urls.append(f"/enrichments/{enrichment.pk}/edit/")
    return urls


def assert_clean(text: str, where: str) -> None:
    assert MARK not in text, f"a secret marker leaked into {where}"


@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.CONTRIBUTOR, Role.ADMIN])
def test_no_secret_in_any_page_fragment_or_header(every_type, make_user, role, caplog):
    client = Client()
    if role is not None:
        client.force_login(make_user(role, f"leak-{role.name.lower()}"))
    caplog.set_level(logging.DEBUG)
    for url in page_urls(every_type):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            assert_clean(response.content.decode(errors="replace"), url)
            assert_clean(str(response.headers), f"headers of {url}")
            assert_clean(str(response.cookies), f"cookies of {url}")
    for record in caplog.records:
        assert_clean(logging.Formatter().format(record), "a log record")


def test_no_secret_in_messages_audit_or_error_pages(every_type, admin_client, admin_user):
    sftp = next(c for c in every_type if c.type_key == "sftp")
    data = {
        "display_name": sftp.display_name,
        **{k: v for k, v in GOOD["sftp"].items() if k != "password"},
        "password": marker("sftp", "new-password"),
        "version": sftp.version,
        "who_can_use": "contributors",
    }
    response = admin_client.post(f"/admin/connections/{sftp.pk}/edit/", data, follow=True)
    assert_clean(response.content.decode(), "the page after saving")
    for message in get_messages(response.wsgi_request):
        assert_clean(str(message), "a message")
    for entry in AuditEntry.objects.all():
        assert_clean(f"{entry.object_name} {entry.object_type} {entry.changes}", "the audit trail")
    for connection in Connection.objects.all():
        assert_clean(f"{connection.settings} {connection.secrets_encrypted}", "the database")


def test_no_secret_in_a_500_page_its_log_or_the_error_email(
    admin_user, settings, monkeypatch, caplog
):
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.com")]

    def explode(**kwargs):
        raise RuntimeError("simulated failure while saving")

    monkeypatch.setattr(services, "connection_create", explode)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    secret = marker("sftp", "crash-password")
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/admin/connections/new/sftp/",
        {**GOOD["sftp"], "password": secret, "display_name": "Crash", "consent": "on"},
    )
    assert response.status_code == 500
    assert_clean(response.content.decode(), "the 500 page")
    assert caplog.records, "the error was logged"
    for record in caplog.records:
        assert_clean(logging.Formatter().format(record), "the error log")
    assert mail.outbox, "the error report was e-mailed"
    for message in mail.outbox:
        body = message.body + "".join(str(alt[0]) for alt in getattr(message, "alternatives", []))
        assert "simulated failure" in body
        assert_clean(body, "the error e-mail")


def test_no_secret_in_the_error_email_when_the_service_itself_fails(
    admin_user, settings, monkeypatch
):
    """A crash inside connection_create, with the secret in its local variables."""
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.com")]

    def explode(self, *args, **kwargs):
        raise RuntimeError("simulated database failure")

    monkeypatch.setattr(Connection, "save", explode)
    # The HTML report carries every frame's local variables: the strictest case.
    from django.utils.log import AdminEmailHandler

    handler = AdminEmailHandler(include_html=True)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    secret = marker("sftp", "service-crash")
    try:
        response = client.post(
            "/admin/connections/new/sftp/",
            {**GOOD["sftp"], "password": secret, "display_name": "Crash 2", "consent": "on"},
        )
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    assert mail.outbox
    body = "".join(
        m.body + "".join(str(alt[0]) for alt in getattr(m, "alternatives", [])) for m in mail.outbox
    )
    assert "simulated database failure" in body and "connection_create" in body
    assert_clean(body, "the error e-mail's traceback")
