"""``among(field, queryset)``: ``field IN (subquery)``, written so PostgreSQL reads it well.

On PostgreSQL it is ``field = ANY(ARRAY(subquery))``. The subquery then runs once,
before the outer query (an InitPlan), and its result is a value the outer query can
look up in an index: by primary key for a page of keys, or combined with other indexes
in a BitmapOr for a search. Written as ``IN (subquery)``, PostgreSQL tests a hashed
subplan row by row, which needs a scan of the whole table. Other databases get the
plain ``IN``.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup, QuerySet, Subquery


class Among(Lookup):
    lookup_name = "among"  # used as an expression, not registered on any field

    def _sides(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params


def among(field: str, queryset: QuerySet) -> Among:
    """A filter: ``field`` is one of the values ``queryset`` selects (one column)."""
    return Among(F(field), Subquery(queryset))


class AmongValues(Lookup):
    """``field IN (%s, %s, ...)``; on PostgreSQL ``field = ANY(%s)`` with one array.

    For the long lists of ids a selection posts (1,000 exports to disconnect): one array
    parameter instead of a placeholder per id, which psycopg and PostgreSQL parse much
    faster than a thousand placeholders.
    """

    lookup_name = "among_values"  # used as an expression, not registered on any field
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = compiler.compile(self.lhs)
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", (*params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = compiler.compile(self.lhs)
        return f"{lhs} = ANY(%s)", (*params, self.rhs)


def among_values(field: str, values) -> AmongValues:
    """A filter: ``field`` is one of ``values`` (a list of plain values, such as ids)."""
    return AmongValues(F(field), values)
