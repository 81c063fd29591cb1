"""The one explicit registry of connection types.

Built-in types are registered by this app's ``ready()``; other installed packages
add theirs through the entry-point group ``connections_admin.connection_types``,
each entry point naming a :class:`ConnectionType` subclass.
"""

import logging
from collections.abc import Iterator
from functools import lru_cache
from importlib.metadata import entry_points

from django.db.models import CharField, F, Func
from django.db.models.expressions import Expression
from django.utils.translation import get_language

from .base import ConnectionType, Usage, check_type

ENTRY_POINT_GROUP = "connections_admin.connection_types"

logger = logging.getLogger(__name__)


class UnknownConnectionType(LookupError):
    pass


class ConnectionTypeRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[ConnectionType]] = {}

    def register(self, type_class: type[ConnectionType]) -> type[ConnectionType]:
        check_type(type_class)
        existing = self._types.get(type_class.key)
        if existing is not None and existing is not type_class:
            raise ValueError(
                f"Connection type key {type_class.key!r} is taken by {existing.__qualname__}."
            )
        self._types[type_class.key] = type_class
        return type_class

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> list[str]:
        """Register the types other packages declare; returns the keys added."""
        added = []
        for entry_point in entry_points(group=group):
            type_class = entry_point.load()
            if not (isinstance(type_class, type) and issubclass(type_class, ConnectionType)):
                raise TypeError(
                    f"Entry point {entry_point.name!r} in {group!r} must name a "
                    "ConnectionType subclass."
                )
            self.register(type_class)
            added.append(type_class.key)
            logger.info("Registered connection type %s from %s", type_class.key, entry_point.value)
        return added

    def get(self, key: str) -> type[ConnectionType]:
        try:
            return self._types[key]
        except KeyError:
            raise UnknownConnectionType(key) from None

    def __iter__(self) -> Iterator[type[ConnectionType]]:
        """Every type, ordered by name in the active language."""
        return iter(sorted(self._types.values(), key=lambda t: str(t.name).casefold()))

    def __contains__(self, key: object) -> bool:
        return key in self._types

    def __len__(self) -> int:
        return len(self._types)

    def for_usage(self, usage: Usage) -> list[type[ConnectionType]]:
        return [t for t in self if t.is_for(usage)]

    def keys_for_usage(self, usage: Usage) -> list[str]:
        return [t.key for t in self.for_usage(usage)]

    def keys_matching(self, text: str) -> list[str]:
        """Keys of the types whose name contains ``text`` (case-insensitive)."""
        needle = text.casefold()
        return [t.key for t in self if needle in str(t.name).casefold()]

    # SQL expressions built from the catalog, so lists can sort by what a type *says*
    # (its name, what it is used for) without a column per attribute.
    def name_expression(self, field: str = "type_key", *, for_sorting: bool = True) -> Expression:
        """The type's name in the active language (casefolded when for sorting)."""
        return TypeLabel(field, self._labels("sort_name" if for_sorting else "name"))

    def used_for_expression(self, field: str = "type_key") -> Expression:
        """What the type is used for, casefolded, for sorting."""
        return TypeLabel(field, self._labels("used_for"))

    def _labels(self, what: str) -> tuple[tuple[str, str], ...]:
        return _labels(self, what, get_language(), len(self._types))


@lru_cache(maxsize=64)
def _labels(
    types: ConnectionTypeRegistry, what: str, language: str | None, type_count: int
) -> tuple[tuple[str, str], ...]:
    """Every type's label, in one language (the catalog only grows at start-up)."""
    label = {
        "name": lambda t: str(t.name),
        "sort_name": lambda t: str(t.name).casefold(),
        "used_for": lambda t: t.used_for_label().casefold(),
    }[what]
    return tuple(sorted((t.key, label(t)) for t in types._types.values()))


class TypeLabel(Func):
    """``CASE type_key WHEN 'sftp' THEN 'SFTP' ... ELSE '' END``: a label per type key.

    One simple CASE with the labels as parameters: building it costs no lookup per type
    on every request, and the database compares the key once.
    """

    output_field = CharField()

    def __init__(self, field: str, labels: tuple[tuple[str, str], ...]):
        self.labels = labels
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.labels:
            return "''", []
        whens = " ".join("WHEN %s THEN %s" for _ in self.labels)
        values = [value for pair in self.labels for value in pair]
        return f"CASE {column} {whens} ELSE '' END", [*params, *values]


registry = ConnectionTypeRegistry()
