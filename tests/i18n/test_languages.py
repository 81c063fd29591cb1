"""Languages: complete English and Kazakh catalogs, pages in each language, the switcher."""

import contextlib
import re
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import translation

from tests.factories import ConnectionFactory, EnrichmentFactory, ExportFactory

from .catalogs import catalog_path, messages, placeholders, read_po

LOGIN = "/accounts/login/"
CONNECTIONS = "/admin/connections/"

# The product's words: the English the console shows, and the Kazakh of the source
# document (seed/connections-overview.kk-KZ.md).
PRODUCT_WORDS = {
    "Connections": "Қосылымдар",
    "Discover": "Анықтау",
    "Add connection": "Жаңа қосылым",
    "Set up": "Орнату",
    "Set up connection": "Қосылымды орнату",
    "Display name": "Көрсетілетін атау",
    "Choose who can use this connection": "Бұл қосылымды кім қолдана алатынын таңдау",
    "I agree": "Келісемін",
    "Save": "Сақтау",
    "Edit": "Өңдеу",
    "Remove": "Алып тастау",
    "Disconnect": "Ажырату",
    "Admin": "Әкімші",
    "Exports": "Экспорттаулар",
    "Enrichments": "Жақсартулар",
    "Administrators": "Әкімшілер",
    "Administrators and contributors": "Әкімшілер және салымшылар",
    "Edit connection": "Қосылымды өңдеу",
}


# --- the catalogs ---------------------------------------------------------------------


def test_the_kazakh_catalog_translates_every_message_of_the_english_one():
    english = messages(catalog_path("en"))
    kazakh = messages(catalog_path("kk"))
    assert len(english) > 300  # every UI string of the console is in the catalog

    missing = [key for key in english if key not in kazakh]
    assert not missing, f"not in the Kazakh catalog: {missing}"
    untranslated = [
        key
        for key in english
        if len(kazakh[key].msgstr) != (1 if key[2] is None else 2)
        or not all(text.strip() for text in kazakh[key].msgstr.values())
    ]
    assert not untranslated, f"no Kazakh translation: {untranslated}"
    assert set(kazakh) == set(english), "the catalogs hold the same messages"


@pytest.mark.parametrize("language", ["en", "kk"])
def test_no_entry_is_fuzzy(language):
    fuzzy = [entry.key for entry in read_po(catalog_path(language)) if "fuzzy" in entry.flags]
    assert not fuzzy


def test_kazakh_keeps_every_placeholder():
    wrong = []
    for key, entry in messages(catalog_path("kk")).items():
        for form, text in entry.msgstr.items():
            if placeholders(text) != placeholders(entry.sources()[form]):
                wrong.append((key, form, text))
    assert not wrong


def test_the_kazakh_catalog_has_kazakh_plural_forms_and_uses_the_product_words():
    header = read_po(catalog_path("kk"))[0]
    assert header.is_header
    assert "Language: kk\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0].replace(
        "n!=1", "n != 1"
    )
    kazakh = messages(catalog_path("kk"))
    for english, expected in PRODUCT_WORDS.items():
        assert kazakh[(None, english, None)].msgstr[0] == expected


def test_kazakh_is_written_in_cyrillic():
    """Every message with English words has Kazakh (Cyrillic) words in its translation.

    Product names (SFTP, Azure Maps, ...) are the exception: they stay as they are.
    """
    latin_only = [
        entry.msgid
        for entry in messages(catalog_path("kk")).values()
        if not re.search(r"[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]", entry.msgstr[0])
    ]
    from connections_admin.connection_types.registry import registry

    product_names = {str(t.name) for t in registry}
    with translation.override("en"):
        product_names = {str(t.name) for t in registry} | product_names
    assert set(latin_only) <= product_names, set(latin_only) - product_names


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (xgettext)")
def test_the_catalogs_are_up_to_date_with_the_code(tmp_path):
    """makemessages on a copy of the code finds no message missing from the catalogs.

    When this fails, run ``python manage.py makemessages -l en -l kk --no-location
    --ignore=tests --ignore=var`` and translate what it adds to the Kazakh catalog.
    """
    base = settings.BASE_DIR
    ignore = shutil.ignore_patterns("locale", "__pycache__", "*.pyc")
    shutil.copytree(base / "connections_admin", tmp_path / "connections_admin", ignore=ignore)
    shutil.copytree(base / "templates", tmp_path / "templates", ignore=ignore)
    (tmp_path / "locale").mkdir()
    with (
        contextlib.chdir(tmp_path),
        override_settings(LOCALE_PATHS=[tmp_path / "locale"]),
    ):
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    from_code = set(messages(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    in_catalog = set(messages(catalog_path("en")))
    missing = sorted(key[1] for key in from_code - in_catalog)
    assert not missing, f"messages missing from the catalogs: {missing}"
    gone = sorted(key[1] for key in in_catalog - from_code)
    assert not gone, f"messages the code no longer has: {gone}"


# --- pages in each language -------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_in_english_and_in_kazakh(client):
    english = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english
    assert '<button type="submit" class="primary">Sign in</button>' in english
    assert ">Username:</label>" in english

    kazakh = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert '<html lang="kk">' in kazakh
    assert '<button type="submit" class="primary">Кіру</button>' in kazakh
    assert ">Пайдаланушы аты:</label>" in kazakh and ">Құпиясөз:</label>" in kazakh
    assert "Sign in" not in kazakh


@pytest.mark.django_db
def test_english_is_the_default(client):
    html = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in html and "Sign in" in html


@pytest.fixture
def busy_connection(admin_user):
    connection = ConnectionFactory(display_name="Partner drop", user=admin_user)
    ExportFactory(connection=connection, name="Weekly churn list")
    leadspace = ConnectionFactory(
        display_name="Firmographics", type_key="leadspace", values={"token": "t-123"}
    )
    EnrichmentFactory(connection=leadspace, name="Company data")
    return connection


def test_the_connections_tab_in_english(admin_client, busy_connection):
    html = admin_client.get(CONNECTIONS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Connections", "Discover", "Add connection", "Display name", "Edit", "Remove"):
        assert text in html
    assert "Қосылымдар" not in html


def test_the_connections_tab_in_kazakh(admin_client, busy_connection):
    html = admin_client.get(CONNECTIONS, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert '<html lang="kk">' in html
    assert "<h1>Қосылымдар</h1>" in html
    assert '<p class="breadcrumb">Әкімші</p>' in html
    assert ">Анықтау</a>" in html  # the Discover tab
    assert ">Жаңа қосылым</a>" in html  # Add connection
    assert ">Көрсетілетін атау</a>" in html  # the Display name column
    assert ">Өңдеу</a>" in html and ">Алып тастау</a>" in html  # the row menu
    assert "Экспорттаулар" in html and "Жақсартулар" in html
    assert "Әкімшілер және салымшылар" in html  # who can use the enrichment connection
    for english in ("Add connection", "Discover", "Display name", ">Edit<", ">Remove<"):
        assert english not in html
    # Product names stay as they are.
    assert "SFTP" in html and "Leadspace" in html


def test_the_discover_tab_and_the_setup_pane_in_kazakh(admin_client):
    html = admin_client.get(CONNECTIONS + "discover/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Экспорттаулар үшін" in html and "Жақсартулар үшін" in html
    assert ">Орнату<span" in html  # Set up
    assert "Azure Blob Storage" in html

    html = admin_client.get(CONNECTIONS + "new/sftp/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    for text in (
        "Қосылымды орнату",
        "Көрсетілетін атау",
        "Бұл қосылымды кім қолдана алатынын таңдау",
        "Келісемін",
        ">Сақтау</button>",
        "Хост атауы",
    ):
        assert text in html


def test_the_remove_dialog_in_kazakh(admin_client, busy_connection):
    url = f"{CONNECTIONS}{busy_connection.pk}/remove/dependants/"
    html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Қосылымды алып тастау" in html
    assert "Бұл қосылымды 1 экспорттау пайдаланады" in html
    assert ">Ажырату<span" in html  # Disconnect
    assert "Таңдалған экспорттауларды ажырату" in html


def test_messages_after_a_change_are_in_kazakh(admin_client, busy_connection):
    url = f"{CONNECTIONS}{busy_connection.pk}/remove/dependants/"
    export_id = busy_connection.exports.get().pk
    response = admin_client.post(
        url,
        {"row_action": f"disconnect_exports:{export_id}"},
        HTTP_ACCEPT_LANGUAGE="kk",
        follow=True,
    )
    assert "1 экспорттау ажыратылды. Оның параметрлері сақталады." in response.content.decode()


def test_the_exports_page_and_form_errors_in_kazakh(admin_client, busy_connection):
    html = admin_client.get("/exports/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "<h1>Экспорттаулар</h1>" in html and "Жаңа экспорттау" in html
    html = admin_client.post(
        "/exports/new/", {"name": ""}, HTTP_ACCEPT_LANGUAGE="kk"
    ).content.decode()
    assert "Экспорттауға арналған қосылымды таңдаңыз." in html
    assert "Бұл өрісті толтыру міндетті." in html  # Django's own message, in Kazakh too


def test_script_messages_come_translated_from_the_page(client):
    html = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert 'data-msg-forbidden="Мұны істеуге рұқсатыңыз жоқ."' in html
    assert 'data-msg-error="Бірдеңе дұрыс болмады. Қайталап көріңіз."' in html
    assert 'data-msg-offline="Консольге қосылу мүмкін болмады.' in html


def test_the_server_error_page_in_kazakh():
    with translation.override("kk"):
        html = render_to_string("500.html")
    assert '<html lang="kk">' in html and "Сервер қатесі" in html


# --- the language switcher --------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_has_a_labelled_language_switcher_that_works_without_javascript(client):
    html = client.get(LOGIN + "?next=/exports/").content.decode()
    form = re.search(r'<form class="language-switcher".*?</form>', html, re.S).group(0)
    assert 'method="post" action="/i18n/setlang/"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/accounts/login/?next=/exports/">' in form
    assert '<label for="language-select">Language</label>' in form
    assert '<select id="language-select" name="language">' in form
    assert '<option value="en" lang="en" selected>English</option>' in form
    assert '<option value="kk" lang="kk">Қазақ</option>' in form
    assert '<button type="submit">Change</button>' in form


@pytest.mark.django_db
def test_the_switcher_changes_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "kk", "next": LOGIN})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"

    html = client.get(LOGIN).content.decode()
    assert '<html lang="kk">' in html and ">Кіру</button>" in html
    assert '<label for="language-select">Тіл</label>' in html
    assert '<option value="kk" lang="kk" selected>Қазақ</option>' in html
    assert '<button type="submit">Өзгерту</button>' in html

    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert ">Sign in</button>" in client.get(LOGIN).content.decode()


def test_the_switcher_keeps_a_signed_in_user_on_the_same_page(admin_client, busy_connection):
    response = admin_client.post(
        "/i18n/setlang/", {"language": "kk", "next": CONNECTIONS + "discover/"}, follow=True
    )
    assert response.redirect_chain == [(CONNECTIONS + "discover/", 302)]
    html = response.content.decode()
    assert "<h1>Қосылымдар</h1>" in html and "Экспорттаулар үшін" in html


@pytest.mark.django_db
def test_the_switcher_never_sends_anyone_off_site(client):
    response = client.post(
        "/i18n/setlang/", {"language": "kk", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"
