"""Verify of Azure Blob Storage and ADLS Gen2 against Azurite on a loopback port, over
HTTPS with the tests' own CA (tests/servers)."""

import base64
from urllib.parse import urlsplit

import pytest

from connections_admin.connection_types.builtin import AzureBlobStorage, AzureDataLakeGen2
from connections_admin.connection_types.checks import CheckContext
from connections_admin.outbound.failures import CheckFailed, Failure
from connections_admin.outbound.net import Deadline


@pytest.fixture
def azure(settings, azurite_server):
    port = urlsplit(azurite_server.endpoint).port
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.CONNECTIONS_OUTBOUND_TEST_HOSTS = {"blob.test": ["127.0.0.1"]}
    settings.CONNECTIONS_OUTBOUND_EXTRA_CA_FILE = azurite_server.ca_file
    settings.CONNECTIONS_AZURE_BLOB_ENDPOINT = f"https://127.0.0.1:{port}/{{account}}"
    return azurite_server


def context(server, *, container=None, key=None):
    return CheckContext(
        settings={"account_name": server.account_name, "container": container or server.container},
        secrets={"account_key": key or server.account_key},
        deadline=Deadline(15),
    )


def failure_of(check_context, type_=AzureBlobStorage):
    with pytest.raises(CheckFailed) as failed:
        type_.check.run(check_context)
    return failed.value


@pytest.mark.parametrize("type_", [AzureBlobStorage, AzureDataLakeGen2])
def test_the_right_key_writes_and_deletes_a_probe_blob(azure, type_):
    type_.check.run(context(azure))
    names = [
        b.name
        for b in azure.blob_service_client().get_container_client(azure.container).list_blobs()
    ]
    assert not [name for name in names if name.startswith("connections-admin-verify-")]


def test_a_wrong_key_fails_authentication(azure):
    wrong = base64.b64encode(b"not the account key at all, 64 bytes long ........").decode()
    failed = failure_of(context(azure, key=wrong))
    assert failed.failure is Failure.AUTHENTICATION_FAILED
    assert wrong not in repr(failed) + failed.message


def test_a_missing_container(azure):
    assert failure_of(context(azure, container="no-such-container")).failure is Failure.NOT_FOUND


def test_an_untrusted_certificate(azure, settings):
    settings.CONNECTIONS_OUTBOUND_EXTRA_CA_FILE = ""
    assert failure_of(context(azure)).failure is Failure.TLS_UNTRUSTED


def test_an_address_outside_the_allowed_networks(azure, settings):
    settings.CONNECTIONS_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.9/32"]
    assert failure_of(context(azure)).failure is Failure.ADDRESS_NOT_ALLOWED


def test_the_endpoint_comes_from_the_account_name(settings):
    from connections_admin.connection_types.azure_check import endpoint

    settings.CONNECTIONS_AZURE_BLOB_ENDPOINT = ""
    assert endpoint("contoso") == "https://contoso.blob.core.windows.net"
