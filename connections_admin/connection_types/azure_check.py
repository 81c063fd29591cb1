"""Verify of Azure Blob Storage and Azure Data Lake Storage Gen2: authenticate with the
account key, check that the container exists, write and delete a small blob.

The Azure SDK sends its requests through ``outbound.http.requests_session`` (a requests
session whose every connection is resolved, checked and pinned by the guard), handed to it
as its transport. The endpoint comes from the account name, or, for tests, from the
setting ``CONNECTIONS_AZURE_BLOB_ENDPOINT`` (a template with ``{account}``).

``blob_container`` and ``azure_failure`` are shared with the deliveries
(``azure_delivery.py``): how the client is made, and what the service's errors mean.
"""

import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings

from connections_admin.outbound import http
from connections_admin.outbound.failures import CheckFailed, Failure

from .checks import CheckContext, CheckResult

PROBE_PREFIX = "connections-admin-verify-"


def endpoint(account: str) -> str:
    template = getattr(settings, "CONNECTIONS_AZURE_BLOB_ENDPOINT", "")
    return (template or "https://{account}.blob.core.windows.net").format(account=account)


def _guard_failure(error: BaseException) -> CheckFailed | None:
    """The guard's own CheckFailed, wherever the SDK wrapped it."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, CheckFailed):
            return error
        seen.add(id(error))
        error = getattr(error, "inner_exception", None) or error.__cause__ or error.__context__
    return None


@dataclass
class AzureContainer:
    """A container client whose requests all go through the guard; ``close`` at the end."""

    service: Any  # azure.storage.blob.BlobServiceClient
    container: Any  # azure.storage.blob.ContainerClient
    session: Any  # the guarded requests.Session

    def close(self) -> None:
        self.service.close()
        self.session.close()


def blob_container(context, *, deadline=None, **transport_options) -> AzureContainer:
    """The connection's container, through ``outbound.http.requests_session``
    (``deadline``: bounds every request; ``transport_options``: RequestsTransport's, such
    as ``connection_timeout`` and ``read_timeout``). The SDK does not retry."""
    from azure.core.pipeline.transport import RequestsTransport
    from azure.storage.blob import BlobServiceClient

    account = str(context.settings.get("account_name", ""))
    session = http.requests_session(deadline=deadline)
    transport = RequestsTransport(session=session, session_owner=False, **transport_options)
    service = BlobServiceClient(
        account_url=endpoint(account),
        credential={"account_name": account, "account_key": context.secrets["account_key"]},
        transport=transport,
        retry_total=0,
    )
    container = service.get_container_client(str(context.settings.get("container", "")))
    return AzureContainer(service, container, session)


def azure_failure(error: BaseException, *, writing: bool) -> CheckFailed | None:
    """What an Azure SDK error means, as a category; None for an error that is not the
    service's nor the connection's. 403 is NO_WRITE_PERMISSION when ``writing``."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(error, CheckFailed):
        return error
    if isinstance(error, ResourceNotFoundError):
        return CheckFailed(Failure.NOT_FOUND)
    if isinstance(error, ClientAuthenticationError):
        return CheckFailed(Failure.AUTHENTICATION_FAILED)
    if isinstance(error, HttpResponseError):
        if error.status_code == 403:
            failure = Failure.NO_WRITE_PERMISSION if writing else Failure.AUTHENTICATION_FAILED
            return CheckFailed(failure)
        return CheckFailed(Failure.SERVICE_ERROR, status=error.status_code)
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return _guard_failure(error) or CheckFailed(Failure.CONNECTION_REFUSED)
    return None


@dataclass(frozen=True)
class AzureBlobCheck:
    describe: ClassVar[str] = (
        "Authenticate with the account key, check that the container exists, and write "
        "and delete a small blob (Get Container Properties, Put Blob, Delete Blob)."
    )

    def run(self, context: CheckContext) -> CheckResult:
        from azure.core.exceptions import AzureError

        client = blob_container(context, deadline=context.deadline)
        writing = False
        try:
            client.container.get_container_properties()
            writing = True
            blob = client.container.upload_blob(
                f"{PROBE_PREFIX}{secrets.token_hex(8)}", b"connections-admin verify\n"
            )
            blob.delete_blob()
        except AzureError as error:
            failure = azure_failure(error, writing=writing)
            if failure is None:
                raise
            raise failure from None
        finally:
            client.close()
        return CheckResult()
