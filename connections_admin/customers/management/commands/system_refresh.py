"""Signal a system refresh: the receivers of ``customers.signals.system_refreshed`` run
(the exports scheduled "With every system refresh", for one)."""

from django.core.management.base import BaseCommand, CommandError

from ...services import system_refresh
from ._refresh import describe_refresh


class Command(BaseCommand):
    help = "Signal a system refresh (as import_customers does after an import)."

    def handle(self, *args, **options):
        results = system_refresh(source="system_refresh command")
        line = describe_refresh(results)
        if any(isinstance(result, Exception) for _receiver, result in results):
            raise CommandError(line)
        self.stdout.write(self.style.SUCCESS(line))
