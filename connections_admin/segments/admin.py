from django.contrib import admin

from connections_admin.core.admin import ReadOnlyAdmin

from .models import Segment


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "member_count")
    search_fields = ("name",)
