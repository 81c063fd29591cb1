"""Load or update customer profiles and their segments from a CSV file.

    python manage.py import_customers customers.csv

The format is in ``connections_admin/customers/importing.py`` and the README ("Customer
data"). Every row is checked first: if any is bad, one line per bad row is printed and
nothing changes. Then one transaction, and a system refresh after it commits.
"""

from django.core.management.base import BaseCommand, CommandError

from ...importing import BATCH_SIZE, ImportFileError, import_customers
from ._refresh import describe_refresh


class Command(BaseCommand):
    help = "Import customer profiles and segment memberships from a UTF-8 CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header (customer_id, email, ...).")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Rows per database batch (default {BATCH_SIZE:,}).",
        )

    def handle(self, *args, file: str, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("Give a batch size of at least 1.")
        try:
            result = import_customers(file, batch_size=batch_size)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows:,} customers ({result.created:,} new, "
                f"{result.updated:,} updated); {result.segments_recounted:,} segments "
                "recounted."
            )
        )
        if result.refreshed is not None:
            self.stdout.write(describe_refresh(result.refreshed))
        else:
            self.stdout.write("System refresh: after the surrounding transaction commits.")
