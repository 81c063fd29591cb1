"""Recount every connection's dependants of each counted kind into its UseCount rows.

The triggers of ``connections/use_counts.py`` keep these counts in the same statement as
every change, so this is a repair tool, not a routine: for a database loaded with the
triggers disabled, or restored from ``dumpdata`` (``loaddata`` writes the dumped counts,
then the triggers count the loaded rows again). It writes only the counts that differ and
says how many there were.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count

from connections_admin.connections.dependants import DependantKind, kinds
from connections_admin.connections.models import UseCount


def _wrong_counts(kind: DependantKind) -> list[UseCount]:
    """The counts of ``kind`` that differ from COUNT(*), with their true values."""
    true = dict(
        kind.model._default_manager.filter(connection__isnull=False)
        .order_by()
        .values("connection")
        .annotate(n=Count("pk"))
        .values_list("connection", "n")
    )
    stored = dict(UseCount.objects.filter(kind=kind.plural_key).values_list("connection_id", "n"))
    wrong = {pk: n for pk, n in true.items() if stored.get(pk) != n}
    wrong |= {pk: 0 for pk, n in stored.items() if pk not in true and n}
    return [UseCount(connection_id=pk, kind=kind.plural_key, n=n) for pk, n in wrong.items()]


class Command(BaseCommand):
    help = "Recount what uses every connection, for each counted kind (a repair tool)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for kind in kinds.counted():
                wrong = _wrong_counts(kind)
                UseCount.objects.bulk_create(
                    wrong,
                    update_conflicts=True,
                    unique_fields=["connection", "kind"],
                    update_fields=["n"],
                )
                self.stdout.write(
                    f"{kind.plural_key}: corrected the counts of {len(wrong)} connection(s)."
                )
