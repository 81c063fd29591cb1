"""Names that would look alike are made the same or refused (issue 13, item 23): connection
display names, export and enrichment names all go through ``clean_unique_name``."""

import pytest
from django import forms

from connections_admin.connections.models import Connection
from connections_admin.core.forms import clean_unique_name, normalize_name
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "zero-width space": "Acme\u200bSFTP",
    "zero-width non-joiner": "Acme\u200cSFTP",
    "zero-width joiner": "Acme\u200dSFTP",
    "word joiner": "Acme\u2060SFTP",
    "byte order mark": "\ufeffAcme SFTP",
    "soft hyphen": "Ac\u00adme SFTP",
    "left-to-right mark": "Acme SFTP\u200e",
    "right-to-left mark": "\u200fAcme SFTP",
    "right-to-left override": "\u202ePTFS emcA",
    "left-to-right embedding": "\u202aAcme SFTP\u202c",
    "first strong isolate": "\u2068Acme\u2069 SFTP",
    "arabic letter mark": "Acme\u061c SFTP",
    "hangul filler": "Acme\u3164SFTP",
    "control character": "Acme\x07SFTP",
}
SAME_AS_ACME_SFTP = {
    "no-break space": "Acme\u00a0SFTP",
    "narrow no-break space": "Acme\u202fSFTP",
    "ideographic space": "Acme\u3000SFTP",
    "repeated spaces": "Acme   SFTP",
    "tab": "Acme\tSFTP",
    "surrounding blanks": "\u00a0 Acme SFTP \u2003",
    "full-width letters": "\uff21\uff43\uff4d\uff45 SFTP",
    "other case": "acme sftp",
}


@pytest.mark.parametrize("value", SAME_AS_ACME_SFTP.values(), ids=SAME_AS_ACME_SFTP.keys())
def test_lookalike_spellings_are_normalized(value):
    assert normalize_name(value).lower() == "acme sftp"


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_are_refused(value):
    with pytest.raises(ValueError):
        normalize_name(value)


def test_names_in_other_scripts_are_kept():
    assert normalize_name("Қазақстан экспорты — 2025") == "Қазақстан экспорты — 2025"
    assert normalize_name("Café  Ünïcode") == "Café Ünïcode"  # NFKC composes, keeps accents


KINDS = {
    "connection": (Connection, "display_name", lambda name: ConnectionFactory(display_name=name)),
    "export": (Export, "name", lambda name: ExportFactory(name=name)),
    "enrichment": (Enrichment, "name", lambda name: EnrichmentFactory(name=name)),
}


def clean(kind: str, value: str, instance=None) -> str:
    model, field, _make = KINDS[kind]
    return clean_unique_name(
        value, queryset=model.objects, field=field, instance=instance, message="taken"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", SAME_AS_ACME_SFTP.values(), ids=SAME_AS_ACME_SFTP.keys())
def test_a_lookalike_of_an_existing_name_is_a_duplicate(kind, value):
    KINDS[kind][2]("Acme SFTP")
    with pytest.raises(forms.ValidationError) as caught:
        clean(kind, value)
    assert caught.value.code == "duplicate"


@pytest.mark.parametrize("kind", KINDS)
def test_a_name_is_stored_normalized_and_may_be_kept_on_edit(kind):
    assert clean(kind, "\u00a0New\u00a0\u00a0name ") == "New name"
    existing = KINDS[kind][2]("Kept name")
    assert clean(kind, "Kept\u00a0name", instance=existing) == "Kept name"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_an_invisible_character_is_a_clear_form_error(kind, value):
    with pytest.raises(forms.ValidationError) as caught:
        clean(kind, value)
    assert caught.value.code == "invisible"
    assert "invisible characters" in caught.value.messages[0]


def test_a_name_that_normalizes_too_long_is_a_form_error():
    with pytest.raises(forms.ValidationError) as caught:
        clean("export", "\ufdfa" * 10)  # one character, eighteen once normalized
    assert caught.value.code == "max_length"


def test_the_set_up_pane_refuses_a_bidi_control_and_saves_a_normalized_name(admin_client):
    data = {
        "hostname": "sftp.example.com",
        "port": "22",
        "username": "exporter",
        "password": "pane-password",
        "export_folder": "out",
        "compression": "gzipped",
        "field_delimiter": "comma",
        "who_can_use": "admins",
        "consent": "on",
    }
    refused = admin_client.post(
        "/admin/connections/new/sftp/", {**data, "display_name": "\u202eAcme"}
    )
    assert refused.status_code == 200
    assert "invisible characters" in refused.content.decode()
    assert not Connection.objects.exists()
    admin_client.post("/admin/connections/new/sftp/", {**data, "display_name": "Acme\u00a0SFTP"})
    assert list(Connection.objects.values_list("display_name", flat=True)) == ["Acme SFTP"]
