"""Customer profiles, the rows exports send, and their membership of segments.

The field names of ``Customer`` are the export field keys (``exports.models.CUSTOMER_FIELDS``),
so a run reads ``Customer.objects.values_list(*export.fields)``. Profiles are read-only in
the console: they arrive with ``manage.py import_customers`` (or the demo commands).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from connections_admin.segments.models import Segment

# The profile fields, named as the export field keys (exports.models.CUSTOMER_FIELDS), in
# the order of the export form.
FIELDS = (
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "city",
    "country",
    "postal_code",
    "loyalty_tier",
    "lifetime_value",
)


class Customer(models.Model):
    customer_id = models.CharField(_("customer ID"), max_length=64, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=64, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    loyalty_tier = models.CharField(_("loyalty tier"), max_length=32, blank=True)
    lifetime_value = models.DecimalField(
        _("lifetime value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.customer_id


class Membership(models.Model):
    """A customer in a segment. Whoever writes these calls ``services.segments_recount``."""

    # No index of its own: the unique (segment, customer) index leads with the segment,
    # and "the customers of segment S in customer order" reads from it.
    segment = models.ForeignKey(
        Segment,
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,
        verbose_name=_("segment"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("customer"),
    )

    class Meta:
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "customer"], name="membership_segment_customer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.segment_id}"
