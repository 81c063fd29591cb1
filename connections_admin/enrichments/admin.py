from django.contrib import admin

from connections_admin.core.admin import DependantAdmin

from .models import Enrichment


@admin.register(Enrichment)
class EnrichmentAdmin(DependantAdmin):
    list_display = ("name", "type_key", "connection", "status", "segment", "created_by")
    list_select_related = ("connection", "segment", "created_by")
    search_fields = ("name",)
    fields = ("name", "type_key", "connection", "status", "segment", "enriched_customers")
