from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower
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


class EnrichmentActivateForm(forms.Form):
    """Activate: a connection of the enrichment's type that this user may use.

    The connection a Deactivate detached (``last_connection``) comes first and is chosen
    already, when this user may still use it.
    """

    connection = ConnectionChoiceField(
        label=_("Connection"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a connection to activate the enrichment with."),
            "invalid_choice": _("Choose one of the listed connections."),
        },
    )

    def __init__(self, *args, enrichment: Enrichment, user: AbstractBaseUser, **kwargs):
        super().__init__(*args, **kwargs)
        connections = (
            usable_connections(user, Usage.ENRICHMENT)
            .filter(type_key=enrichment.type_key)
            .only("pk", "display_name", "type_key")
        )
        last = enrichment.last_connection_id
        self.remembered = connections.filter(pk=last).first() if last else None
        first = Case(
            When(pk=self.remembered.pk if self.remembered else None, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        self.fields["connection"].queryset = connections.order_by(
            first, Lower("display_name"), "pk"
        )
        if self.remembered is not None:
            self.fields["connection"].initial = self.remembered.pk
        self.has_choices = self.remembered is not None or connections.exists()
