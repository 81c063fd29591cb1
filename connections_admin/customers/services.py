"""Writes of the customer data that other code calls.

- ``segments_recount(segment_ids=None)``: ``Segment.member_count`` from the memberships.
  Every writer of memberships calls it (import, the demo commands, the test factories).
- ``system_refresh(source=...)``: tells the receivers of ``signals.system_refreshed`` that
  the customer data changed.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from connections_admin.segments.models import Segment

from .models import Customer, Membership
from .signals import system_refreshed

logger = logging.getLogger(__name__)


def segments_recount(segment_ids: Iterable[int] | None = None) -> int:
    """Set ``member_count`` of the given segments (all when ``None``) to their number of
    memberships, in one UPDATE with a subquery. Returns the number of segments updated."""
    members = (
        Membership.objects.filter(segment_id=OuterRef("pk"))
        .order_by()
        .values("segment_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    segments = Segment.objects.all()
    if segment_ids is not None:
        segment_ids = list(segment_ids)
        if not segment_ids:
            return 0
        segments = segments.filter(pk__in=segment_ids)
    return segments.update(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0))
    )


def system_refresh(*, source: str = "manual") -> list[tuple[Callable, Any]]:
    """Send ``system_refreshed``; returns ``(receiver, result or exception)`` pairs.

    A receiver that fails does not stop the others: its exception is logged and returned
    (the data that led to the refresh is committed by then, whatever a receiver does).
    """
    results = system_refreshed.send_robust(sender=Customer, source=source)
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "System refresh: receiver %s failed",
                getattr(receiver, "__qualname__", repr(receiver)),
                exc_info=result,
            )
    return results
