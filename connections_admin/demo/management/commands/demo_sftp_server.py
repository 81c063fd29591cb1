"""Run the demo's SFTP server on a loopback port until interrupted (``make run`` does)."""

import asyncio
import contextlib

from django.core.management.base import BaseCommand, CommandError

from connections_admin.demo import sftp_server


class Command(BaseCommand):
    help = "Serve var/demo-sftp/root over SFTP on 127.0.0.1 for the demo connection."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=2222)

    def handle(self, *args, port: int, **options):
        if not 1024 <= port <= 65535:
            raise CommandError("Give a port from 1024 to 65535.")
        self.stdout.write(f"Demo SFTP server on 127.0.0.1:{port}, serving {sftp_server.root_dir()}")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(sftp_server.serve("127.0.0.1", port))
