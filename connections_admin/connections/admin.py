"""Read-only Django admin (/django-admin/) for connections.

It is written the way a Django admin usually is, as the benchmark's baseline: counts with
``annotate(Count(..., distinct=True))`` (one column per counted dependant kind),
``list_select_related`` and ``search_fields``. No secret is ever shown:
``secrets_encrypted`` is neither loaded nor displayed, and the settings are not shown either.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from connections_admin.connection_types.base import Usage
from connections_admin.core.admin import ReadOnlyAdmin

from . import dependants, selectors
from .models import Connection


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = (
        "name_display",
        "type_display",
        "used_for_display",
        "who_can_use",
        "created_display",
    )
    list_select_related = ("created_by",)
    search_fields = ("display_name", "type_key")
    ordering = ("display_name",)
    # The change (view) page: never the secrets, nor the settings that sit beside them.
    fields = ("display_name", "type_key", "created_at", "created_by", "updated_at", "version")
    exclude = ("secrets_encrypted", "secret_names", "settings")

    @admin.display(description=_("Display name"), ordering="display_name")
    def name_display(self, obj):
        return obj.display_name

    def get_queryset(self, request):
        # Counts the usual Django way; who may use it with the console's own SQL flags.
        return (
            super()
            .get_queryset(request)
            .defer("secrets_encrypted", "settings")
            .annotate(
                **{
                    _count_alias(kind): Count(kind.reverse_name, distinct=True)
                    for kind in dependants.kinds.counted()
                },
                _contributors=selectors.flag(selectors.shared_with_contributors()),
                _chosen=selectors.flag(selectors.shared_with_chosen()),
            )
        )

    @admin.display(description=_("type"), ordering="type_key")
    def type_display(self, obj):
        return obj.type_name

    @admin.display(description=_("used for"))
    def used_for_display(self, obj):
        connection_type = obj.connection_type
        return connection_type.used_for_label() if connection_type else ""

    @admin.display(description=_("who can use it"), ordering="_contributors")
    def who_can_use(self, obj):
        if obj._contributors or not obj.is_for(Usage.EXPORT):
            return _("Administrators and contributors")
        if obj._chosen:
            return _("Administrators and chosen users or groups")
        return _("Administrators")

    @admin.display(description=_("Created"), ordering="created_at")
    def created_display(self, obj):
        who = f" ({obj.created_by.get_username()})" if obj.created_by else ""
        return f"{date_format(localtime(obj.created_at), 'DATE_FORMAT')}{who}"

    def get_list_display(self, request):
        *columns, created = super().get_list_display(request)
        return (*columns, *(_count_column(kind) for kind in dependants.kinds.counted()), created)


def _count_alias(kind: dependants.DependantKind) -> str:
    return f"_{kind.key}_count"


def _count_column(kind: dependants.DependantKind):
    alias = _count_alias(kind)

    @admin.display(description=kind.words.column, ordering=alias)
    def column(obj):
        return getattr(obj, alias)

    column.__name__ = f"{kind.key}_count"
    return column
