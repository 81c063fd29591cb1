"""Exports as a kind of thing that uses a connection (registered by ``ExportsConfig.ready``)."""

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from connections_admin.connection_types.base import Usage
from connections_admin.connection_types.registry import registry
from connections_admin.connections.dependants import DependantKind, KindWords, Recent
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import Audience, sharing_of

from . import services
from .models import Export, ExportRun
from .runs import failure_message


def exports_of(connection: Connection) -> QuerySet[Export]:
    return (
        connection.exports.select_related("created_by")
        .only(
            "pk",
            "name",
            "connection_id",  # set from the related manager: deferring it costs a query a row
            "schedule",
            "schedule_time",
            "schedule_weekday",
            "created_by__username",
        )
        .order_by(Lower("name"), "pk")
    )


def recent_runs(connection: Connection, limit: int) -> list[Recent]:
    """The last runs that sent to ``connection``, newest first, for its Edit pane."""
    runs = (
        ExportRun.objects.filter(connection=connection)
        .order_by("-queued_at", "-pk")
        .only("pk", "export_id", "status", "queued_at", "failure", "http_status", "snapshot")
    )[:limit]
    return [
        Recent(
            name=run.snapshot.get("export_name", ""),
            when=run.queued_at,
            status=run.status,
            status_label=run.get_status_display(),
            detail=failure_message(run),
            url=reverse("exports:runs", args=[run.export_id]) if run.export_id else "",
        )
        for run in runs
    ]


def move_targets(connection: Connection) -> QuerySet[Connection]:
    """Exports move to any other connection that can take exports, of any type."""
    return Connection.objects.filter(type_key__in=registry.keys_for_usage(Usage.EXPORT)).exclude(
        pk=connection.pk
    )


def _shared_with(sharing) -> tuple[set[int], set[int]]:
    return {user.pk for user in sharing.users}, {group.pk for group in sharing.groups}


def sharing_warning(source: Connection, target: Connection) -> str | None:
    """What moving exports does to the contributors who manage them: they manage the
    exports on the connections shared with them."""
    before, after = sharing_of(source), sharing_of(target)
    if before.audience is Audience.ADMINS or after.audience is Audience.CONTRIBUTORS:
        return None
    if after.audience is Audience.ADMINS:
        return gettext(
            "Contributors will no longer be able to manage these exports: “%(target)s” is "
            "not shared with them."
        ) % {"target": target.display_name}
    if before.audience is Audience.CHOSEN and _shared_with(before) == _shared_with(after):
        return None
    return gettext(
        "Some contributors may no longer be able to manage these exports: “%(target)s” is "
        "shared with chosen users or groups only."
    ) % {"target": target.display_name}


EXPORTS = DependantKind(
    key="export",
    plural_key="exports",
    model=Export,
    listing=exports_of,
    detail=lambda export: export.get_schedule_display(),
    detach_many=services.export_disconnect,
    remove_many=services.exports_remove,
    recent=recent_runs,
    move_targets=move_targets,
    move_many=services.exports_move,
    move_warning=sharing_warning,
    detach_action="disconnect",
    counted=True,
    order=10,
    words=KindWords(
        name=_("Export"),
        detail=_("Schedule"),
        counted=ngettext_lazy("%(count)d export", "%(count)d exports", "count"),
        list_heading=_("Exports using this connection"),
        and_more=ngettext_lazy(
            "And more: %(counter)s export in all.",
            "And more: %(counter)s exports in all.",
            "counter",
        ),
        uses=ngettext_lazy(
            "%(counter)s export uses this connection",
            "%(counter)s exports use this connection",
            "counter",
        ),
        detach_help=_(
            "Disconnect keeps an export's settings; it does not run until another "
            "connection is attached to it."
        ),
        detach=_("Disconnect"),
        detach_selected=_("Disconnect selected exports"),
        remove_selected=_("Remove selected exports"),
        detach_all=ngettext_lazy(
            "Disconnect the %(counter)s export", "Disconnect all %(counter)s exports", "counter"
        ),
        select_all=_("Select all exports on this page"),
        select_first=_("Select at least one export first."),
        detached=ngettext_lazy(
            "%(count)d export was disconnected. It keeps its settings.",
            "%(count)d exports were disconnected. They keep their settings.",
            "count",
        ),
        removed=ngettext_lazy(
            "%(count)d export was removed.", "%(count)d exports were removed.", "count"
        ),
        column=_("Exports"),
        detached_from=ngettext_lazy(
            "%(count)d export was disconnected from “%(connection)s”: %(names)s. "
            "It keeps its settings.",
            "%(count)d exports were disconnected from “%(connection)s”: %(names)s. "
            "They keep their settings.",
            "count",
        ),
        removed_from=ngettext_lazy(
            "%(count)d export was removed from “%(connection)s”: %(names)s.",
            "%(count)d exports were removed from “%(connection)s”: %(names)s.",
            "count",
        ),
        moved=ngettext_lazy(
            "%(count)d export was moved from “%(source)s” to “%(target)s”: %(names)s.",
            "%(count)d exports were moved from “%(source)s” to “%(target)s”: %(names)s.",
            "count",
        ),
        confirm_remove=ngettext_lazy(
            "Remove %(count)d export from “%(connection)s”?",
            "Remove %(count)d exports from “%(connection)s”?",
            "count",
        ),
        remove_warning=ngettext_lazy(
            "Its settings are deleted and it no longer runs. This cannot be undone.",
            "Their settings are deleted and they no longer run. This cannot be undone.",
            "count",
        ),
        confirm_move=ngettext_lazy(
            "Move %(count)d export to “%(target)s”?",
            "Move %(count)d exports to “%(target)s”?",
            "count",
        ),
        move_selected=_("Move selected exports"),
        move_all=ngettext_lazy(
            "Move the %(counter)s export", "Move all %(counter)s exports", "counter"
        ),
    ),
)
