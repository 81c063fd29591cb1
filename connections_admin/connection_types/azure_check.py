"""Verify of Azure Blob Storage and Azure Data Lake Storage Gen2: authenticate with the
account key, check that the container exists, write and delete a small blob.

The Azure SDK sends its requests through ``outbound.http.requests_session`` (a requests
session whose every connection is resolved, checked and pinned by the guard), handed to it
as its transport. The endpoint comes from the account name, or, for tests, from the
setting ``CONNECTIONS_AZURE_BLOB_ENDPOINT`` (a template with ``{account}``).
"""

import secrets
from dataclasses import dataclass
from typing import ClassVar

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


@dataclass(frozen=True)
class AzureBlobCheck:
    describe: ClassVar[str] = (
        "Authenticate with the account key, check that the container exists, and write "
        "and delete a small blob (Get Container Properties, Put Blob, Delete Blob)."
    )

    def run(self, context: CheckContext) -> CheckResult:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ResourceNotFoundError,
            ServiceRequestError,
            ServiceResponseError,
        )
        from azure.core.pipeline.transport import RequestsTransport
        from azure.storage.blob import BlobServiceClient

        account = str(context.settings.get("account_name", ""))
        transport = RequestsTransport(
            session=http.requests_session(deadline=context.deadline), session_owner=False
        )
        service = BlobServiceClient(
            account_url=endpoint(account),
            credential={"account_name": account, "account_key": context.secrets["account_key"]},
            transport=transport,
            retry_total=0,
        )
        container = service.get_container_client(str(context.settings.get("container", "")))
        step = "read"
        try:
            container.get_container_properties()
            step = "write"
            blob = container.upload_blob(
                f"{PROBE_PREFIX}{secrets.token_hex(8)}", b"connections-admin verify\n"
            )
            blob.delete_blob()
        except ResourceNotFoundError:
            raise CheckFailed(Failure.NOT_FOUND) from None
        except ClientAuthenticationError:
            raise CheckFailed(Failure.AUTHENTICATION_FAILED) from None
        except HttpResponseError as error:
            if error.status_code == 403:
                failure = (
                    Failure.NO_WRITE_PERMISSION
                    if step == "write"
                    else (Failure.AUTHENTICATION_FAILED)
                )
                raise CheckFailed(failure) from None
            raise CheckFailed(Failure.SERVICE_ERROR, status=error.status_code) from None
        except (ServiceRequestError, ServiceResponseError) as error:
            raise _guard_failure(error) or CheckFailed(Failure.CONNECTION_REFUSED) from None
        finally:
            service.close()
        return CheckResult()
