"""Recount every connection's exports and enrichments into its UseCounts row.

The triggers of ``connections/use_counts.py`` keep these counts in the same statement as
every change, so this is a repair tool, not a routine: for a database loaded with the
triggers disabled, or restored from ``dumpdata`` (``loaddata`` writes the dumped counts,
then the triggers count the loaded exports again). It writes only the rows that differ
and says how many there were.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from connections_admin.connections.models import Connection, UseCounts
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export


def _true_count(model) -> Coalesce:
    counted = (
        model.objects.filter(connection=OuterRef("connection"))
        .order_by()
        .values("connection")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class Command(BaseCommand):
    help = "Recount the exports and enrichments of every connection (a repair tool)."

    def handle(self, *args, **options):
        with transaction.atomic():
            missing = Connection.objects.filter(use_counts__isnull=True).values_list(
                "pk", flat=True
            )
            added = UseCounts.objects.bulk_create(
                [UseCounts(connection_id=pk) for pk in missing], ignore_conflicts=True
            )
            true_exports, true_enrichments = _true_count(Export), _true_count(Enrichment)
            corrected = (
                UseCounts.objects.alias(
                    true_exports=true_exports, true_enrichments=true_enrichments
                )
                .filter(~Q(exports=F("true_exports")) | ~Q(enrichments=F("true_enrichments")))
                .update(exports=true_exports, enrichments=true_enrichments)
            )
        self.stdout.write(
            f"Added {len(added)} missing row(s); corrected the counts of {corrected} connection(s)."
        )
