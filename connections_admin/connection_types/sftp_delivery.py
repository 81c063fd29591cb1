"""Delivery to the SFTP-based types: write a temporary file, rename it when complete.

The connection is made as for Verify (``sftp_check.sftp_client``: socket from the door of
``outbound.net``, host key checked before any credential, password or key). asyncssh is
asyncio-only, so a session runs its event loop in a thread of its own, started by ``open``
and stopped by ``close``; the caller's thread consumes the chunks (they come from the
database) and submits writes to that loop, waiting at most ``WRITE_TIMEOUT`` for each.

A file ``name`` is written as ``<folder>/.<name>.partial-<random>`` (hidden, so that
readers polling for ``*.csv`` ignore it), closed once every write is acknowledged, then
renamed to ``<folder>/<name>`` with OpenSSH's ``posix-rename`` (an atomic rename(2);
plain SFTP rename where the server lacks it). A reader never sees the final name before
the content is complete. An existing ``<folder>/<name>`` is never replaced: ``publish``
looks before writing and again before the rename and raises ``AlreadyPublished``.
Writes are pipelined: pieces of ``delivery.PIECE`` bytes, ``delivery.IN_FLIGHT`` of them
on their way at once (asyncssh splits each into requests of the server's maximum size).
"""

import asyncio
import contextlib
import re
import secrets
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import ClassVar

import asyncssh

from connections_admin.outbound import net
from connections_admin.outbound.failures import CheckFailed, Failure

from . import delivery
from .delivery import AlreadyPublished, ClosingSession, DeliveryContext, Pipeline, check_name
from .sftp_check import SftpLogin, SftpServer, sftp_client, sftp_failure

PARTIAL = ".partial-"
_PARTIAL_TAIL = re.compile(re.escape(PARTIAL) + r"[0-9a-f]{16}\Z")


@dataclass(frozen=True)
class SftpDelivery(SftpServer):
    describe: ClassVar[str] = (
        "Over SFTP into the folder: each file is written under a hidden temporary name "
        "and renamed when complete (posix-rename), never replacing a published file."
    )

    def open(self, context: DeliveryContext) -> "SftpSession":
        return SftpSession(*self.where(context.settings)).opened(context)


class SftpSession(ClosingSession):
    def __init__(self, host: str, port: int, folder: str):
        self.host, self.port = host, port
        self.folder = folder.rstrip("/") if folder.rstrip("/") else "/"
        self.host_key = ""  # the fingerprint the server presented
        self._sock = None
        self._login: SftpLogin | None = None
        self._stack = contextlib.AsyncExitStack()
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet_about_reported_failures)
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sftp-delivery", daemon=True
        )
        self._thread.start()

    # --- the protocol -----------------------------------------------------------------

    def connect(self, context: DeliveryContext) -> None:
        self._sock = net.connect(self.host, self.port, deadline=context.deadline)
        login_to = self._stack.enter_async_context(sftp_client(self._sock, self.host, context))
        self._login = self._call(login_to, context.deadline.timeout())
        self.host_key = self._login.host_key
        if not self._call(self._sftp.isdir(self.folder), context.deadline.timeout()):
            raise CheckFailed(Failure.NOT_FOUND)

    def publish(self, name: str, chunks: Iterable[bytes]) -> int:
        final = self._path(check_name(name))
        if self.exists(name):
            raise AlreadyPublished(name)
        temporary = self._path(f".{name}{PARTIAL}{secrets.token_hex(8)}")
        file = self._call(self._sftp.open(temporary, "wb"))
        pipeline = Pipeline(self._result)
        written = 0
        try:
            for piece in delivery.pieces(chunks):
                pipeline.submit(lambda piece=piece, at=written: self._submit(file.write(piece, at)))
                written += len(piece)
            pipeline.drain()
            self._call(file.close())
            if self.exists(name):
                raise AlreadyPublished(name)
            self._call(self._rename(temporary, final))
        except BaseException:
            pipeline.cancel()
            self._abandon(file, temporary)
            raise
        return written

    def discard_partials(self, prefix: str) -> int:
        start = f".{prefix}"
        names = self._call(self._sftp.listdir(self.folder))
        removed = 0
        for name in names:
            if name.startswith(start) and _PARTIAL_TAIL.search(name, len(start)):
                with contextlib.suppress(CheckFailed):  # gone already: another worker's
                    self._call(self._sftp.remove(self._path(name)))
                    removed += 1
        return removed

    def exists(self, name: str) -> bool:
        return self._call(self._sftp.exists(self._path(check_name(name))))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._call(self._stack.aclose(), delivery.CLEANUP_TIMEOUT)
        except CheckFailed:  # a server that does not answer: drop the connection
            if self._login is not None:
                self._loop.call_soon_threadsafe(self._login.connection.abort)
        self._login = None
        with contextlib.suppress(CheckFailed):
            self._call(_settle(), delivery.CLEANUP_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(delivery.CLEANUP_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()
        if self._sock is not None:
            self._sock.close()

    # --- the event loop's side ----------------------------------------------------------

    @property
    def _sftp(self) -> asyncssh.SFTPClient:
        if self._login is None:
            raise CheckFailed(Failure.CONNECTION_REFUSED)
        return self._login.sftp

    def _path(self, name: str) -> str:
        return f"{self.folder}/{name}" if self.folder != "/" else f"/{name}"

    def _submit(self, awaitable) -> Future:
        return asyncio.run_coroutine_threadsafe(_awaited(awaitable), self._loop)

    def _result(self, future: Future, timeout: float | None = None):
        """The future's result within ``timeout`` (default ``WRITE_TIMEOUT``), its
        failure as ``CheckFailed``."""
        try:
            return future.result(delivery.WRITE_TIMEOUT if timeout is None else timeout)
        except TimeoutError:
            future.cancel()
            raise CheckFailed(Failure.TIMED_OUT) from None
        except (asyncssh.Error, OSError) as error:
            raise sftp_failure(error, host_key=self.host_key) from None

    def _call(self, awaitable, timeout: float | None = None):
        return self._result(self._submit(awaitable), timeout)

    async def _rename(self, temporary: str, final: str) -> None:
        try:
            await self._sftp.posix_rename(temporary, final)
        except asyncssh.SFTPOpUnsupported:
            await self._sftp.rename(temporary, final)

    def _abandon(self, file, temporary: str) -> None:
        """After a failure: close and remove the temporary file if the server still
        answers (otherwise ``discard_partials`` removes it on the next attempt)."""

        async def clean() -> None:
            with contextlib.suppress(asyncssh.Error, OSError):
                await file.close()
            await self._sftp.remove(temporary)

        with contextlib.suppress(CheckFailed):
            self._call(clean(), delivery.CLEANUP_TIMEOUT)


async def _awaited(awaitable):
    """A coroutine of any awaitable (asyncssh's ``open`` is not a coroutine)."""
    return await awaitable


def _quiet_about_reported_failures(loop, context) -> None:
    """The session's loop: when a write fails, asyncssh leaves the other requests of that
    write unretrieved (they fail too, with the same lost connection); the caller was told
    already. Anything else goes to the default handler."""
    if isinstance(context.get("exception"), asyncssh.Error | OSError):
        return
    loop.default_exception_handler(context)


async def _settle() -> None:
    """Cancel what is left on the session's loop (the requests of a failed write) and let
    it end, so that the loop stops with nothing pending."""
    current = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not current]
    for task in left:
        task.cancel()
    await asyncio.gather(*left, return_exceptions=True)
