from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from connections_admin.connection_types.base import Usage
from connections_admin.connections.models import Connection
from connections_admin.connections.sharing import usable_connections
from connections_admin.core.forms import IdModelChoiceField, clean_unique_name
from connections_admin.segments.models import Segment

from .models import Enrichment


class ConnectionChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj: Connection) -> str:
        return f"{obj.display_name} ({obj.type_name})"


class EnrichmentForm(forms.ModelForm):
    """Create or edit an enrichment: its connection, the customers it enriches, its name.

    An existing enrichment keeps its type: only connections of that type are offered,
    and leaving the connection empty keeps (or makes) it inactive.
    """

    connection = ConnectionChoiceField(
        label=_("Connection"),
        queryset=None,
        error_messages={
            "required": _("Choose a connection for the enrichment."),
            "invalid_choice": _("Choose one of the enrichment connections in the list."),
        },
    )
    segment = IdModelChoiceField(
        label=_("Customer data set"),
        queryset=Segment.objects.order_by("name"),
        required=False,
        empty_label=_("All customers"),
        error_messages={"invalid_choice": _("Choose a segment from the list.")},
    )

    class Meta:
        model = Enrichment
        fields = ["connection", "segment", "name"]
        labels = {"name": _("Enrichment name")}

    def __init__(self, *args, user: AbstractBaseUser, **kwargs):
        super().__init__(*args, **kwargs)
        connections = usable_connections(user, Usage.ENRICHMENT).only(
            "pk", "display_name", "type_key"
        )
        if self.instance.pk is not None:
            connections = connections.filter(type_key=self.instance.type_key)
            self.fields["connection"].required = False
            self.fields["connection"].empty_label = _("No connection (inactive)")
        self.fields["connection"].queryset = connections.order_by("display_name")

    def clean_name(self) -> str:
        return clean_unique_name(
            self.cleaned_data["name"],
            queryset=Enrichment.objects,
            field="name",
            instance=self.instance,
            message=_("An enrichment with this name already exists."),
        )
