"""The built-in connection types, checked through the set-up form (SPEC.md, "Connection types")."""

import asyncssh
import pytest

from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections.forms import ConnectionForm

# A real key: the form checks that SSH can read it.
SSH_KEY = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()

# Good set-up values for every registered type, as a browser would post them.
GOOD = {
    "sftp": {
        "hostname": "sftp.partner.example.com",
        "port": "2222",
        "username": "exporter",
        "password": "sftp-Pa55word",
        "ssh_private_key": SSH_KEY,
        "export_folder": "exports/weekly",
        "compression": "unzipped",
        "field_delimiter": "tab",
    },
    "salesforce_marketing_cloud": {
        "hostname": "mc123abc.ftp.marketingcloudops.com",
        "username": "sfmc-user",
        "password": "sfmc-Pa55word",
        "export_folder": "import",
    },
    "liveramp": {"username": "lr-user", "password": "lr-Pa55word"},
    "azure_blob_storage": {
        "account_name": "contosoexports",
        "account_key": "bXlBenVyZUJsb2JLZXk=",
        "container": "segments",
    },
    "azure_data_lake_gen2": {
        "account_name": "contosolake01",
        "account_key": "bXlEYXRhTGFrZUtleQ==",
        "container": "customer-data",
    },
    "azure_synapse": {
        "subscription": "12345678-90ab-cdef-1234-567890ABCDEF",
        "workspace": "contoso-ws",
        "storage_account": "contososynapse",
        "container": "synapse-data",
    },
    "dynamics365_marketing": {
        "server_address": "https://contoso.crm.dynamics.com",
        "server_admin_account": "admin@contoso.com",
    },
    "dynamics365_sales": {
        "server_address": "https://contoso.crm4.dynamics.com",
        "server_admin_account": "sales-admin@contoso.com",
    },
    "marketo": {
        "client_id": "a1b2c3d4-e5f6-client",
        "client_secret": "mkto-Secret-123",
        "rest_hostname": "123-abc-456.mktorest.com",
    },
    "activecampaign": {"api_key": "ac-api-key-123", "rest_hostname": "account.api-us1.com"},
    "sendgrid": {"api_key": "SG.sendgrid-key"},
    "klaviyo": {"api_key": "pk_klaviyo_key"},
    "sendinblue": {"api_key": "xkeysib-sendinblue-key"},
    "omnisend": {"api_key": "omnisend-key-123"},
    "iterable": {"api_key": "iterable-key-123"},
    "braze": {"api_key": "braze-key-123"},
    "moengage": {"data_api_id": "MOE123ABC", "api_key": "moengage-key-123"},
    "dotdigital": {
        "api_username": "apiuser-123@apiconnector.com",
        "api_password": "dd-Pa55word",
        "address_book_id": "12345",
    },
    "leadspace": {"token": "leadspace-token-123"},
    "experian": {"user_id": "exp-user-1", "party_id": "1234567", "model_number": "42"},
    "here_technologies": {"api_key": "here-key-123"},
    "azure_maps": {"api_key": "azure-maps-key-123"},
    "sftp_custom_import": {
        "hostname": "files.example.org",
        "port": "22",
        "username": "importer",
        "password": "import-Pa55word",
    },
    "dun_bradstreet": {
        "username": "dnb-user",
        "password": "dnb-Pa55word",
        "region": "europe",
        "drop_folder_path": "gets/enrichment",
        "drop_folder_name": "contoso",
    },
    "liveramp_abilitec": {"client_id": "abilitec-client", "client_secret": "abilitec-secret"},
}

# The SPEC's table of set-up fields, in order; "*" marks a secret.
SPEC_FIELDS = {
    "sftp": [
        "Hostname",
        "Port",
        "Username",
        "Password*",
        "SSH private key*",
        "Export folder",
        "Compression",
        "Field delimiter",
    ],
    "salesforce_marketing_cloud": ["Hostname", "Username", "Password*", "Export folder"],
    "liveramp": ["Username", "Password*"],
    "azure_blob_storage": ["Account name", "Account key*", "Container"],
    "azure_data_lake_gen2": ["Account name", "Account key*", "Container"],
    "azure_synapse": ["Subscription", "Workspace", "Storage account", "Container"],
    "dynamics365_marketing": ["Server address", "Server admin account"],
    "dynamics365_sales": ["Server address", "Server admin account"],
    "marketo": ["Client ID", "Client secret*", "REST endpoint hostname"],
    "activecampaign": ["API key*", "REST endpoint hostname"],
    "sendgrid": ["API key*"],
    "klaviyo": ["API key*"],
    "sendinblue": ["API key*"],
    "omnisend": ["API key*"],
    "iterable": ["API key*"],
    "braze": ["API key*"],
    "moengage": ["Data API ID", "API key*"],
    "dotdigital": ["API username", "API password*", "Address book ID"],
    "leadspace": ["Token*"],
    "experian": ["User ID", "Party ID", "Model number"],
    "here_technologies": ["API key*"],
    "azure_maps": ["API key*"],
    "sftp_custom_import": ["Hostname", "Port", "Username", "Password*"],
    "dun_bradstreet": [
        "Username",
        "Password*",
        "Region",
        "Drop folder path",
        "Drop folder name",
    ],
    "liveramp_abilitec": ["Client ID", "Client secret*"],
}

SPEC_NAMES = {
    "sftp": "SFTP",
    "salesforce_marketing_cloud": "Salesforce Marketing Cloud",
    "liveramp": "LiveRamp",
    "azure_blob_storage": "Azure Blob Storage",
    "azure_data_lake_gen2": "Azure Data Lake Storage Gen2",
    "azure_synapse": "Azure Synapse Analytics",
    "dynamics365_marketing": "Dynamics 365 Marketing",
    "dynamics365_sales": "Dynamics 365 Sales",
    "marketo": "Marketo",
    "activecampaign": "ActiveCampaign",
    "sendgrid": "SendGrid",
    "klaviyo": "Klaviyo",
    "sendinblue": "Sendinblue",
    "omnisend": "Omnisend",
    "iterable": "Iterable",
    "braze": "Braze",
    "moengage": "MoEngage",
    "dotdigital": "DotDigital",
    "leadspace": "Leadspace",
    "experian": "Experian",
    "here_technologies": "HERE Technologies",
    "azure_maps": "Azure Maps",
    "sftp_custom_import": "SFTP custom import",
    "dun_bradstreet": "Dun & Bradstreet",
    "liveramp_abilitec": "LiveRamp AbiliTec",
}

ENRICHMENT_KEYS = {
    "leadspace",
    "experian",
    "here_technologies",
    "azure_maps",
    "sftp_custom_import",
    "dun_bradstreet",
    "liveramp_abilitec",
}
MICROSOFT_KEYS = {
    "dynamics365_marketing",
    "dynamics365_sales",
    "azure_blob_storage",
    "azure_data_lake_gen2",
    "azure_synapse",
    "azure_maps",
}
# SFTP takes a password *or* an SSH private key: neither is required on its own.
OPTIONAL = {("sftp", "password"), ("sftp", "ssh_private_key")}
REQUIRED_PAIRS = [
    (key, name) for key, row in GOOD.items() for name in row if (key, name) not in OPTIONAL
]
SECRET_PAIRS = [(t.key, name) for t in registry if t.key in GOOD for name in t.secret_names()]
PORT_FIELDS = {"port"}


def make_form(key, *, consent=True, display_name="Test connection", **overrides):
    data = {"display_name": display_name, **GOOD[key], **overrides}
    if consent:
        data["consent"] = "on"
    return ConnectionForm(data, connection_type=registry.get(key))


def expected_values(key, **overrides):
    values = {**GOOD[key], **overrides}
    return {name: int(v) if name in PORT_FIELDS else v for name, v in values.items()}


def assert_only_error(form, field, fragment):
    assert not form.is_valid()
    assert set(form.errors) == {field}, form.errors
    messages = form.errors[field]
    assert any(fragment in message for message in messages), messages


# --- the table covers the catalog ----------------------------------------------------------


def test_every_registered_type_has_a_row_of_good_values():
    registered = {t.key for t in registry}
    assert registered - set(GOOD) == set(), "registered types without good values"
    assert set(GOOD) - registered == set(), "good values for types that are not registered"
    assert len(registry) == 25


def test_every_registered_type_has_a_spec_row():
    assert {t.key for t in registry} == set(SPEC_FIELDS) == set(SPEC_NAMES)


# --- good values ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(GOOD))
def test_good_values_are_valid_and_come_back_as_setup_values(key):
    connection_type = registry.get(key)
    assert set(GOOD[key]) == set(connection_type.fields)
    form = make_form(key)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["display_name"] == "Test connection"
    assert form.setup_values() == expected_values(key)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["sftp", "sftp_custom_import"])
def test_port_comes_back_as_an_int(key):
    form = make_form(key, port="2200")
    assert form.is_valid(), form.errors
    assert form.setup_values()["port"] == 2200
    assert isinstance(form.setup_values()["port"], int)


@pytest.mark.django_db
def test_sftp_with_only_an_ssh_key_is_valid():
    form = make_form("sftp", password="")
    assert form.is_valid(), form.errors
    assert form.setup_values()["ssh_private_key"] == SSH_KEY


@pytest.mark.django_db
def test_sftp_with_only_a_password_is_valid():
    form = make_form("sftp", ssh_private_key="")
    assert form.is_valid(), form.errors
    assert form.setup_values()["password"] == "sftp-Pa55word"


@pytest.mark.django_db
def test_sftp_with_neither_password_nor_ssh_key_errs_on_password():
    form = make_form("sftp", password="", ssh_private_key="")
    assert_only_error(form, "password", "Give a password or an SSH private key.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        ("dynamics365_marketing", "server_address", "https://contoso.crm4.dynamics.com"),
        ("dynamics365_sales", "server_address", "https://contoso.crm4.dynamics.com"),
        ("dynamics365_sales", "server_address", "https://contoso.crm.dynamics.com/"),
        ("sftp", "hostname", "a" * 63 + ".example.com"),
        ("sftp", "hostname", "8.8.8.8"),
        ("sftp", "hostname", "SFTP.Example.COM"),
        ("sftp", "port", "1"),
        ("sftp", "port", "65535"),
        ("sftp", "export_folder", "exports/customers_2024.v1"),
        ("azure_blob_storage", "account_name", "abc"),
        ("azure_blob_storage", "container", "a-b-c"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_good_edge_values_are_accepted(key, field, value):
    form = make_form(key, **{field: value})
    assert form.is_valid(), form.errors


# --- required fields -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "field"), REQUIRED_PAIRS, ids=[f"{k}-{f}" for k, f in REQUIRED_PAIRS]
)
def test_leaving_a_required_field_empty_errs_on_that_field(key, field):
    form = make_form(key, **{field: ""})
    assert_only_error(form, field, "This field is required.")


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(GOOD))
def test_display_name_is_required(key):
    form = make_form(key, display_name="   ")
    assert_only_error(form, "display_name", "This field is required.")


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["sftp", "leadspace", "dynamics365_sales"])
def test_missing_consent_errs_on_consent(key):
    form = make_form(key, consent=False)
    assert_only_error(form, "consent", "I agree")


# --- bad values ----------------------------------------------------------------------------

SCHEME = "without a scheme"
NOT_A_HOSTNAME = "Enter a hostname such as"
LOCAL = "not a local one"
INTERNAL = "The address is not allowed."
DYNAMICS = "https://ORG.crm.dynamics.com"
ACCOUNT = "Enter 3 to 24 lowercase letters and digits."
CONTAINER = "Enter 3 to 63 lowercase letters, digits and single hyphens"
FOLDER = "Use lowercase letters, digits"

BAD = [
    # hostnames, on every type that has one
    *[
        (key, "hostname", value, fragment)
        for key in ("sftp", "salesforce_marketing_cloud", "sftp_custom_import")
        for value, fragment in [
            ("https://sftp.example.com", SCHEME),
            ("sftp://sftp.example.com", SCHEME),
            ("bad host!", NOT_A_HOSTNAME),
            ("sftp.example.com:22", NOT_A_HOSTNAME),
            ("sftp.example.com/path", NOT_A_HOSTNAME),
            ("a" * 64 + ".example.com", NOT_A_HOSTNAME),
            ("localhost", LOCAL),
            ("files.local", LOCAL),
            ("10.0.0.5", INTERNAL),
            ("127.0.0.1", INTERNAL),
            ("192.168.1.10", INTERNAL),
            ("169.254.169.254", INTERNAL),
            ("::1", INTERNAL),
        ]
    ],
    # ports
    *[
        (key, "port", value, fragment)
        for key in ("sftp", "sftp_custom_import")
        for value, fragment in [
            ("0", "greater than or equal to 1"),
            ("65536", "less than or equal to 65535"),
            ("abc", "Enter a whole number."),
        ]
    ],
    # export folders
    *[
        (key, "export_folder", value, fragment)
        for key in ("sftp", "salesforce_marketing_cloud")
        for value, fragment in [
            ("Exports/Weekly", "lowercase"),
            ("../etc", FOLDER),
            ("exports/../../etc", FOLDER),
            ("exports weekly", FOLDER),
        ]
    ],
    ("dun_bradstreet", "drop_folder_path", "../etc", FOLDER),
    ("dun_bradstreet", "drop_folder_path", "Gets/Enrichment", "lowercase"),
    ("dun_bradstreet", "region", "antarctica", "Select a valid choice"),
    ("sftp", "compression", "zip", "Select a valid choice"),
    ("sftp", "field_delimiter", "colon", "Select a valid choice"),
    # Dynamics 365
    *[
        (key, field, value, fragment)
        for key in ("dynamics365_marketing", "dynamics365_sales")
        for field, value, fragment in [
            ("server_address", "http://contoso.crm.dynamics.com", DYNAMICS),
            ("server_address", "https://contoso.example.com", DYNAMICS),
            ("server_address", "contoso.crm.dynamics.com", DYNAMICS),
            ("server_address", "https://contoso.crm.dynamics.com.evil.example", DYNAMICS),
            ("server_admin_account", "admin", "Enter a valid email address."),
            ("server_admin_account", "admin@", "Enter a valid email address."),
        ]
    ],
    # REST endpoint hostnames
    ("marketo", "rest_hostname", "https://123-abc-456.mktorest.com", SCHEME),
    ("activecampaign", "rest_hostname", "https://account.api-us1.com", SCHEME),
    ("marketo", "rest_hostname", "localhost", LOCAL),
    # numeric IDs and tokens
    ("dotdigital", "address_book_id", "12a", "Enter digits only."),
    ("experian", "party_id", "P-100", "Enter digits only."),
    ("experian", "model_number", "12.5", "Enter digits only."),
    ("experian", "user_id", "exp user", "Remove the spaces"),
    # Azure
    *[
        (key, field, value, fragment)
        for key, account in [
            ("azure_blob_storage", "account_name"),
            ("azure_data_lake_gen2", "account_name"),
            ("azure_synapse", "storage_account"),
        ]
        for field, value, fragment in [
            (account, "Contoso", ACCOUNT),
            (account, "ab", ACCOUNT),
            (account, "contoso-exports", ACCOUNT),
            ("container", "-bad", CONTAINER),
            ("container", "a--b", CONTAINER),
            ("container", "bad-", CONTAINER),
            ("container", "ab", CONTAINER),
            ("container", "Segments", CONTAINER),
        ]
    ],
    ("azure_synapse", "subscription", "not-a-guid", "Enter the subscription ID"),
    ("azure_synapse", "workspace", "Contoso_WS", "Enter 1 to 50 lowercase"),
    # secrets over their max_length
    ("sftp", "password", "p" * 257, "at most 256 characters"),
    ("sftp", "ssh_private_key", "k" * 16385, "at most 16384 characters"),
    ("azure_blob_storage", "account_key", "k" * 129, "at most 128 characters"),
    ("leadspace", "token", "t" * 257, "at most 256 characters"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "field", "value", "fragment"),
    BAD,
    ids=[f"{k}-{f}-{v[:24]}" for k, f, v, _ in BAD],
)
def test_bad_value_errs_on_that_field(key, field, value, fragment):
    form = make_form(key, **{field: value})
    assert_only_error(form, field, fragment)


@pytest.mark.django_db
def test_display_name_over_100_characters_is_rejected():
    form = make_form("sftp", display_name="d" * 101)
    assert_only_error(form, "display_name", "at most 100 characters")
    assert make_form("sftp", display_name="d" * 100).is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        pytest.param("127.1", "four numbers separated by dots", id="short-dotted-loopback"),
        pytest.param("10.1", "four numbers separated by dots", id="short-dotted-private"),
        pytest.param("2130706433", "four numbers separated by dots", id="decimal-loopback"),
        pytest.param("0x7f000001", "four numbers separated by dots", id="hex-loopback"),
        pytest.param("0177.0.0.1", "four numbers separated by dots", id="octal-loopback"),
        pytest.param("localho\u017ft", NOT_A_HOSTNAME, id="long-s-localhost-idna"),
    ],
)
def test_hostname_refuses_other_spellings_of_internal_addresses(value, fragment):
    # Each of these resolves to 127.0.0.1 or 10.0.0.1 through getaddrinfo/inet_aton
    # (the last one through the IDNA mapping of U+017F to "s").
    form = make_form("sftp", hostname=value)
    assert_only_error(form, "hostname", fragment)


# --- secrets are never rendered ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "field"), SECRET_PAIRS, ids=[f"{k}-{f}" for k, f in SECRET_PAIRS])
def test_secret_fields_never_render_their_value(key, field):
    marker = f"SECRET-marker-{field}-7c1e"
    form = make_form(key, consent=False, display_name="Rendered display name", **{field: marker})
    assert not form.is_valid()
    assert "consent" in form.errors  # the form comes back with an error elsewhere
    assert form.data[field] == marker
    html = str(form[field])
    assert f'name="{field}"' in html
    assert marker not in html
    page = form.as_div()
    assert "Rendered display name" in page  # bound values are rendered in general
    assert marker not in page


@pytest.mark.django_db
def test_sftp_password_and_ssh_key_widgets_do_not_echo_after_an_error():
    form = make_form(
        "sftp", hostname="bad host!", password="pw-marker-5521", ssh_private_key=SSH_KEY
    )
    assert "hostname" in form.errors
    password_html = str(form["password"])
    key_html = str(form["ssh_private_key"])
    assert 'type="password"' in password_html
    assert "pw-marker-5521" not in password_html
    assert key_html.startswith("<textarea")
    assert "b3BlbnNzaC1rZXktdjEAAAAA" not in key_html
    assert "sftp.partner" not in str(form["hostname"])  # hostname shows the posted bad value
    assert "bad host!" in str(form["hostname"])


# --- what each type declares ---------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SPEC_NAMES))
def test_type_declares_name_description_and_usage(key):
    connection_type = registry.get(key)
    assert str(connection_type.name) == SPEC_NAMES[key]
    assert str(connection_type.description).strip()
    assert connection_type.used_for
    expected = {Usage.ENRICHMENT} if key in ENRICHMENT_KEYS else {Usage.EXPORT}
    assert set(connection_type.used_for) == expected


@pytest.mark.parametrize("key", sorted(SPEC_FIELDS))
def test_type_fields_have_the_spec_labels_and_secrets(key):
    connection_type = registry.get(key)
    labels = [str(field.label) for field in connection_type.fields.values()]
    assert labels == [label.rstrip("*") for label in SPEC_FIELDS[key]]
    assert set(connection_type.secret_fields) <= set(connection_type.fields)
    secret_labels = {str(connection_type.fields[n].label) for n in connection_type.secret_fields}
    assert secret_labels == {label[:-1] for label in SPEC_FIELDS[key] if label.endswith("*")}


def test_sftp_field_labels():
    sftp = registry.get("sftp")
    assert {name: str(field.label) for name, field in sftp.fields.items()} == {
        "hostname": "Hostname",
        "port": "Port",
        "username": "Username",
        "password": "Password",
        "ssh_private_key": "SSH private key",
        "export_folder": "Export folder",
        "compression": "Compression",
        "field_delimiter": "Field delimiter",
    }
    assert sftp.fields["port"].initial == 22


@pytest.mark.parametrize("key", sorted(SPEC_NAMES))
def test_microsoft_services_are_flagged(key):
    assert registry.get(key).microsoft_service is (key in MICROSOFT_KEYS)


@pytest.mark.parametrize(
    "key", ["mailchimp", "facebook_ads", "facebook_ads_manager", "google_ads", "linkedin_ads"]
)
def test_oauth_only_types_are_not_registered(key):
    assert key not in registry


def test_oauth_only_services_are_not_registered_under_any_key():
    names = " ".join(str(t.name).casefold() for t in registry)
    for service in ["mailchimp", "facebook", "google ads", "linkedin"]:
        assert service not in names


# --- limits from SPEC ----------------------------------------------------------------------


def limits_text(key):
    return " ".join(str(limit) for limit in registry.get(key).limits)


@pytest.mark.parametrize("key", ["sftp", "salesforce_marketing_cloud"])
def test_sftp_exports_declare_five_files_per_entity(key):
    assert "5 files per entity" in limits_text(key)


def test_marketo_declares_numeric_list_ids():
    text = limits_text("marketo")
    assert "list IDs" in text and "numeric" in text


def test_dynamics_sales_declares_100000_members():
    assert "100,000 members" in limits_text("dynamics365_sales")


def test_types_without_spec_limits_declare_none():
    with_limits = {t.key for t in registry if t.limits}
    assert with_limits == {"sftp", "salesforce_marketing_cloud", "marketo", "dynamics365_sales"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "not a key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----",
        asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode(),
    ],
)
def test_a_private_key_that_ssh_cannot_read_is_refused_at_save(value):
    form = make_form("sftp", ssh_private_key=value)
    assert not form.is_valid()
    assert "Paste an SSH private key without a passphrase" in str(form.errors["ssh_private_key"])


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["azure_blob_storage", "azure_data_lake_gen2"])
@pytest.mark.parametrize("value", ["not base64!", "====", "abc"])
def test_an_account_key_that_is_not_base64_is_refused_at_save(key, value):
    form = make_form(key, account_key=value)
    assert not form.is_valid()
    assert "Paste the account key as Azure shows it" in str(form.errors["account_key"])
