from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from connections_admin.core.admin import ReadOnlyAdmin

from .models import Customer, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("segment",)
    readonly_fields = ("segment",)
    extra = 0
    verbose_name_plural = _("segments")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("segment")


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    """Read-only: profiles come from ``manage.py import_customers``."""

    list_display = (
        "customer_id",
        "email",
        "first_name",
        "last_name",
        "country",
        "loyalty_tier",
        "lifetime_value",
        "updated_at",
    )
    search_fields = ("=customer_id", "=email")
    # A million profiles: no exact COUNT(*) of the search results on every page.
    show_full_result_count = False
    ordering = ("customer_id",)
    inlines = (MembershipInline,)
