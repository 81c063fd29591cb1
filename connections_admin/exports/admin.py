from django.contrib import admin

from connections_admin.core.admin import DependantAdmin

from .models import Export


@admin.register(Export)
class ExportAdmin(DependantAdmin):
    list_display = ("name", "connection", "schedule", "last_run_at", "created_by")
    list_select_related = ("connection", "created_by")
    search_fields = ("name", "connection__display_name")
    fields = ("name", "connection", "schedule", "schedule_time", "schedule_weekday", "fields")
