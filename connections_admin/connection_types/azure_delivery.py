"""Delivery to Azure Blob Storage and ADLS Gen2: block blobs, committed when complete.

The client is made as for Verify (``azure_check.blob_container``: every request through
the door of ``outbound.http``), with per-request timeouts instead of the check's deadline
(``delivery.WRITE_TIMEOUT`` for reading an answer). ``publish`` stages each piece of
``BLOCK`` bytes as a block (Put Block, ``IN_FLIGHT`` at once, from a few threads of the
session: they only send bytes, the chunks are read in the caller's thread) and commits the
list at the end (Put Block List). Until then the blob does not exist for readers: a blob
with only uncommitted blocks is neither listed nor readable. The commit carries
``If-None-Match: *``, so a published blob is never replaced (``AlreadyPublished``), even by
another worker committing at the same moment.

Block ids are ``<random per publish><index>``, all of one length (Azure requires equal
lengths per blob). ``discard_partials`` has nothing to remove: the uncommitted blocks of a
killed run are invisible, dropped by the next commit of that name (Put Block List discards
the uncommitted blocks it does not list) or by Azure after 7 days; a blob that was
committed is a published file, which ``exists`` reports. 50,000 blocks of ``BLOCK`` bytes
make a blob of at most about 195 GiB.
"""

import secrets
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar

from connections_admin.outbound.failures import CheckFailed, Failure
from connections_admin.outbound.net import CONNECT_TIMEOUT

from . import delivery
from .azure_check import azure_failure, blob_container
from .delivery import AlreadyPublished, ClosingSession, DeliveryContext, Pipeline, check_name

BLOCK = 4 * 1024 * 1024
IN_FLIGHT = 4


@dataclass(frozen=True)
class AzureBlobDelivery:
    describe: ClassVar[str] = (
        "Into the container as block blobs: blocks are staged (Put Block) and the blob "
        "committed when complete (Put Block List, If-None-Match: *)."
    )

    def open(self, context: DeliveryContext) -> "AzureSession":
        return AzureSession(context).opened(context)


class AzureSession(ClosingSession):
    def __init__(self, context: DeliveryContext):
        self._client = blob_container(
            context, connection_timeout=CONNECT_TIMEOUT, read_timeout=delivery.WRITE_TIMEOUT
        )
        self._pool = ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="azure-delivery")

    def connect(self, context: DeliveryContext) -> None:
        """The container is there and the key is right (Get Container Properties)."""
        self._run(
            self._client.container.get_container_properties,
            connection_timeout=context.deadline.timeout(CONNECT_TIMEOUT),
            read_timeout=context.deadline.timeout(),
            writing=False,
        )

    def publish(self, name: str, chunks: Iterable[bytes]) -> int:
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceExistsError, ResourceModifiedError

        blob = self._client.container.get_blob_client(check_name(name))
        if self._run(blob.exists):
            raise AlreadyPublished(name)
        attempt = secrets.token_hex(4)
        blocks: list[str] = []
        pipeline = Pipeline(self._result, IN_FLIGHT)
        written = 0
        try:
            for piece in delivery.pieces(chunks, BLOCK):
                block = f"{attempt}{len(blocks):08d}"
                blocks.append(block)
                pipeline.submit(
                    lambda block=block, piece=piece: self._pool.submit(
                        blob.stage_block, block, piece, length=len(piece)
                    )
                )
                written += len(piece)
            pipeline.drain()
            self._run(blob.commit_block_list, blocks, match_condition=MatchConditions.IfMissing)
        except (ResourceExistsError, ResourceModifiedError):
            raise AlreadyPublished(name) from None
        except BaseException:
            pipeline.cancel()
            raise
        return written

    def discard_partials(self, prefix: str) -> int:
        """Nothing to do: uncommitted blocks are invisible and expire (see above)."""
        return 0

    def exists(self, name: str) -> bool:
        return self._run(self._client.container.get_blob_client(check_name(name)).exists)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _run(self, call, *args, writing: bool = True, **kwargs):
        """``call`` in this thread; its failure as ``CheckFailed``."""
        return self._result(_done(call, *args, **kwargs), writing=writing)

    def _result(self, future: Future, *, writing: bool = True):
        from azure.core.exceptions import AzureError, ResourceExistsError, ResourceModifiedError

        try:
            return future.result(delivery.WRITE_TIMEOUT + CONNECT_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise CheckFailed(Failure.TIMED_OUT) from None
        except (ResourceExistsError, ResourceModifiedError):
            raise  # the commit's condition: publish says AlreadyPublished
        except AzureError as error:
            failure = azure_failure(error, writing=writing)
            if failure is None:
                raise
            raise failure from None


def _done(call, *args, **kwargs) -> Future:
    """A future already holding what ``call`` returned or raised."""
    future: Future = Future()
    try:
        future.set_result(call(*args, **kwargs))
    except BaseException as error:
        future.set_exception(error)
    return future
