"""``in`` on integer columns leaves out values the column cannot hold.

Django (5.0 and later) turns ``pk=<a 30-digit number>`` into "no rows" instead of letting
the database driver overflow; ``pk__in=[...]`` still overflows (a 500 on SQLite, an error
on PostgreSQL). A posted selection of ids of any size must simply match nothing.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
