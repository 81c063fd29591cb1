"""What changed is stored as data and said in the reader's language: an entry written while
one language was active reads in the other for a reader of the other, for every kind of
change; entries stored as sentences before (plain strings) are shown as they are."""

import json

import pytest
from django.utils import translation

from connections_admin.audit import changes
from connections_admin.audit.models import Action, AuditEntry
from connections_admin.audit.services import audit_record
from connections_admin.connections import audit_changes
from connections_admin.connections.services import connection_update
from connections_admin.connections.sharing import Audience, Sharing
from connections_admin.enrichments.services import enrichment_save
from connections_admin.exports.services import export_disconnect, export_save, exports_move
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory, SegmentFactory

pytestmark = pytest.mark.django_db
ACTIVITY = "/admin/activity/"
SECRET = "change-language-secret-4471"
OTHER_LANGUAGE = {"en": "kk", "kk": "en"}


def kk(msgid: str) -> str:
    """The Kazakh catalog's text for ``msgid`` (the English itself while untranslated)."""
    with translation.override("kk"):
        return translation.gettext(msgid)


def expected(language: str) -> list[str]:
    """The sentences of :func:`write_every_kind`'s entries, in ``language``."""
    if language == "en":
        return [
            "Hostname changed from “sftp.example.com” to “sftp2.example.com”",
            "Compression changed from “Gzipped” to “Unzipped”",
            "Password changed",
            "Display name changed from “Drop” to “Drop two”",
            "Who can use it: Administrators and contributors",
            "Name changed from “Weekly” to “Weekly list”",
            "Connection changed from “Drop two” to “Other drop”",
            "Segments changed",
            "Fields changed",
            "Schedule changed",
            "Customer data set changed",
            "Moved from “Other drop” to “Drop two”",
            "On “Drop two”",
            "Authentication failed.",
            "Accepted host key: SHA256:c2VjcmV0LWZyZWU",
        ]
    changed = kk("%(field)s changed from “%(old)s” to “%(new)s”")
    return [
        changed % {"field": "Хост атауы", "old": "sftp.example.com", "new": "sftp2.example.com"},
        changed % {"field": "Сығу", "old": "Gzip арқылы сығылған", "new": "Сығылмаған"},
        "Құпиясөз өзгертілді",
        changed % {"field": "Көрсетілетін атау", "old": "Drop", "new": "Drop two"},
        "Кім қолдана алады: Әкімшілер және салымшылар",
        changed % {"field": "Атауы", "old": "Weekly", "new": "Weekly list"},
        changed % {"field": "Қосылым", "old": "Drop two", "new": "Other drop"},
        "Сегменттер өзгертілді",
        "Өрістер өзгертілді",
        "Кесте өзгертілді",
        "Тұтынушылар деректер жиыны өзгертілді",
        "«Other drop» қосылымынан «Drop two» қосылымына көшірілді",
        kk("On “%(connection)s”") % {"connection": "Drop two"},
        "Аутентификация сәтсіз аяқталды.",
        "Қабылданған хост кілті: SHA256:c2VjcmV0LWZyZWU",
    ]


def write_every_kind(user) -> None:
    """One change of every kind, through the services, in the active language."""
    values = {
        "hostname": "sftp.example.com",
        "port": 22,
        "username": "u",
        "password": SECRET,
        "export_folder": "out",
        "compression": "gzipped",
        "field_delimiter": "comma",
    }
    connection = ConnectionFactory(display_name="Drop", values=values)
    connection_update(
        connection=connection,
        expected_version=connection.version,
        display_name="Drop two",
        values={
            **values,
            "hostname": "sftp2.example.com",
            "password": SECRET + "-new",
            "compression": "unzipped",
        },
        user=user,
        sharing=Sharing(Audience.CONTRIBUTORS),
    )
    connection.refresh_from_db()
    other = ConnectionFactory(display_name="Other drop")
    export = ExportFactory(name="Weekly", connection=connection, fields=["email"])
    export.name, export.connection = "Weekly list", other
    export.fields = ["email", "phone"]
    export.schedule = "hourly"
    export_save(export=export, segments=[SegmentFactory()], user=user)
    exports_move(ids=[export.pk], user=user, source=other, target=connection)
    export_disconnect(ids=[export.pk], user=user)
    enrichment = EnrichmentFactory(name="Leads")
    enrichment.segment = SegmentFactory()
    enrichment_save(enrichment=enrichment, user=user)
    audit_record(
        actor=user,
        action=Action.CONNECTION_VERIFY_FAILED,
        obj=connection,
        changes=[audit_changes.check_failed("authentication_failed", None)],
    )
    audit_record(
        actor=user,
        action=Action.HOST_KEY_ACCEPTED,
        obj=connection,
        changes=[audit_changes.host_key("SHA256:c2VjcmV0LWZyZWU")],
    )


@pytest.mark.parametrize("writer", ["en", "kk"])
def test_every_kind_of_change_reads_in_the_readers_language(admin_client, admin_user, writer):
    with translation.override(writer):
        write_every_kind(admin_user)
    reader = OTHER_LANGUAGE[writer]
    html = admin_client.get(ACTIVITY, HTTP_ACCEPT_LANGUAGE=reader).content.decode()
    for sentence in expected(reader):
        assert f"<li>{sentence}</li>" in html, sentence
    for sentence in expected(writer):
        if sentence not in expected(reader):  # the same in both (a fingerprint, a name)
            assert f"<li>{sentence}</li>" not in html, sentence


def test_what_is_stored_is_data_not_sentences(admin_user):
    with translation.override("kk"):
        write_every_kind(admin_user)
    stored = [change for entry in AuditEntry.objects.all() for change in entry.changes]
    assert stored and all(isinstance(change, dict) and change["change"] for change in stored)
    dump = json.dumps(stored, ensure_ascii=False)
    for sentence in expected("kk") + expected("en"):
        assert sentence not in dump
    assert SECRET not in dump  # a secret's change is its name only


def test_entries_stored_as_sentences_are_shown_as_they_are(admin_client):
    connection = ConnectionFactory(display_name="Old drop")
    AuditEntry.objects.filter(object_id=connection.pk).update(
        changes=["Username changed", "Кесте өзгертілді"]
    )
    for language in ("en", "kk"):
        html = admin_client.get(ACTIVITY, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "<li>Username changed</li>" in html and "<li>Кесте өзгертілді</li>" in html


def test_an_unknown_or_malformed_record_never_breaks_the_page(admin_client):
    connection = ConnectionFactory(display_name="Odd drop")
    AuditEntry.objects.filter(object_id=connection.pk).update(
        changes=[{"change": "from_a_removed_app"}, {"change": "moved"}, 7]
    )
    response = admin_client.get(ACTIVITY)
    assert response.status_code == 200
    assert "<li>from_a_removed_app</li>" in response.content.decode()


def test_an_e_mail_address_is_recorded_as_changed_without_its_value(admin_user):
    connection = ConnectionFactory(
        display_name="Dynamics",
        type_key="dynamics365_sales",
        values={
            "server_address": "https://org.crm.dynamics.com",
            "server_admin_account": "jane.doe@example.com",
        },
    )
    connection_update(
        connection=connection,
        expected_version=connection.version,
        display_name="Dynamics",
        values={
            "server_address": "https://org.crm.dynamics.com",
            "server_admin_account": "john.roe@example.com",
        },
        user=admin_user,
    )
    entry = AuditEntry.objects.get(action=Action.CONNECTION_EDITED)
    assert "example.com" not in json.dumps(entry.changes)
    assert entry.described_changes() == ["Server admin account changed"]


def test_recorded_values_are_capped(admin_user):
    connection = ConnectionFactory(display_name="Capped")
    connection_update(
        connection=connection,
        expected_version=connection.version,
        display_name="Capped",
        values={**connection.settings, "export_folder": "a" * 400},
        user=admin_user,
    )
    (change,) = AuditEntry.objects.get(action=Action.CONNECTION_EDITED).changes
    assert len(change["new"]) == changes.MAX_VALUE and change["new"].endswith("…")
    long_plain = "x" * 5000
    audit_record(
        actor=admin_user,
        action=Action.CONNECTION_EDITED,
        obj=connection,
        changes=[long_plain, {"change": "on_connection", "connection": long_plain}],
    )
    stored = AuditEntry.objects.filter(action=Action.CONNECTION_EDITED).last().changes
    assert len(json.dumps(stored)) < 1000
