"""Read-only Django admin (/django-admin/) for connections, exports, enrichments and segments.

It exists to compare the console with the stock Django admin on the same data
(``bench/run.py``), and as a plain read-only view for superusers. It is written the
way a Django admin usually is: counts with ``annotate(Count(..., distinct=True))``,
``list_select_related`` and ``search_fields``. Nothing can be added, changed or
removed here (writes go through the services, which keep the audit trail), and no
secret is ever shown: ``secrets_encrypted`` is neither loaded nor displayed, and the
settings are not shown either.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from connections_admin.connection_types.base import Usage
from connections_admin.enrichments.models import Enrichment
from connections_admin.exports.models import Export
from connections_admin.segments.models import Segment

from . import selectors
from .models import Connection


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = (
        "name_display",
        "type_display",
        "used_for_display",
        "who_can_use",
        "export_count",
        "enrichment_count",
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
                _export_count=Count("exports", distinct=True),
                _enrichment_count=Count("enrichments", distinct=True),
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

    @admin.display(description=_("exports"), ordering="_export_count")
    def export_count(self, obj):
        return obj._export_count

    @admin.display(description=_("enrichments"), ordering="_enrichment_count")
    def enrichment_count(self, obj):
        return obj._enrichment_count


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("name", "connection", "schedule", "last_run_at", "created_by")
    list_select_related = ("connection", "created_by")
    search_fields = ("name", "connection__display_name")
    fields = ("name", "connection", "schedule", "schedule_time", "schedule_weekday", "fields")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("connection__secrets_encrypted", "connection__settings")
        )


@admin.register(Enrichment)
class EnrichmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "type_key", "connection", "status", "segment", "created_by")
    list_select_related = ("connection", "segment", "created_by")
    search_fields = ("name",)
    fields = ("name", "type_key", "connection", "status", "segment", "enriched_customers")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("connection__secrets_encrypted", "connection__settings")
        )


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "member_count")
    search_fields = ("name",)
