from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """A group of customers that exports send and enrichments may target."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # Derived: the number of memberships (customers.Membership), set by
    # customers.services.segments_recount() whenever memberships change. A column, so pages
    # show it without counting; never typed.
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="segment_name_unique_ci")]

    def __str__(self) -> str:
        return self.name
