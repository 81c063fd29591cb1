"""Re-encrypt every connection's secrets under the newest key of CONNECTIONS_SECRET_KEYS.

Put the new key first in CONNECTIONS_SECRET_KEYS (keeping the old ones after it),
run this command, and once it reports no unreadable connection the old keys can be
dropped. A connection whose secrets no configured key opens is reported and left
exactly as it is (never overwritten); the command then exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connections_admin.connections.crypto import SecretsUnreadable, rotate_token
from connections_admin.connections.models import Connection


class Command(BaseCommand):
    help = "Re-encrypt every connection secret under the newest CONNECTIONS_SECRET_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        rotated, unreadable = 0, []
        rows = (
            Connection.objects.exclude(secrets_encrypted="")
            .order_by("pk")
            .values_list("pk", "display_name", "secrets_encrypted")
        )
        for pk, name, token in rows.iterator(chunk_size=batch_size):
            try:
                new_token = rotate_token(token)
            except SecretsUnreadable:
                unreadable.append((pk, name))
                continue
            with transaction.atomic():
                # Compare and set: an edit saved meanwhile already used the newest key.
                rotated += Connection.objects.filter(pk=pk, secrets_encrypted=token).update(
                    secrets_encrypted=new_token
                )
        self.stdout.write(f"Re-encrypted the secrets of {rotated} connection(s).")
        if unreadable:
            for pk, name in unreadable:
                self.stderr.write(f"  connection {pk} ({name}): no configured key opens it")
            raise CommandError(
                f"{len(unreadable)} connection(s) could not be decrypted with any configured "
                "key and were left unchanged. Add the key they were encrypted with to "
                "CONNECTIONS_SECRET_KEYS and run this command again."
            )
