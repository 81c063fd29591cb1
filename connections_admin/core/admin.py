"""The base of the read-only Django admin pages (/django-admin/).

They exist to compare the console with the stock Django admin on the same data (the
benchmark), and as a plain read-only view for superusers. Nothing can be added, changed or
removed there: writes go through the services, which keep the audit trail.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DependantAdmin(ReadOnlyAdmin):
    """For a model that uses a connection: never the connection's settings or secrets."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("connection__secrets_encrypted", "connection__settings")
        )
