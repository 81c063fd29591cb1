"""The connection types that ship with the console (SPEC.md, "Connection types").

The OAuth-only services (Mailchimp, Facebook Ads Manager, Google Ads, LinkedIn Ads)
are left out until signing in with the service can be real.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import fields as f
from . import validators
from .base import ConnectionType, Usage

EXPORT = frozenset({Usage.EXPORT})
ENRICHMENT = frozenset({Usage.ENRICHMENT})
FIVE_FILES = _("At most 5 files per entity.")


class Sftp(ConnectionType):
    key = "sftp"
    name = _("SFTP")
    description = _("Export segments and customer data as files to your own SFTP server.")
    used_for = EXPORT
    fields = {
        "hostname": f.hostname(),
        "port": f.port(),
        "username": f.username(),
        "password": f.password(),
        "ssh_private_key": f.secret(_("SSH private key"), max_length=16384, multiline=True),
        "export_folder": f.export_folder(),
        "compression": forms.ChoiceField(
            label=_("Compression"),
            choices=[("gzipped", _("Gzipped")), ("unzipped", _("Unzipped"))],
            initial="gzipped",
        ),
        "field_delimiter": forms.ChoiceField(
            label=_("Field delimiter"),
            choices=[
                ("comma", _("Comma (,)")),
                ("semicolon", _("Semicolon (;)")),
                ("tab", _("Tab")),
                ("pipe", _("Pipe (|)")),
            ],
            initial="comma",
        ),
    }
    fields["password"].required = False
    fields["ssh_private_key"].required = False
    fields["password"].help_text = _("Give a password or an SSH private key.")
    secret_fields = frozenset({"password", "ssh_private_key"})
    limits = (FIVE_FILES,)

    @classmethod
    def clean(cls, values, secrets_set):
        has_password = bool(values.get("password")) or "password" in secrets_set
        has_key = bool(values.get("ssh_private_key")) or "ssh_private_key" in secrets_set
        if not (has_password or has_key):
            return {"password": _("Give a password or an SSH private key.")}
        return {}


class SalesforceMarketingCloud(ConnectionType):
    key = "salesforce_marketing_cloud"
    name = _("Salesforce Marketing Cloud")
    description = _("Send segments to Salesforce Marketing Cloud over its SFTP.")
    used_for = EXPORT
    fields = {
        "hostname": f.hostname(),
        "username": f.username(),
        "password": f.password(),
        "export_folder": f.export_folder(),
    }
    secret_fields = frozenset({"password"})
    limits = (FIVE_FILES,)


class LiveRamp(ConnectionType):
    key = "liveramp"
    name = _("LiveRamp")
    description = _("Activate segments in LiveRamp, delivered over SFTP.")
    used_for = EXPORT
    fields = {"username": f.username(), "password": f.password()}
    secret_fields = frozenset({"password"})


class AzureBlobStorage(ConnectionType):
    key = "azure_blob_storage"
    name = _("Azure Blob Storage")
    description = _("Write customer data and segments as files to an Azure Blob Storage container.")
    used_for = EXPORT
    fields = {
        "account_name": f.azure_account_name(),
        "account_key": f.secret(_("Account key"), max_length=128),
        "container": f.azure_container(),
    }
    secret_fields = frozenset({"account_key"})
    microsoft_service = True


class AzureDataLakeGen2(ConnectionType):
    key = "azure_data_lake_gen2"
    name = _("Azure Data Lake Storage Gen2")
    description = _("Write customer data to Azure Data Lake Storage Gen2 for analytics.")
    used_for = EXPORT
    fields = {
        "account_name": f.azure_account_name(),
        "account_key": f.secret(_("Account key"), max_length=128),
        "container": f.azure_container(),
    }
    secret_fields = frozenset({"account_key"})
    microsoft_service = True


class AzureSynapse(ConnectionType):
    key = "azure_synapse"
    name = _("Azure Synapse Analytics")
    description = _("Make customer data available in an Azure Synapse Analytics workspace.")
    used_for = EXPORT
    fields = {
        "subscription": f.text(
            _("Subscription"), max_length=36, validators_=[validators.validate_guid]
        ),
        "workspace": f.text(
            _("Workspace"), max_length=50, validators_=[validators.validate_azure_workspace]
        ),
        "storage_account": f.azure_account_name(_("Storage account")),
        "container": f.azure_container(),
    }
    microsoft_service = True


class Dynamics365Marketing(ConnectionType):
    key = "dynamics365_marketing"
    name = _("Dynamics 365 Marketing")
    description = _("Use segments as marketing lists and contacts in Dynamics 365 Marketing.")
    used_for = EXPORT
    fields = {
        "server_address": f.dynamics_server_address(),
        "server_admin_account": f.dynamics_admin_account(),
    }
    microsoft_service = True


class Dynamics365Sales(ConnectionType):
    key = "dynamics365_sales"
    name = _("Dynamics 365 Sales")
    description = _("Send segments to Dynamics 365 Sales as marketing lists.")
    used_for = EXPORT
    fields = {
        "server_address": f.dynamics_server_address(),
        "server_admin_account": f.dynamics_admin_account(),
    }
    microsoft_service = True
    limits = (_("At most 100,000 members per segment."),)


class Marketo(ConnectionType):
    key = "marketo"
    name = _("Marketo")
    description = _("Add the members of segments to Marketo static lists.")
    used_for = EXPORT
    fields = {
        "client_id": f.text(_("Client ID"), max_length=100),
        "client_secret": f.secret(_("Client secret")),
        "rest_hostname": f.rest_hostname(),
    }
    secret_fields = frozenset({"client_secret"})
    limits = (_("Marketo list IDs are numeric."),)


class ActiveCampaign(ConnectionType):
    key = "activecampaign"
    name = _("ActiveCampaign")
    description = _("Send segments to ActiveCampaign as contact lists.")
    used_for = EXPORT
    fields = {"api_key": f.api_key(), "rest_hostname": f.rest_hostname()}
    fields["rest_hostname"].help_text = _("Without https://, for example account.api-us1.com.")
    secret_fields = frozenset({"api_key"})


class ApiKeyExport(ConnectionType):
    """An export service that needs only an API key."""

    used_for = EXPORT
    fields = {"api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})


class SendGrid(ApiKeyExport):
    key = "sendgrid"
    name = _("SendGrid")
    description = _("Send segments to SendGrid as contact lists for e-mail campaigns.")


class Klaviyo(ApiKeyExport):
    key = "klaviyo"
    name = _("Klaviyo")
    description = _("Send segments to Klaviyo lists for e-mail and SMS marketing.")


class Sendinblue(ApiKeyExport):
    key = "sendinblue"
    name = _("Sendinblue")
    description = _("Send segments to Sendinblue contact lists.")


class Omnisend(ApiKeyExport):
    key = "omnisend"
    name = _("Omnisend")
    description = _("Send segments to Omnisend for e-commerce marketing.")


class Iterable(ApiKeyExport):
    key = "iterable"
    name = _("Iterable")
    description = _("Send segments to Iterable lists for cross-channel campaigns.")


class Braze(ApiKeyExport):
    key = "braze"
    name = _("Braze")
    description = _("Send segments to Braze for customer engagement campaigns.")


class MoEngage(ConnectionType):
    key = "moengage"
    name = _("MoEngage")
    description = _("Send segments to MoEngage for customer engagement.")
    used_for = EXPORT
    fields = {"data_api_id": f.text(_("Data API ID"), max_length=64), "api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})


class DotDigital(ConnectionType):
    key = "dotdigital"
    name = _("DotDigital")
    description = _("Send segments to a DotDigital address book.")
    used_for = EXPORT
    fields = {
        "api_username": f.username(_("API username")),
        "api_password": f.password(_("API password")),
        "address_book_id": f.numeric_id(_("Address book ID")),
    }
    secret_fields = frozenset({"api_password"})


class Leadspace(ConnectionType):
    key = "leadspace"
    name = _("Leadspace")
    description = _("Enrich business customer profiles with Leadspace company data.")
    used_for = ENRICHMENT
    fields = {"token": f.secret(_("Token"))}
    secret_fields = frozenset({"token"})


class Experian(ConnectionType):
    key = "experian"
    name = _("Experian")
    description = _("Enrich customer profiles with Experian demographic data.")
    used_for = ENRICHMENT
    fields = {
        "user_id": f.text(_("User ID"), max_length=64, validators_=[validators.validate_token]),
        "party_id": f.numeric_id(_("Party ID")),
        "model_number": f.numeric_id(_("Model number")),
    }


class HereTechnologies(ConnectionType):
    key = "here_technologies"
    name = _("HERE Technologies")
    description = _("Enrich addresses with HERE Technologies geocoding.")
    used_for = ENRICHMENT
    fields = {"api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})


class AzureMaps(ConnectionType):
    key = "azure_maps"
    name = _("Azure Maps")
    description = _("Enrich addresses with Azure Maps location data.")
    used_for = ENRICHMENT
    fields = {"api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})
    microsoft_service = True


class SftpCustomImport(ConnectionType):
    key = "sftp_custom_import"
    name = _("SFTP custom import")
    description = _("Import your own enrichment data from files on an SFTP server.")
    used_for = ENRICHMENT
    fields = {
        "hostname": f.hostname(),
        "port": f.port(),
        "username": f.username(),
        "password": f.password(),
    }
    secret_fields = frozenset({"password"})


class DunAndBradstreet(ConnectionType):
    key = "dun_bradstreet"
    name = _("Dun & Bradstreet")
    description = _("Enrich business customers with Dun & Bradstreet company data.")
    used_for = ENRICHMENT
    fields = {
        "username": f.username(),
        "password": f.password(),
        "region": forms.ChoiceField(
            label=_("Region"),
            choices=[
                ("north_america", _("North America")),
                ("europe", _("Europe")),
                ("asia_pacific", _("Asia Pacific")),
            ],
        ),
        "drop_folder_path": f.text(
            _("Drop folder path"),
            max_length=255,
            validators_=[validators.validate_export_folder],
            help_text=_("Lowercase, for example gets/enrichment."),
        ),
        "drop_folder_name": f.text(_("Drop folder name"), max_length=100),
    }
    secret_fields = frozenset({"password"})


class LiveRampAbiliTec(ConnectionType):
    key = "liveramp_abilitec"
    name = _("LiveRamp AbiliTec")
    description = _("Resolve customer identities with LiveRamp AbiliTec IDs.")
    used_for = ENRICHMENT
    fields = {
        "client_id": f.text(_("Client ID"), max_length=100),
        "client_secret": f.secret(_("Client secret")),
    }
    secret_fields = frozenset({"client_secret"})


BUILTIN_TYPES: tuple[type[ConnectionType], ...] = (
    Sftp,
    SalesforceMarketingCloud,
    LiveRamp,
    AzureBlobStorage,
    AzureDataLakeGen2,
    AzureSynapse,
    Dynamics365Marketing,
    Dynamics365Sales,
    Marketo,
    ActiveCampaign,
    SendGrid,
    Klaviyo,
    Sendinblue,
    Omnisend,
    Iterable,
    Braze,
    MoEngage,
    DotDigital,
    Leadspace,
    Experian,
    HereTechnologies,
    AzureMaps,
    SftpCustomImport,
    DunAndBradstreet,
    LiveRampAbiliTec,
)
