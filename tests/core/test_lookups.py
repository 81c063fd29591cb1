"""core.lookups: ``among`` and ``among_values`` select exactly what ``__in`` would."""

import pytest

from connections_admin.core.lookups import among, among_values
from connections_admin.exports.models import Export
from tests.factories import ConnectionFactory, ExportFactory

pytestmark = pytest.mark.django_db


def test_among_values_selects_exactly_the_given_ids():
    exports = ExportFactory.create_batch(4)
    chosen = [exports[0].pk, exports[2].pk]
    assert (
        sorted(Export.objects.filter(among_values("pk", chosen)).values_list("pk", flat=True))
        == chosen
    )


def test_among_values_of_nothing_selects_nothing():
    ExportFactory()
    assert list(Export.objects.filter(among_values("pk", []))) == []


def test_among_a_subquery_selects_the_rows_it_names():
    used, unused = ConnectionFactory(), ConnectionFactory()
    on_used = ExportFactory(connection=used)
    ExportFactory(connection=unused)
    connections = type(used).objects.filter(pk=used.pk).values("pk")
    assert list(Export.objects.filter(among("connection_id", connections))) == [on_used]
