"""What a connection type is: a small declarative class.

A type declares its key, name, description, what it is used for, its setup fields
(Django form fields with the labels the product uses), which of them are secret,
whether it is a Microsoft service and the limits to show. Nothing outside the
catalog looks at a type's key to decide anything: it asks the type.
"""

import copy
from enum import StrEnum
from typing import Any, ClassVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .checks import Check
from .delivery import Delivery


class Usage(StrEnum):
    EXPORT = "export"
    ENRICHMENT = "enrichment"

    @property
    def label(self) -> Promise:
        return _USAGE_LABELS[self]


_USAGE_LABELS = {Usage.EXPORT: _("Exports"), Usage.ENRICHMENT: _("Enrichments")}


class ConnectionType:
    key: ClassVar[str]
    name: ClassVar[str | Promise]
    description: ClassVar[str | Promise]
    # A display name an administrator might give a connection of this type, shown as the
    # example under Display name (whole, so each language words it its own way).
    display_name_example: ClassVar[str | Promise] = _("Partner portal, weekly customer list")
    used_for: ClassVar[frozenset[Usage]]
    fields: ClassVar[dict[str, forms.Field]] = {}
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    microsoft_service: ClassVar[bool] = False
    limits: ClassVar[tuple[str | Promise, ...]] = ()
    # At most this many files per entity (an export writes one file per segment), or None.
    max_files: ClassVar[int | None] = None
    # How Verify checks the service (checks.py); None: Verify is not available for the type.
    check: ClassVar["Check | None"] = None
    # How an export's files reach the service (delivery.py); None: no delivery yet.
    delivery: ClassVar["Delivery | None"] = None

    @classmethod
    def form_fields(cls) -> dict[str, forms.Field]:
        """Fresh copies of the setup fields, in order, for one form instance."""
        return {name: copy.deepcopy(field) for name, field in cls.fields.items()}

    @classmethod
    def setting_names(cls) -> list[str]:
        return [name for name in cls.fields if name not in cls.secret_fields]

    @classmethod
    def secret_names(cls) -> list[str]:
        return [name for name in cls.fields if name in cls.secret_fields]

    @classmethod
    def used_for_label(cls) -> str:
        return ", ".join(str(usage.label) for usage in Usage if usage in cls.used_for)

    @classmethod
    def is_for(cls, usage: Usage) -> bool:
        return usage in cls.used_for

    @classmethod
    def clean(cls, values: dict[str, Any], secrets_set: frozenset[str]) -> dict[str, str]:
        """Cross-field validation; returns errors by field name.

        ``values`` are the cleaned setup values (secrets left empty on edit are empty);
        ``secrets_set`` names the secrets already stored, which empty fields keep.
        """
        return {}


def check_type(type_class: type[ConnectionType]) -> None:
    """Refuse a malformed type at registration, with a message naming it."""
    for attribute in ("key", "name", "description", "used_for"):
        if not getattr(type_class, attribute, None):
            raise TypeError(f"{type_class.__qualname__} must declare {attribute!r}.")
    if not type_class.key.isidentifier() or type_class.key.lower() != type_class.key:
        raise TypeError(f"{type_class.__qualname__}.key must be a lowercase identifier.")
    unknown = set(type_class.secret_fields) - set(type_class.fields)
    if unknown:
        raise TypeError(f"{type_class.__qualname__} marks unknown fields secret: {sorted(unknown)}")
    if not set(type_class.used_for) <= set(Usage):
        raise TypeError(f"{type_class.__qualname__}.used_for must hold Usage values.")
