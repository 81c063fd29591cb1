from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connections_admin.connection_types.base import Usage
from connections_admin.connections.sharing import usable_connections
from connections_admin.core.forms import (
    IdModelChoiceField,
    IdModelMultipleChoiceField,
    clean_unique_name,
)
from connections_admin.core.widgets import TimeInput
from connections_admin.segments.models import Segment

from .models import CUSTOMER_FIELDS, Export, Schedule, Weekday

TIMED = {Schedule.DAILY, Schedule.WEEKLY}


def _file_limit_error(connection, count: int) -> str:
    connection_type = connection.connection_type if connection else None
    limit = getattr(connection_type, "max_files", None)
    if limit is None or count <= limit:
        return ""
    return ngettext(
        "%(type)s takes at most %(limit)d file per export, one per segment: choose at most "
        "%(limit)d segment.",
        "%(type)s takes at most %(limit)d files per export, one per segment: choose at most "
        "%(limit)d segments.",
        limit,
    ) % {"type": connection.type_name, "limit": limit}


class SegmentChoiceField(IdModelMultipleChoiceField):
    """Each segment with how many customers it has (computed from its members)."""

    def label_from_instance(self, obj: Segment) -> str:
        return ngettext(
            "%(name)s (%(count)s customer)", "%(name)s (%(count)s customers)", obj.member_count
        ) % {"name": obj.name, "count": intcomma(obj.member_count)}


class ExportForm(forms.ModelForm):
    """Add export / edit export: where to (a connection this user may use), what, how often."""

    connection = IdModelChoiceField(
        label=_("Connection for export"),
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a connection for the export."),
            "invalid_choice": _("Choose one of the connections you may use for exports."),
        },
    )
    segments = SegmentChoiceField(
        label=_("Segments"),
        queryset=Segment.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one segment to send."),
            "invalid_choice": _("Choose segments from the list."),
            "invalid_pk_value": _("Choose segments from the list."),
        },
    )
    fields = forms.MultipleChoiceField(
        label=_("Fields to send"),
        choices=list(CUSTOMER_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one field to send."),
            "invalid_choice": _("Choose fields from the list."),
        },
    )
    schedule = forms.ChoiceField(
        label=_("Schedule"), choices=Schedule.choices, widget=forms.RadioSelect
    )
    schedule_time = forms.TimeField(
        label=format_lazy(_("At (time, {zone})"), zone=lazy(lambda: settings.TIME_ZONE, str)()),
        required=False,
        widget=TimeInput(format="%H:%M"),
    )
    schedule_weekday = forms.TypedChoiceField(
        label=_("On"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    class Meta:
        model = Export
        fields = [
            "connection",
            "name",
            "segments",
            "fields",
            "schedule",
            "schedule_time",
            "schedule_weekday",
        ]
        labels = {"name": _("Export name")}

    def __init__(self, *args, user: AbstractBaseUser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connection"].queryset = usable_connections(user, Usage.EXPORT).only(
            "pk", "display_name", "type_key"
        )
        if self.instance.pk is not None:
            # An existing export may stay without a connection (inactive).
            self.fields["connection"].required = False

    def clean_name(self) -> str:
        return clean_unique_name(
            self.cleaned_data["name"],
            queryset=Export.objects,
            field="name",
            instance=self.instance,
            message=_("An export with this name already exists."),
        )

    def clean(self):
        cleaned = super().clean()
        self._check_file_limit(cleaned)
        schedule = cleaned.get("schedule")
        if schedule in TIMED and cleaned.get("schedule_time") is None:
            self.add_error("schedule_time", _("Give the time to run it at."))
        if schedule == Schedule.WEEKLY and cleaned.get("schedule_weekday") is None:
            self.add_error("schedule_weekday", _("Choose the day of the week to run it on."))
        if schedule not in TIMED:
            cleaned["schedule_time"] = None
        if schedule != Schedule.WEEKLY:
            cleaned["schedule_weekday"] = None
        return cleaned

    def _check_file_limit(self, cleaned: dict) -> None:
        error = _file_limit_error(cleaned.get("connection"), len(cleaned.get("segments") or []))
        if error:
            self.add_error("segments", error)
