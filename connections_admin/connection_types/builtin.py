"""The connection types that ship with the console (SPEC.md, "Connection types").

The OAuth-only services (Mailchimp, Facebook Ads Manager, Google Ads, LinkedIn Ads)
are left out until signing in with the service can be real.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import fields as f
from . import validators
from .azure_check import AzureBlobCheck
from .azure_delivery import AzureBlobDelivery
from .base import ConnectionType, Usage
from .http_checks import (
    Basic,
    Bearer,
    Document,
    HeaderKey,
    HttpCheck,
    OAuthToken,
    QueryKey,
    marketo_answer,
    synapse_workspace_listed,
)
from .sftp_check import SftpCheck
from .sftp_delivery import SftpDelivery

EXPORT = frozenset({Usage.EXPORT})
ENRICHMENT = frozenset({Usage.ENRICHMENT})
FIVE_FILES = _("At most 5 files per entity.")


class Sftp(ConnectionType):
    key = "sftp"
    name = _("SFTP")
    description = _("Export segments and customer data as files to your own SFTP server.")
    display_name_example = _("SFTP to the partner portal, weekly churn list")
    used_for = EXPORT
    fields = {
        "hostname": f.hostname(),
        "port": f.port(),
        "username": f.username(),
        "password": f.password(),
        "ssh_private_key": f.secret(
            _("SSH private key"),
            max_length=16384,
            multiline=True,
            validators_=[validators.validate_ssh_private_key],
        ),
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
    max_files = 5
    check = SftpCheck()
    delivery = SftpDelivery()

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
    display_name_example = _("Marketing Cloud SFTP, monthly newsletter audience")
    used_for = EXPORT
    fields = {
        "hostname": f.hostname(),
        "username": f.username(),
        "password": f.password(),
        "export_folder": f.export_folder(),
    }
    secret_fields = frozenset({"password"})
    limits = (FIVE_FILES,)
    max_files = 5
    check = SftpCheck()
    delivery = SftpDelivery()


class LiveRamp(ConnectionType):
    key = "liveramp"
    name = _("LiveRamp")
    description = _("Activate segments in LiveRamp, delivered over SFTP.")
    display_name_example = _("LiveRamp, audiences for paid social campaigns")
    used_for = EXPORT
    fields = {"username": f.username(), "password": f.password()}
    secret_fields = frozenset({"password"})
    # LiveRamp's file server and its upload folder ("Uploading files to LiveRamp via SFTP").
    check = SftpCheck(fixed_host="files.liveramp.com", fixed_folder="uploads")
    delivery = SftpDelivery(fixed_host="files.liveramp.com", fixed_folder="uploads")


class AzureBlobStorage(ConnectionType):
    key = "azure_blob_storage"
    name = _("Azure Blob Storage")
    description = _("Write customer data and segments as files to an Azure Blob Storage container.")
    display_name_example = _("Blob Storage for finance, nightly customer files")
    used_for = EXPORT
    fields = {
        "account_name": f.azure_account_name(),
        "account_key": f.secret(
            _("Account key"), max_length=128, validators_=[validators.validate_azure_account_key]
        ),
        "container": f.azure_container(),
    }
    secret_fields = frozenset({"account_key"})
    microsoft_service = True
    check = AzureBlobCheck()
    delivery = AzureBlobDelivery()


class AzureDataLakeGen2(ConnectionType):
    key = "azure_data_lake_gen2"
    name = _("Azure Data Lake Storage Gen2")
    description = _("Write customer data to Azure Data Lake Storage Gen2 for analytics.")
    display_name_example = _("Data Lake of the analytics team, customer data")
    used_for = EXPORT
    fields = {
        "account_name": f.azure_account_name(),
        "account_key": f.secret(
            _("Account key"), max_length=128, validators_=[validators.validate_azure_account_key]
        ),
        "container": f.azure_container(),
    }
    secret_fields = frozenset({"account_key"})
    microsoft_service = True
    check = AzureBlobCheck()
    delivery = AzureBlobDelivery()


def microsoft_token(scope: str) -> OAuthToken:
    """The console's own app registration (CONNECTIONS_MICROSOFT_APP) asks the Microsoft
    identity platform for a token for ``scope`` (client credentials flow)."""
    return OAuthToken(
        base_url="https://login.microsoftonline.com",
        path="/{tenant_id}/oauth2/v2.0/token",
        form={
            "grant_type": "client_credentials",
            "client_id": "{client_id}",
            "client_secret": "{client_secret}",
            "scope": scope,
        },
    )


class AzureSynapse(ConnectionType):
    key = "azure_synapse"
    name = _("Azure Synapse Analytics")
    description = _("Make customer data available in an Azure Synapse Analytics workspace.")
    display_name_example = _("Synapse workspace of the BI team")
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
    # Assumed in the console's own organization: the console's app registration
    # (settings.CONNECTIONS_MICROSOFT_APP: tenant_id, client_id, client_secret) gets an
    # Azure Resource Manager token, then lists the subscription's Synapse workspaces
    # ("Workspaces - List", Azure REST API reference,
    # https://learn.microsoft.com/en-us/rest/api/synapse/workspaces/list); the workspace
    # must be among them. Token: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
    check = HttpCheck(
        method="GET",
        base_url="https://management.azure.com",
        path="/subscriptions/{subscription}/providers/Microsoft.Synapse/workspaces",
        query={"api-version": "2021-06-01"},
        auth=microsoft_token("https://management.azure.com/.default"),
        document=Document(
            "Azure REST API reference: Synapse Workspaces - List",
            "https://learn.microsoft.com/en-us/rest/api/synapse/workspaces/list",
        ),
        not_found_means_missing=True,
        answer_check=synapse_workspace_listed,
        values_setting="CONNECTIONS_MICROSOFT_APP",
        setting_secrets=frozenset({"client_secret"}),
    )


# Assumed in the console's own organization: the console's app registration
# (settings.CONNECTIONS_MICROSOFT_APP: tenant_id, client_id, client_secret) gets a
# token for the environment, then calls the Dataverse Web API's WhoAmI function
# ("WhoAmI Function", https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/reference/whoami).
# Token: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
def dataverse_whoami() -> HttpCheck:
    """A check of its own for each Dynamics type (a check knows the type it belongs to)."""
    return HttpCheck(
        method="GET",
        base_url="{server_address}",
        path="/api/data/v9.2/WhoAmI",
        auth=microsoft_token("{server_address}/.default"),
        document=Document(
            "Microsoft Dataverse Web API reference: WhoAmI Function",
            "https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/reference/whoami",
        ),
        values_setting="CONNECTIONS_MICROSOFT_APP",
        setting_secrets=frozenset({"client_secret"}),
    )


class Dynamics365Marketing(ConnectionType):
    key = "dynamics365_marketing"
    name = _("Dynamics 365 Marketing")
    description = _("Use segments as marketing lists and contacts in Dynamics 365 Marketing.")
    display_name_example = _("Dynamics 365 Marketing, event invitations")
    used_for = EXPORT
    fields = {
        "server_address": f.dynamics_server_address(),
        "server_admin_account": f.dynamics_admin_account(),
    }
    microsoft_service = True
    check = dataverse_whoami()


class Dynamics365Sales(ConnectionType):
    key = "dynamics365_sales"
    name = _("Dynamics 365 Sales")
    description = _("Send segments to Dynamics 365 Sales as marketing lists.")
    display_name_example = _("Dynamics 365 Sales, lists for key account managers")
    used_for = EXPORT
    fields = {
        "server_address": f.dynamics_server_address(),
        "server_admin_account": f.dynamics_admin_account(),
    }
    microsoft_service = True
    limits = (_("At most 100,000 members per segment."),)
    check = dataverse_whoami()


class Marketo(ConnectionType):
    key = "marketo"
    name = _("Marketo")
    description = _("Add the members of segments to Marketo static lists.")
    display_name_example = _("Marketo, lead nurturing lists")
    used_for = EXPORT
    fields = {
        "client_id": f.text(_("Client ID"), max_length=100),
        "client_secret": f.secret(_("Client secret")),
        "rest_hostname": f.rest_hostname(),
    }
    secret_fields = frozenset({"client_secret"})
    limits = (_("Marketo list IDs are numeric."),)
    # Marketo REST API "Authentication": an access token from the instance's Identity
    # service (POST, so the secret stays out of URLs), then "Get Lists" with one list.
    # https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/authentication
    # Marketo reports token and permission errors inside a 200 (marketo_answer).
    check = HttpCheck(
        method="GET",
        base_url="https://{rest_hostname}",
        path="/rest/v1/lists.json",
        query={"batchSize": "1"},
        auth=OAuthToken(
            base_url="https://{rest_hostname}",
            path="/identity/oauth/token",
            form={
                "grant_type": "client_credentials",
                "client_id": "{client_id}",
                "client_secret": "{client_secret}",
            },
        ),
        document=Document(
            "Marketo REST API: Authentication; Lead Database: Get Lists",
            "https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/authentication",
        ),
        answer_check=marketo_answer,
    )


class ActiveCampaign(ConnectionType):
    key = "activecampaign"
    name = _("ActiveCampaign")
    description = _("Send segments to ActiveCampaign as contact lists.")
    display_name_example = _("ActiveCampaign, welcome series contacts")
    used_for = EXPORT
    fields = {"api_key": f.api_key(), "rest_hostname": f.rest_hostname()}
    fields["rest_hostname"].help_text = _("Without https://, for example account.api-us1.com.")
    secret_fields = frozenset({"api_key"})
    # ActiveCampaign API v3 "Retrieve logged-in user", on the account's own API URL.
    check = HttpCheck(
        method="GET",
        base_url="https://{rest_hostname}",
        path="/api/3/users/me",
        auth=HeaderKey("Api-Token"),
        document=Document(
            "ActiveCampaign API reference: Retrieve logged-in user",
            "https://developers.activecampaign.com/reference/retrieve-logged-in-user",
        ),
    )


class ApiKeyExport(ConnectionType):
    """An export service that needs only an API key."""

    used_for = EXPORT
    fields = {"api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})


class SendGrid(ApiKeyExport):
    key = "sendgrid"
    name = _("SendGrid")
    description = _("Send segments to SendGrid as contact lists for e-mail campaigns.")
    display_name_example = _("SendGrid, product newsletter")
    # Returns the scopes of the key used: any valid key may call it.
    check = HttpCheck(
        method="GET",
        base_url="https://api.sendgrid.com",
        path="/v3/scopes",
        auth=Bearer("api_key"),
        document=Document(
            "Twilio SendGrid API reference: "
            "Retrieve a list of scopes for which this user has access",
            "https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access",
        ),
    )


class Klaviyo(ApiKeyExport):
    key = "klaviyo"
    name = _("Klaviyo")
    description = _("Send segments to Klaviyo lists for e-mail and SMS marketing.")
    display_name_example = _("Klaviyo, abandoned basket reminders")
    # Klaviyo documents Get Accounts for testing that a private key belongs to the account.
    check = HttpCheck(
        method="GET",
        base_url="https://a.klaviyo.com",
        path="/api/accounts",
        auth=Bearer("api_key", scheme="Klaviyo-API-Key"),
        headers={"revision": "2024-10-15", "Accept": "application/vnd.api+json"},
        document=Document(
            "Klaviyo API reference: Get Accounts",
            "https://developers.klaviyo.com/en/reference/get_accounts",
        ),
    )


class Sendinblue(ApiKeyExport):
    key = "sendinblue"
    name = _("Sendinblue")
    description = _("Send segments to Sendinblue contact lists.")
    display_name_example = _("Sendinblue, monthly offers")
    # Brevo (formerly Sendinblue) "Get account details"; the API key goes in ``api-key``.
    check = HttpCheck(
        method="GET",
        base_url="https://api.brevo.com",
        path="/v3/account",
        auth=HeaderKey("api-key"),
        document=Document(
            "Brevo API reference: Get account details",
            "https://developers.brevo.com/reference/get-account",
        ),
    )


class Omnisend(ApiKeyExport):
    key = "omnisend"
    name = _("Omnisend")
    description = _("Send segments to Omnisend for e-commerce marketing.")
    display_name_example = _("Omnisend, web shop promotions")
    # Omnisend API v5 "Get information about brand" (scope brands.read), key in X-API-KEY.
    check = HttpCheck(
        method="GET",
        base_url="https://api.omnisend.com",
        path="/v5/brands/current",
        auth=HeaderKey("X-API-KEY"),
        document=Document(
            "Omnisend API v5 reference: Get information about brand",
            "https://api-docs.omnisend.com/reference/brands-1",
        ),
    )


class Iterable(ApiKeyExport):
    key = "iterable"
    name = _("Iterable")
    description = _("Send segments to Iterable lists for cross-channel campaigns.")
    display_name_example = _("Iterable, win-back campaign")
    # Iterable documents no credential check; Get lists is the read this export needs.
    check = HttpCheck(
        method="GET",
        base_url="https://api.iterable.com",
        path="/api/lists",
        auth=HeaderKey("Api-Key"),
        document=Document(
            "Iterable API reference: Get lists (GET /api/lists)",
            "https://api.iterable.com/api/docs#lists_getLists",
        ),
    )


class Braze(ApiKeyExport):
    key = "braze"
    name = _("Braze")
    description = _("Send segments to Braze for customer engagement campaigns.")
    display_name_example = _("Braze, mobile app engagement")
    # Braze documents no credential check; "Export segment list" (permission
    # segments.list) is the smallest read. The REST endpoint depends on the account's
    # instance (Braze "API overview", Endpoints); the type has no field for it, so the
    # US-01 instance is the default and settings may move it.
    check = HttpCheck(
        method="GET",
        base_url="https://rest.iad-01.braze.com",
        path="/segments/list",
        query={"page": "0"},
        auth=Bearer("api_key"),
        document=Document(
            "Braze REST API: Export segment list",
            "https://www.braze.com/docs/api/endpoints/export/segments/get_segment",
        ),
    )


class MoEngage(ConnectionType):
    key = "moengage"
    name = _("MoEngage")
    description = _("Send segments to MoEngage for customer engagement.")
    display_name_example = _("MoEngage, push notifications for app users")
    used_for = EXPORT
    fields = {"data_api_id": f.text(_("Data API ID"), max_length=64), "api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})
    # MoEngage REST APIs take Basic auth (Workspace/Data API ID : API key) plus the
    # MOE-APPKEY header; "List custom segments" is the smallest read. The data centre
    # (api-0X) is not a field of the type: DC-01 by default, settings may move it.
    check = HttpCheck(
        method="GET",
        base_url="https://api-01.moengage.com",
        path="/v3/custom-segments",
        auth=Basic("data_api_id", "api_key"),
        headers={"MOE-APPKEY": "{data_api_id}"},
        document=Document(
            "MoEngage Custom Segments API: List custom segments",
            "https://developers.moengage.com/hc/en-us",
        ),
    )


class DotDigital(ConnectionType):
    key = "dotdigital"
    name = _("DotDigital")
    description = _("Send segments to a DotDigital address book.")
    display_name_example = _("DotDigital address book, event invitations")
    used_for = EXPORT
    fields = {
        "api_username": f.username(_("API username")),
        "api_password": f.password(_("API password")),
        "address_book_id": f.numeric_id(_("Address book ID")),
    }
    secret_fields = frozenset({"api_password"})
    # Dotdigital API v2 "Get account information", with the API user's Basic auth; it
    # answers on r1 for every region (it is how a client learns its region's endpoint).
    check = HttpCheck(
        method="GET",
        base_url="https://r1-api.dotdigital.com",
        path="/v2/account-info",
        auth=Basic("api_username", "api_password"),
        document=Document(
            "Dotdigital API v2 reference: Get account information",
            "https://developer.dotdigital.com/reference/get-account-information",
        ),
    )


class Leadspace(ConnectionType):
    key = "leadspace"
    name = _("Leadspace")
    description = _("Enrich business customer profiles with Leadspace company data.")
    display_name_example = _("Leadspace, company data for B2B accounts")
    used_for = ENRICHMENT
    fields = {"token": f.secret(_("Token"))}
    secret_fields = frozenset({"token"})
    # Leadspace documents no credential check. Polling the results of a bulk id that does
    # not exist is a read that costs no credit: 401 for a bad token, 404 ("results not
    # found") for a good one.
    check = HttpCheck(
        method="GET",
        base_url="https://apigw.leadspace.com",
        path="/v3/enrichment/results/connections-admin-verify",
        auth=Bearer("token"),
        ok_statuses=frozenset({200, 204, 404}),
        document=Document(
            "Leadspace Enrichment API: Poll for bulk enrichment results",
            "https://apigw.leadspace.com",
        ),
    )


class Experian(ConnectionType):
    key = "experian"
    name = _("Experian")
    description = _("Enrich customer profiles with Experian demographic data.")
    display_name_example = _("Experian, demographics for the loyalty programme")
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
    display_name_example = _("HERE, geocoding of store customers")
    used_for = ENRICHMENT
    fields = {"api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})
    # HERE takes an API key only as the apiKey query parameter; one geocode, one result.
    check = HttpCheck(
        method="GET",
        base_url="https://geocode.search.hereapi.com",
        path="/v1/geocode",
        query={"q": "Invalidenstrasse 116, Berlin", "limit": "1"},
        auth=QueryKey("apiKey"),
        document=Document(
            "HERE Geocoding and Search API v7 reference: Geocode",
            "https://www.here.com/docs/bundle/geocoding-and-search-api-v7-api-reference/page/index.html",
        ),
    )


class AzureMaps(ConnectionType):
    key = "azure_maps"
    name = _("Azure Maps")
    description = _("Enrich addresses with Azure Maps location data.")
    display_name_example = _("Azure Maps, geocoding of delivery addresses")
    used_for = ENRICHMENT
    fields = {"api_key": f.api_key()}
    secret_fields = frozenset({"api_key"})
    microsoft_service = True
    # Azure Maps shared-key auth in the subscription-key header; one geocode, one result.
    check = HttpCheck(
        method="GET",
        base_url="https://atlas.microsoft.com",
        path="/geocode",
        query={"api-version": "2023-06-01", "query": "1 Microsoft Way, Redmond", "top": "1"},
        auth=HeaderKey("subscription-key"),
        document=Document(
            "Azure Maps REST API reference: Search - Get Geocoding",
            "https://learn.microsoft.com/en-us/rest/api/maps/search/get-geocoding",
        ),
    )


class SftpCustomImport(ConnectionType):
    key = "sftp_custom_import"
    name = _("SFTP custom import")
    description = _("Import your own enrichment data from files on an SFTP server.")
    display_name_example = _("SFTP import of partner scores, weekly")
    used_for = ENRICHMENT
    fields = {
        "hostname": f.hostname(),
        "port": f.port(),
        "username": f.username(),
        "password": f.password(),
    }
    secret_fields = frozenset({"password"})
    # The console reads from this server: the check lists the login folder, writes nothing.
    check = SftpCheck(fixed_folder=".", write_probe=False)


class DunAndBradstreet(ConnectionType):
    key = "dun_bradstreet"
    name = _("Dun & Bradstreet")
    description = _("Enrich business customers with Dun & Bradstreet company data.")
    display_name_example = _("Dun & Bradstreet, company data for business customers")
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
    # D&B Direct+ "Authentication": the token request itself (Basic of the Direct+
    # credentials, JSON grant_type) is the cheapest authenticated call; every Direct+
    # data read is billed.
    check = HttpCheck(
        method="POST",
        base_url="https://plus.dnb.com",
        path="/v3/token",
        auth=Basic("username", "password"),
        json_body={"grant_type": "client_credentials"},
        auth_statuses=frozenset({400, 401, 403}),
        document=Document(
            "D&B Direct+ API: Authentication (Generate Direct+ access token, v3)",
            "https://directplus.documentation.dnb.com/openAPI.html?apiID=authenticationV3",
        ),
    )


class LiveRampAbiliTec(ConnectionType):
    key = "liveramp_abilitec"
    name = _("LiveRamp AbiliTec")
    description = _("Resolve customer identities with LiveRamp AbiliTec IDs.")
    display_name_example = _("LiveRamp AbiliTec, identity resolution for the CRM")
    used_for = ENRICHMENT
    fields = {
        "client_id": f.text(_("Client ID"), max_length=100),
        "client_secret": f.secret(_("Client secret")),
    }
    secret_fields = frozenset({"client_secret"})
    # AbiliTec API "About AbiliTec Authentication": the client-credentials token request
    # is the authenticated call; Match and Lookup calls are billed.
    check = HttpCheck(
        method="POST",
        base_url="https://us.identity.api.liveramp.com",
        path="/token",
        auth=None,
        form_body={
            "grant_type": "client_credentials",
            "client_id": "{client_id}",
            "client_secret": "{client_secret}",
        },
        auth_statuses=frozenset({400, 401, 403}),
        document=Document(
            "LiveRamp AbiliTec API: About AbiliTec Authentication",
            "https://developers.liveramp.com/abilitec-api/docs/getting-started-1",
        ),
    )


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
